import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EVENT_ID_HORIZON_DAYS, eventIdExpiresAt } from '#lib/domain/ports/event-id-ledger.ts';
import { UnavailableError } from '../../lib/domain/errors.ts';
import { DynamoDbEventIdLedger, eventIdKey } from '../../lib/stores/dynamodb/event-id-ledger.ts';
import { startDynalite, type TestDynalite } from '../support/dynalite.ts';

const future = () => Math.floor(Date.now() / 1000) + 3600;
const expiries = (ids: readonly string[], at: number = future()) => new Map(ids.map((id) => [id, at]));

describe('DynamoDbEventIdLedger on dynalite', () => {
  let db: TestDynalite;
  let ledger: DynamoDbEventIdLedger;

  beforeAll(async () => {
    db = await startDynalite();
    ledger = new DynamoDbEventIdLedger({ doc: db.doc, tableName: db.tableName });
  });
  afterAll(async () => {
    await db.stop();
  });

  it('round-trips: nothing seen, markSeen, then seen', async () => {
    expect(await ledger.seen('t-rt', ['a', 'b', 'c'])).toEqual(new Set());
    await ledger.markSeen('t-rt', ['a', 'c'], expiries(['a', 'c']));
    expect(await ledger.seen('t-rt', ['a', 'b', 'c'])).toEqual(new Set(['a', 'c']));
  });

  it('stores the documented item shape', async () => {
    await ledger.markSeen('t-shape', ['evt-1'], expiries(['evt-1'], 2_000_000_000));
    const out = await db.doc.send(
      new BatchGetCommand({ RequestItems: { [db.tableName]: { Keys: [eventIdKey('t-shape', 'evt-1')] } } }),
    );
    expect(out.Responses?.[db.tableName]).toEqual([
      { pk: 'T#t-shape#EVT#evt-1', sk: 'EVT', entity: 'eventId', expiresAt: 2_000_000_000 },
    ]);
  });

  it('chunks beyond 100 keys per BatchGetItem and 25 items per BatchWriteItem', async () => {
    const ids = Array.from({ length: 250 }, (_, i) => `bulk-${i}`);
    await ledger.markSeen('t-bulk', ids.slice(0, 180), expiries(ids.slice(0, 180)));
    const seen = await ledger.seen('t-bulk', ids);
    expect(seen.size).toBe(180);
    expect(seen.has('bulk-0')).toBe(true);
    expect(seen.has('bulk-179')).toBe(true);
    expect(seen.has('bulk-180')).toBe(false);
  });

  it('tolerates repeated ids in one call (DynamoDB refuses duplicate keys in a batch)', async () => {
    await ledger.markSeen('t-rep', ['x', 'x', 'y'], expiries(['x', 'y']));
    expect(await ledger.seen('t-rep', ['x', 'x', 'y', 'z'])).toEqual(new Set(['x', 'y']));
  });

  it('keeps tenants apart', async () => {
    await ledger.markSeen('tenant-a', ['shared-id'], expiries(['shared-id']));
    expect(await ledger.seen('tenant-a', ['shared-id'])).toEqual(new Set(['shared-id']));
    expect(await ledger.seen('tenant-b', ['shared-id'])).toEqual(new Set());
  });

  it('ignores expired items (dynalite never deletes them; DynamoDB TTL deletes late)', async () => {
    const past = Math.floor(Date.now() / 1000) - 10;
    await ledger.markSeen(
      't-exp',
      ['old', 'new'],
      new Map([
        ['old', past],
        ['new', future()],
      ]),
    );
    expect(await ledger.seen('t-exp', ['old', 'new'])).toEqual(new Set(['new']));

    // The same items, read at a later "now": both expired.
    const later = new DynamoDbEventIdLedger(
      { doc: db.doc, tableName: db.tableName },
      { now: () => new Date(Date.now() + 2 * 3600 * 1000) },
    );
    expect(await later.seen('t-exp', ['old', 'new'])).toEqual(new Set());
  });

  it('refuses to mark an id without an expiry', async () => {
    await expect(ledger.markSeen('t-x', ['a'], new Map())).rejects.toThrow(/no expiresAt/);
  });

  it('computes expiresAt as event time + the 400-day horizon', () => {
    const time = new Date('2026-04-18T10:00:00.000Z');
    expect(EVENT_ID_HORIZON_DAYS).toBe(400);
    expect(eventIdExpiresAt(time)).toBe(time.getTime() / 1000 + 400 * 86_400);
  });
});

describe('DynamoDbEventIdLedger unprocessed keys and items', () => {
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
  const mock = mockClient(doc);
  const table = 'tbl';

  it('retries UnprocessedKeys with backoff until all are read', async () => {
    mock.reset();
    const k1 = eventIdKey('t', 'one');
    const k2 = eventIdKey('t', 'two');
    mock
      .on(BatchGetCommand)
      .resolvesOnce({
        Responses: { [table]: [{ ...k1, expiresAt: future() }] },
        UnprocessedKeys: { [table]: { Keys: [k2] } },
      })
      .resolvesOnce({ Responses: { [table]: [{ ...k2, expiresAt: future() }] } });
    const sleep = vi.fn(async () => {});
    const ledger = new DynamoDbEventIdLedger({ doc, tableName: table }, { sleep, random: () => 0.5 });
    expect(await ledger.seen('t', ['one', 'two'])).toEqual(new Set(['one', 'two']));
    const calls = mock.commandCalls(BatchGetCommand);
    expect(calls).toHaveLength(2);
    expect(calls[1]?.args[0].input.RequestItems?.[table]?.Keys).toEqual([k2]);
    expect(sleep).toHaveBeenCalledTimes(1);
  });

  it('retries UnprocessedItems and gives up with a 503 after the bounded attempts', async () => {
    mock.reset();
    const stuck = { PutRequest: { Item: { ...eventIdKey('t', 'a'), entity: 'eventId', expiresAt: 1 } } };
    mock.on(BatchWriteCommand).resolves({ UnprocessedItems: { [table]: [stuck] } });
    const sleep = vi.fn(async () => {});
    const ledger = new DynamoDbEventIdLedger({ doc, tableName: table }, { sleep, maxAttempts: 3 });
    const error = await ledger.markSeen('t', ['a'], expiries(['a'])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnavailableError);
    expect(mock.commandCalls(BatchWriteCommand)).toHaveLength(3);
    expect(sleep).toHaveBeenCalledTimes(2);
  });
});
