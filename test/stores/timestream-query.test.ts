import { readFileSync } from 'node:fs';
import {
  type ColumnInfo,
  type Datum,
  DescribeEndpointsCommand,
  QueryCommand,
  type QueryCommandOutput,
  ThrottlingException as QueryThrottlingException,
  TimestreamQueryClient,
} from '@aws-sdk/client-timestream-query';
import {
  DescribeTableCommand,
  ResourceNotFoundException,
  TimestreamWriteClient,
} from '@aws-sdk/client-timestream-write';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { EventIdLedger } from '#lib/domain/ports/event-id-ledger.ts';
import { queryUsage, resolveUsageRequest } from '../../lib/analytics/usage-cost.ts';
import { usageResponse } from '../../lib/contracts/usage-cost.ts';
import { toJson } from '../../lib/http/route.ts';
import type { QuerySpec } from '../../lib/query/spec.ts';
import { parseTimestamp } from '../../lib/stores/timestream/query-result.ts';
import { TimestreamEventWriter } from '../../lib/stores/timestream/timestream-event-writer.ts';
import { TimestreamQueryReader } from '../../lib/stores/timestream/timestream-query-reader.ts';
import { TimestreamTimeSeriesStore } from '../../lib/stores/timestream/timestream-time-series-store.ts';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const queryMock = mockClient(TimestreamQueryClient);
const writeMock = mockClient(TimestreamWriteClient);

function fixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/timestream/${name}`, import.meta.url), 'utf8')) as T;
}
const scalars = fixture<{ response: QueryCommandOutput }>('query-scalars.json').response;
const paged = fixture<{ pages: QueryCommandOutput[] }>('query-paged.json').pages;
const usage = fixture<{ pages: QueryCommandOutput[] }>('query-usage-by-model.json').pages;

// The query path never touches the ledger.
const unusedLedger: EventIdLedger = {
  seen: () => Promise.reject(new Error('unused')),
  markSeen: () => Promise.reject(new Error('unused')),
};

describe('TimestreamTimeSeriesStore query path', () => {
  let store: TimestreamTimeSeriesStore;
  let sleep: ReturnType<typeof vi.fn<(ms: number) => Promise<void>>>;
  let writeClient: TimestreamWriteClient;
  let queryClient: TimestreamQueryClient;

  beforeEach(() => {
    queryMock.reset();
    writeMock.reset();
    sleep = vi.fn(async (_ms: number) => {});
    writeClient = new TimestreamWriteClient({ region: 'us-east-1', credentials });
    queryClient = new TimestreamQueryClient({ region: 'us-east-1', credentials });
    const table = { database: 'meterhouse', table: 'events', sleep };
    store = new TimestreamTimeSeriesStore({
      writer: new TimestreamEventWriter({ client: writeClient, ledger: unusedLedger, ...table }),
      reader: new TimestreamQueryReader({ client: queryClient, ...table }),
    });
  });

  it('query(spec): sends the SQL of compileQuery, pages, parses and shapes the rows', async () => {
    const [u1, u2] = usage;
    queryMock
      .on(QueryCommand)
      .resolvesOnce(u1 ?? {})
      .resolvesOnce(u2 ?? {});
    const spec: QuerySpec = {
      tenantId: 'tenant-1',
      window: { from: new Date('2026-04-18T00:00:00Z'), to: new Date('2026-04-19T00:00:00Z') },
      bin: 'hour',
      groupBy: ['model'],
      measures: [
        { as: 'requests', kind: 'count' },
        { as: 'cost', kind: 'sum', field: 'cost' },
        { as: 'p95', kind: 'percentile', field: 'latencyMs', p: 0.95 },
      ],
    };
    const rows = await store.query(spec);
    expect(rows).toEqual([
      {
        model: 'gpt-4o',
        bucket: new Date('2026-04-18T10:00:00Z'),
        requests: 1250,
        cost: 9_007_199_254_740_993n,
        p95: 182.75,
      },
      { model: null, bucket: new Date('2026-04-18T11:00:00Z'), requests: 3, cost: 0n, p95: null },
    ]);

    const calls = queryMock.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(calls).toHaveLength(2);
    const sql = calls[0]?.QueryString ?? '';
    expect(sql).toMatch(/^SELECT /);
    expect(sql).toContain('FROM "meterhouse"."events"');
    expect(sql).toContain(`"time" >= from_iso8601_timestamp('2026-04-18T00:00:00.000Z')`);
    expect(sql).toContain(`"time" < from_iso8601_timestamp('2026-04-19T00:00:00.000Z')`);
    expect(sql).toContain(`"tenant_id" = 'tenant-1'`);
    expect(calls[1]).toEqual({ QueryString: sql, NextToken: 'AYABeOtwlrr9-usage-2' });
  });

  it('follows NextToken through 3 pages, an empty middle one included', async () => {
    const [p1, p2, p3] = paged;
    queryMock
      .on(QueryCommand)
      .resolvesOnce(p1 ?? {})
      .resolvesOnce(p2 ?? {})
      .resolvesOnce(p3 ?? {});
    const sql = 'SELECT bin(time, 1h) AS bucket, count(*) AS requests FROM "meterhouse"."events" WHERE …';
    const rows = await store.runSql(sql);
    expect(rows).toEqual([
      { bucket: new Date('2026-04-18T10:00:00Z'), requests: 10n },
      { bucket: new Date('2026-04-18T11:00:00Z'), requests: 20n },
      { bucket: new Date('2026-04-18T12:00:00Z'), requests: 30n },
    ]);
    const inputs = queryMock.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(inputs).toEqual([
      { QueryString: sql },
      { QueryString: sql, NextToken: 'AYABeKk2tH4P0-page-2' },
      { QueryString: sql, NextToken: 'AYABeKk2tH4P0-page-3' },
    ]);
  });

  it('parses every scalar type a compiled query returns by ColumnInfo, BIGINT exact beyond 2^53', async () => {
    queryMock.on(QueryCommand).resolves(scalars);
    const [first, second] = await store.runSql('SELECT …');
    expect(first).toEqual({
      model: 'gpt-4o',
      requests: 1250n,
      cost_micros: 9_007_199_254_740_993n,
      status_rank: 3,
      p95_latency_ms: 182.75,
      bucket: new Date('2026-04-18T10:00:00.123Z'), // sub-millisecond digits dropped
    });
    expect(first?.cost_micros).not.toBe(BigInt(Number('9007199254740993')));
    expect(second).toEqual({
      model: null,
      requests: null,
      cost_micros: 9_223_372_036_854_775_807n,
      status_rank: null,
      p95_latency_ms: Number.NaN,
      bucket: new Date('2026-04-18T23:59:59.999Z'),
    });
  });

  it('refuses a type no compiled query returns instead of guessing its value', async () => {
    const result = (column: ColumnInfo, datum: Datum): QueryCommandOutput => ({
      QueryId: 'q',
      ColumnInfo: [column],
      Rows: [{ Data: [datum] }],
      $metadata: {},
    });
    queryMock
      .on(QueryCommand)
      .resolvesOnce(result({ Name: 'has_errors', Type: { ScalarType: 'BOOLEAN' } }, { ScalarValue: 'true' }))
      .resolvesOnce(
        result(
          { Name: 'codes', Type: { ArrayColumnInfo: { Type: { ScalarType: 'BIGINT' } } } },
          { ArrayValue: [{ ScalarValue: '200' }] },
        ),
      );
    await expect(store.runSql('SELECT …')).rejects.toThrow(/"has_errors" is BOOLEAN: no compiled query/);
    await expect(store.runSql('SELECT …')).rejects.toThrow(/"codes" holds no scalar/);
  });

  it('retries a throttled page and resumes with the same NextToken', async () => {
    const [p1, , p3] = paged;
    queryMock
      .on(QueryCommand)
      .resolvesOnce(p1 ?? {})
      .rejectsOnce(
        new QueryThrottlingException({ message: 'slow down', Message: 'slow down', $metadata: {} }),
      )
      .resolvesOnce(p3 ?? {});
    const rows = await store.runSql('SELECT x');
    expect(rows).toHaveLength(3);
    const tokens = queryMock.commandCalls(QueryCommand).map((c) => c.args[0].input.NextToken);
    expect(tokens).toEqual([undefined, 'AYABeKk2tH4P0-page-2', 'AYABeKk2tH4P0-page-2']);
    expect(sleep).toHaveBeenCalledTimes(1);
  });

  it('returns no rows for a result that is empty from the start', async () => {
    queryMock.on(QueryCommand).resolves({ QueryId: 'q', Rows: [], ColumnInfo: [] });
    expect(await store.runSql('SELECT x')).toEqual([]);
  });

  it('ping: DescribeTable on the write client and DescribeEndpoints on the query client', async () => {
    writeMock.on(DescribeTableCommand).resolves({ Table: { TableName: 'events', TableStatus: 'ACTIVE' } });
    queryMock.on(DescribeEndpointsCommand).resolves({
      Endpoints: [{ Address: 'query-cell1.timestream.us-east-1.amazonaws.com', CachePeriodInMinutes: 1440 }],
    });
    await expect(store.ping()).resolves.toBeUndefined();
    expect(writeMock.commandCalls(DescribeTableCommand)[0]?.args[0].input).toEqual({
      DatabaseName: 'meterhouse',
      TableName: 'events',
    });
    expect(queryMock.commandCalls(QueryCommand)).toHaveLength(0); // no billed query
  });

  it('answers sums past 2^53 of the usage API exactly: BIGINT strings to bigint to decimal strings', async () => {
    // 3 × (2^52 + 1) tokens and bytes, and 3 × (2^53 − 1) micros of cost: none of them a double.
    const tokens = '13510798882111491';
    const costMicros = '27021597764222973';
    const bigint = (Name: string) => ({ Name, Type: { ScalarType: 'BIGINT' as const } });
    const names = ['cost', 'requests', 'events', 'inputtokens', 'outputtokens', 'bandwidth'];
    const page = (values: readonly string[]): QueryCommandOutput => ({
      $metadata: {},
      QueryId: 'AEDQCANMQZ6NXZ5FXZ3T4G3QAEBIGSUM1',
      ColumnInfo: names.map(bigint),
      Rows: [{ Data: values.map((ScalarValue) => ({ ScalarValue })) }],
    });
    queryMock.on(QueryCommand).resolves(page([costMicros, '3', '5', tokens, tokens, tokens]));
    const plan = resolveUsageRequest(
      { range: '24h', metrics: ['requests', 'tokens', 'cost', 'bandwidth'] },
      new Date('2026-04-18T12:00:00Z'),
      'query',
    );

    const answer = usageResponse.parse(JSON.parse(toJson(await queryUsage(store, 'tenant-1', plan))));

    const exact = {
      requests: 3,
      input_tokens: tokens,
      output_tokens: tokens,
      cost: '27021597764.222973',
      bandwidth: tokens,
    };
    expect(answer.data).toEqual([exact]);
    expect(answer.summary).toEqual({
      total_requests: 3,
      total_tokens: '27021597764222982',
      total_cost: '27021597764.222973',
      total_bandwidth: tokens,
    });
    const sql = queryMock.commandCalls(QueryCommand)[0]?.args[0].input.QueryString ?? '';
    // Requests are the request types' events; the sums read every event.
    expect(sql).toContain(
      `count(CASE WHEN "type" IN ('api.request', 'gateway.request', 'llm.request', 'message') THEN 1 END)`,
    );
    expect(sql).toContain('coalesce(sum("input_tokens"), 0)');
  });

  it('ping throws when the table is missing', async () => {
    writeMock
      .on(DescribeTableCommand)
      .rejects(new ResourceNotFoundException({ message: 'no table', Message: 'no table', $metadata: {} }));
    queryMock.on(DescribeEndpointsCommand).resolves({ Endpoints: [] });
    await expect(store.ping()).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('a store with the reader only (timeseries:read) probes the query API alone and refuses writes', async () => {
    queryMock.on(DescribeEndpointsCommand).resolves({ Endpoints: [] });
    const readOnly = new TimestreamTimeSeriesStore({
      reader: new TimestreamQueryReader({
        client: queryClient,
        database: 'meterhouse',
        table: 'events',
        sleep,
      }),
    });
    await expect(readOnly.ping()).resolves.toBeUndefined();
    expect(queryMock.commandCalls(DescribeEndpointsCommand)).toHaveLength(1);
    expect(writeMock.commandCalls(DescribeTableCommand)).toHaveLength(0);
    await expect(readOnly.writeEvents('t1', [])).rejects.toThrow(/timeseries:write/);
  });

  it('close destroys both clients', async () => {
    const w = vi.spyOn(writeClient, 'destroy');
    const q = vi.spyOn(queryClient, 'destroy');
    await store.close();
    expect(w).toHaveBeenCalledOnce();
    expect(q).toHaveBeenCalledOnce();
  });
});

describe('parseTimestamp', () => {
  it('reads Timestream timestamps as UTC, to the millisecond', () => {
    expect(parseTimestamp('2026-04-18 10:00:00.000000000')).toEqual(new Date('2026-04-18T10:00:00.000Z'));
    expect(parseTimestamp('2026-04-18 10:00:00.987654321')).toEqual(new Date('2026-04-18T10:00:00.987Z'));
    expect(parseTimestamp('2026-04-18 10:00:00')).toEqual(new Date('2026-04-18T10:00:00.000Z'));
    expect(parseTimestamp('2026-04-18 10:00:00.5')).toEqual(new Date('2026-04-18T10:00:00.500Z'));
    expect(parseTimestamp('0099-01-01 00:00:00.000000000').getUTCFullYear()).toBe(99);
  });

  it('refuses anything else', () => {
    expect(() => parseTimestamp('yesterday')).toThrow(/Unparseable/);
  });
});
