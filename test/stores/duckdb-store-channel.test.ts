import { MessageChannel } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { ValidationError } from '#lib/domain/errors.ts';
import type { UsageEvent } from '#lib/domain/events.ts';
import type { QuerySpec } from '#lib/query/spec.ts';
import { DuckDbTimeSeriesStore } from '#lib/stores/duckdb/duckdb-time-series-store.ts';
import { DuckDbStoreClient, serveTimeSeriesStore } from '#lib/stores/duckdb/store-channel.ts';

/**
 * The store served over a MessagePort (what the local runtime's Lambda worker threads use) answers
 * exactly as the store itself: the same outcomes, rows and errors. Both ends run in this thread;
 * messages and transfers still go through the port, as between threads.
 */
const DAY = new Date('2026-04-18T00:00:00.000Z');
const NEXT_DAY = new Date('2026-04-19T00:00:00.000Z');
const at = (minute: number) => new Date(DAY.getTime() + minute * 60_000);

const opened: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const resource of opened.splice(0).reverse()) await resource.close();
});

async function served(): Promise<{ store: DuckDbTimeSeriesStore; client: DuckDbStoreClient }> {
  const store = await DuckDbTimeSeriesStore.open({ path: ':memory:' });
  opened.push(store);
  const { port1, port2 } = new MessageChannel();
  serveTimeSeriesStore(store, port1);
  const client = new DuckDbStoreClient(port2);
  opened.push(client);
  return { store, client };
}

const byCost: QuerySpec = {
  tenantId: 'ten_a',
  window: { from: DAY, to: NEXT_DAY },
  groupBy: ['operatorId'],
  measures: [
    { as: 'events', kind: 'count' },
    { as: 'cost', kind: 'sum', field: 'cost' },
    { as: 'p95', kind: 'percentile', field: 'latencyMs', p: 0.95 },
  ],
};

describe('the DuckDB store over a MessagePort', () => {
  it('writes and reads exactly as the store does in its own thread', async () => {
    const { client } = await served();
    const direct = await DuckDbTimeSeriesStore.open({ path: ':memory:' });
    opened.push(direct);
    const events: UsageEvent[] = [
      {
        id: 'e-1',
        time: at(1),
        type: 'message',
        operatorId: 'op_a',
        cost: 9_007_199_254_740_993n,
        latencyMs: 12,
      },
      { id: 'e-2', time: at(2), type: 'message', operatorId: 'op_b', status: 'DELIVERED', cost: 1n },
      { id: 'e-1', time: at(3), type: 'message', operatorId: 'op_a' }, // repeated within the call
      { id: 'e-3', time: at(4), type: 'api.request', latencyMs: Number.NaN }, // refused by the store
      {
        id: 'a-long-id-with-ünïcødé-that-is-not-inlined',
        time: at(5),
        type: 'llm.request',
        operatorId: "op_c'); DROP TABLE events; --",
        model: 'gpt-🚀',
        inputTokens: 2 ** 40,
      },
    ];
    const later: UsageEvent[] = [
      { id: 'e-2', time: at(6), type: 'message', operatorId: 'op_b', cost: 5n }, // stored before
      { id: 'e-4', time: at(7), type: 'message', operatorId: 'op_b', cost: 7n, latencyMs: 30 },
    ];

    for (const store of [client, direct]) {
      expect(await store.writeEvents('ten_a', events)).toEqual({
        accepted: ['e-1', 'e-2', 'a-long-id-with-ünïcødé-that-is-not-inlined'],
        duplicates: ['e-1'],
        rejected: [{ id: 'e-3', code: 'INVALID_EVENT', detail: 'latencyMs is not a finite number' }],
      });
      expect(await store.writeEvents('ten_a', later)).toEqual({
        accepted: ['e-4'],
        duplicates: ['e-2'],
        rejected: [],
      });
    }
    const rows = await client.query(byCost);
    expect(rows).toEqual(await direct.query(byCost));
    expect(rows.find((row) => row.operatorId === 'op_a')?.cost).toBe(9_007_199_254_740_993n);
    expect(rows.find((row) => row.operatorId === 'op_b')).toMatchObject({ events: 2, cost: 8n });
    expect(rows.find((row) => row.operatorId === "op_c'); DROP TABLE events; --")).toMatchObject({
      events: 1,
    });
  });

  it('answers concurrent writes from the port like writes in order, each event stored once', async () => {
    const { client } = await served();
    const batch = (from: number) =>
      Array.from(
        { length: 3000 },
        (_, i): UsageEvent => ({
          id: `evt-${from + i}`,
          time: at((from + i) % 1000),
          type: 'api.request',
          endpoint: `/v1/endpoint/${i % 7}`,
          bytes: i,
        }),
      );
    // Overlapping batches, sent together: grouped into one transaction on the store's side.
    const outcomes = await Promise.all(
      [0, 1500, 3000, 0].map((from) => client.writeEvents('ten_a', batch(from))),
    );
    const accepted = outcomes.reduce((n, o) => n + o.accepted.length, 0);
    const duplicates = outcomes.reduce((n, o) => n + o.duplicates.length, 0);
    expect(accepted).toBe(6000);
    expect(duplicates).toBe(6000);
    const [row] = await client.query({
      tenantId: 'ten_a',
      window: { from: DAY, to: NEXT_DAY },
      measures: [{ as: 'events', kind: 'count' }],
    });
    expect(row?.events).toBe(6000);
  });

  it('keeps domain errors as they are, so the API answers the same problem', async () => {
    const { client } = await served();
    const invalid = { ...byCost, groupBy: ['no-such-dimension'] } as unknown as QuerySpec;
    const error = await client.query(invalid).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ code: 'INVALID_QUERY', status: 400 });
  });

  it('pings, and fails calls clearly once the store or the client is closed', async () => {
    const { store, client } = await served();
    await expect(client.ping()).resolves.toBeUndefined();
    await store.close();
    await expect(client.ping()).rejects.toThrow(/closed/);
    await expect(client.writeEvents('ten_a', [{ id: 'x', time: at(1), type: 'message' }])).rejects.toThrow(
      /closed/,
    );
    await client.close();
    await expect(client.query(byCost)).rejects.toThrow('The time-series store client is closed');
  });
});
