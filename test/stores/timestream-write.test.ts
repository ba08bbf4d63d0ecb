import { readFileSync } from 'node:fs';
import {
  type _Record,
  InternalServerException,
  type RejectedRecord,
  RejectedRecordsException,
  ThrottlingException,
  TimestreamWriteClient,
  ValidationException,
  WriteRecordsCommand,
} from '@aws-sdk/client-timestream-write';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { eventIdExpiresAt } from '#lib/domain/ports/event-id-ledger.ts';
import { UnavailableError } from '../../lib/domain/errors.ts';
import type { UsageEvent } from '../../lib/domain/events.ts';
import { DynamoDbEventIdLedger } from '../../lib/stores/dynamodb/event-id-ledger.ts';
import { TimestreamEventWriter } from '../../lib/stores/timestream/timestream-event-writer.ts';
import { TimestreamTimeSeriesStore } from '../../lib/stores/timestream/timestream-time-series-store.ts';
import { startDynalite, type TestDynalite } from '../support/dynalite.ts';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const writeMock = mockClient(TimestreamWriteClient);
const T0 = Date.parse('2026-04-18T10:00:00.000Z');

const rejectedFixture = JSON.parse(
  readFileSync(new URL('../fixtures/timestream/write-rejected.json', import.meta.url), 'utf8'),
) as { error: { Message: string; RejectedRecords: RejectedRecord[] } };

function events(n: number, prefix = 'evt', from = 0): UsageEvent[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `${prefix}-${from + i}`,
    time: new Date(T0 + (from + i) * 1000),
    type: 'api.request' as const,
    endpoint: '/v1/messages',
    statusCode: 200,
    latencyMs: 12.5,
  }));
}

const throttled = () =>
  new ThrottlingException({
    message: 'Rate exceeded',
    Message: 'Rate exceeded',
    $metadata: { httpStatusCode: 400 },
  });

describe('TimestreamTimeSeriesStore.writeEvents', () => {
  let db: TestDynalite;
  let ledger: DynamoDbEventIdLedger;
  let sleep: ReturnType<typeof vi.fn<(ms: number) => Promise<void>>>;
  let store: TimestreamTimeSeriesStore;
  let tenant: string;
  let tenantSeq = 0;

  beforeAll(async () => {
    db = await startDynalite();
    ledger = new DynamoDbEventIdLedger({ doc: db.doc, tableName: db.tableName });
  });
  afterAll(async () => {
    await db.stop();
  });
  beforeEach(() => {
    writeMock.reset();
    writeMock
      .on(WriteRecordsCommand)
      .resolves({ RecordsIngested: { Total: 1, MemoryStore: 1, MagneticStore: 0 } });
    sleep = vi.fn(async (_ms: number) => {});
    tenant = `tenant-${++tenantSeq}`;
    store = new TimestreamTimeSeriesStore({
      writer: new TimestreamEventWriter({
        client: new TimestreamWriteClient({ region: 'us-east-1', credentials }),
        database: 'meterhouse',
        table: 'events',
        ledger,
        sleep,
        random: () => 0.5,
      }),
    });
  });

  const sentRecords = () => writeMock.commandCalls(WriteRecordsCommand).map((c) => c.args[0].input);

  it('writes 250 events in 3 WriteRecords requests of ≤ 100 records, tenant_id in CommonAttributes', async () => {
    const batch = events(250);
    const outcome = await store.writeEvents(tenant, batch);
    expect(outcome).toEqual({ accepted: batch.map((e) => e.id), duplicates: [], rejected: [] });

    const inputs = sentRecords();
    expect(inputs.map((i) => i.Records?.length)).toEqual([100, 100, 50]);
    for (const input of inputs) {
      expect(input.DatabaseName).toBe('meterhouse');
      expect(input.TableName).toBe('events');
      expect(input.CommonAttributes).toMatchObject({
        MeasureName: 'usage',
        MeasureValueType: 'MULTI',
        TimeUnit: 'MILLISECONDS',
        Version: 1,
      });
      const common = input.CommonAttributes?.Dimensions ?? [];
      expect(common).toContainEqual({ Name: 'tenant_id', Value: tenant, DimensionValueType: 'VARCHAR' });
      // Shared by every event of the batch, so hoisted too; event_id never is.
      expect(common.map((d) => d.Name).sort()).toEqual(['endpoint', 'status_code', 'tenant_id', 'type']);
      for (const record of input.Records ?? []) {
        expect(record.Dimensions).toEqual([
          { Name: 'event_id', Value: expect.any(String), DimensionValueType: 'VARCHAR' },
        ]);
      }
    }
    expect(
      await ledger.seen(
        tenant,
        batch.map((e) => e.id),
      ),
    ).toEqual(new Set(batch.map((e) => e.id)));
  });

  it('maps an event to one multi-measure record: dimensions, typed measures, exact cost, ms time, Version', async () => {
    const llm: UsageEvent = {
      id: 'llm-1',
      time: new Date('2026-04-18T10:00:00.123Z'),
      type: 'llm.request',
      projectId: 'proj-1',
      apiKeyId: 'key_1',
      model: 'claude-sonnet',
      endpoint: '/v1/messages',
      statusCode: 429,
      latencyMs: 812.25,
      inputTokens: 1200,
      outputTokens: 350,
      units: 1.5,
      cost: 9_007_199_254_740_993n, // 2^53 + 1 micros: must not pass through a double
    };
    const message: UsageEvent = {
      id: 'msg-1',
      time: new Date('2026-04-18T10:00:01.000Z'),
      type: 'message',
      operatorId: 'op-1',
      accountId: 'acc-1',
      status: 'DELIVERED',
      segments: 2,
      bytes: 5_000_000_000,
      storageBytes: 0,
    };
    await store.writeEvents(tenant, [llm, message]);
    const [input] = sentRecords();
    expect(input?.CommonAttributes?.Dimensions).toEqual([
      { Name: 'tenant_id', Value: tenant, DimensionValueType: 'VARCHAR' },
    ]);
    const [first, second] = input?.Records ?? [];
    const v = (Name: string, Value: string) => ({ Name, Value, DimensionValueType: 'VARCHAR' as const });
    expect(first).toEqual({
      Dimensions: [
        v('event_id', 'llm-1'),
        v('type', 'llm.request'),
        v('project_id', 'proj-1'),
        v('api_key_id', 'key_1'),
        v('endpoint', '/v1/messages'),
        v('model', 'claude-sonnet'),
        v('status_code', '429'),
      ],
      MeasureValues: [
        { Name: 'event_count', Value: '1', Type: 'BIGINT' },
        { Name: 'latency_ms', Value: '812.25', Type: 'DOUBLE' },
        { Name: 'units', Value: '1.5', Type: 'DOUBLE' },
        { Name: 'input_tokens', Value: '1200', Type: 'BIGINT' },
        { Name: 'output_tokens', Value: '350', Type: 'BIGINT' },
        { Name: 'cost_micros', Value: '9007199254740993', Type: 'BIGINT' },
      ],
      Time: String(Date.parse('2026-04-18T10:00:00.123Z')),
    } satisfies _Record);
    expect(second).toEqual({
      Dimensions: [
        v('event_id', 'msg-1'),
        v('type', 'message'),
        v('operator_id', 'op-1'),
        v('account_id', 'acc-1'),
        v('status', 'DELIVERED'),
      ],
      MeasureValues: [
        { Name: 'event_count', Value: '1', Type: 'BIGINT' },
        { Name: 'bytes', Value: '5000000000', Type: 'BIGINT' },
        { Name: 'segments', Value: '2', Type: 'BIGINT' },
        { Name: 'storage_bytes', Value: '0', Type: 'BIGINT' },
      ],
      Time: String(Date.parse('2026-04-18T10:00:01.000Z')),
    });
  });

  it('retries ThrottlingException and InternalServerException with backoff, then succeeds', async () => {
    writeMock
      .on(WriteRecordsCommand)
      .rejectsOnce(throttled())
      .rejectsOnce(new InternalServerException({ message: 'oops', Message: 'oops', $metadata: {} }))
      .resolves({});
    const outcome = await store.writeEvents(tenant, events(3));
    expect(outcome.accepted).toHaveLength(3);
    expect(writeMock.commandCalls(WriteRecordsCommand)).toHaveLength(3);
    // Full jitter with random() = 0.5: half of base·2^retry (100 ms, 200 ms).
    expect(sleep.mock.calls.map(([ms]) => ms)).toEqual([50, 100]);
  });

  it('retries a plain 5xx', async () => {
    const unavailable = Object.assign(new Error('Service Unavailable'), {
      name: 'ServiceUnavailable',
      $metadata: { httpStatusCode: 503 },
    });
    writeMock.on(WriteRecordsCommand).rejectsOnce(unavailable).resolves({});
    expect((await store.writeEvents(tenant, events(1))).accepted).toEqual(['evt-0']);
    expect(writeMock.commandCalls(WriteRecordsCommand)).toHaveLength(2);
  });

  it('throws once retries are exhausted, leaves the failed chunk unmarked, keeps the stored chunk marked', async () => {
    const batch = events(150);
    writeMock.on(WriteRecordsCommand).resolvesOnce({}).rejects(throttled());
    const error = await store.writeEvents(tenant, batch).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as UnavailableError).status).toBe(503);
    expect((error as UnavailableError).cause).toBeInstanceOf(ThrottlingException);
    expect(writeMock.commandCalls(WriteRecordsCommand)).toHaveLength(1 + 5); // first chunk + 5 attempts
    const seen = await ledger.seen(
      tenant,
      batch.map((e) => e.id),
    );
    expect(seen.size).toBe(100);
    expect(seen.has('evt-99')).toBe(true);
    expect(seen.has('evt-100')).toBe(false);

    // The client retries the batch: the stored chunk is reported as duplicates, the rest is written.
    writeMock.reset();
    writeMock.on(WriteRecordsCommand).resolves({});
    const retried = await store.writeEvents(tenant, batch);
    expect(retried.duplicates).toEqual(batch.slice(0, 100).map((e) => e.id));
    expect(retried.accepted).toEqual(batch.slice(100).map((e) => e.id));
    expect(sentRecords().map((i) => i.Records?.length)).toEqual([50]);
  });

  it('does not retry a non-retryable error and marks nothing', async () => {
    writeMock
      .on(WriteRecordsCommand)
      .rejects(
        new ValidationException({ message: 'bad', Message: 'bad', $metadata: { httpStatusCode: 400 } }),
      );
    await expect(store.writeEvents(tenant, events(2))).rejects.toBeInstanceOf(ValidationException);
    expect(writeMock.commandCalls(WriteRecordsCommand)).toHaveLength(1);
    expect(await ledger.seen(tenant, ['evt-0', 'evt-1'])).toEqual(new Set());
  });

  it('turns RejectedRecords into per-event rejections; the other records of the request are accepted', async () => {
    const batch = events(150);
    writeMock
      .on(WriteRecordsCommand)
      .resolvesOnce({})
      // Second request: RecordIndex 1 and 2 are indexes into *that* request → events 101 and 102.
      .rejectsOnce(
        new RejectedRecordsException({
          ...rejectedFixture.error,
          message: rejectedFixture.error.Message,
          $metadata: { httpStatusCode: 419 },
        }),
      );
    const outcome = await store.writeEvents(tenant, batch);
    expect(outcome.rejected).toEqual([
      {
        id: 'evt-101',
        code: 'TIMESTREAM_REJECTED',
        detail: expect.stringMatching(/different value.*\(existing version 1\)$/),
      },
      { id: 'evt-102', code: 'TIMESTREAM_REJECTED', detail: expect.stringMatching(/outside the time range/) },
    ]);
    expect(outcome.accepted).toHaveLength(148);
    expect(outcome.accepted).not.toContain('evt-101');
    expect(writeMock.commandCalls(WriteRecordsCommand)).toHaveLength(2); // rejections are not retried
    const seen = await ledger.seen(
      tenant,
      batch.map((e) => e.id),
    );
    expect(seen.size).toBe(148);
    expect(seen.has('evt-101') || seen.has('evt-102')).toBe(false);
    expect(seen.has('evt-100')).toBe(true);
  });

  it('reports duplicates from the real ledger and writes only new events', async () => {
    await store.writeEvents(tenant, events(3));
    writeMock.resetHistory();
    const outcome = await store.writeEvents(tenant, events(4));
    expect(outcome).toEqual({ accepted: ['evt-3'], duplicates: ['evt-0', 'evt-1', 'evt-2'], rejected: [] });
    expect(sentRecords().map((i) => i.Records?.length)).toEqual([1]);

    // Another tenant may use the same ids.
    const other = await store.writeEvents(`${tenant}-other`, events(2));
    expect(other.accepted).toEqual(['evt-0', 'evt-1']);
  });

  it('marks seen with expiresAt = event time + horizon', async () => {
    const markSeen = vi.spyOn(ledger, 'markSeen');
    const [event] = events(1);
    await store.writeEvents(tenant, event ? [event] : []);
    expect(markSeen).toHaveBeenCalledWith(
      tenant,
      ['evt-0'],
      new Map([['evt-0', eventIdExpiresAt(new Date(T0))]]),
    );
    markSeen.mockRestore();
  });

  it('treats a repeated id within one call as a duplicate', async () => {
    const [a] = events(1);
    if (!a) throw new Error('fixture');
    const outcome = await store.writeEvents(tenant, [a, { ...a }]);
    expect(outcome).toEqual({ accepted: ['evt-0'], duplicates: ['evt-0'], rejected: [] });
  });

  it('rejects an event it cannot map, without sending it', async () => {
    const [good, bad] = events(2);
    if (!good || !bad) throw new Error('fixture');
    const outcome = await store.writeEvents(tenant, [good, { ...bad, latencyMs: Number.NaN }]);
    expect(outcome.rejected).toEqual([
      { id: 'evt-1', code: 'INVALID_EVENT', detail: 'latencyMs is not a finite number' },
    ]);
    expect(sentRecords().map((i) => i.Records?.length)).toEqual([1]);
  });

  it('does nothing for an empty batch', async () => {
    expect(await store.writeEvents(tenant, [])).toEqual({ accepted: [], duplicates: [], rejected: [] });
    expect(writeMock.commandCalls(WriteRecordsCommand)).toHaveLength(0);
  });
});
