import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestEvents } from '#lib/domain/ingest.ts';
import { DuckDbTimeSeriesStore } from '#lib/stores/duckdb/duckdb-time-series-store.ts';

// A real DuckDB store whose next write can be made to fail inside its transaction, after the
// batch has been appended and before it commits: the worst moment for exactly-once.
let failNext = false;
let store: DuckDbTimeSeriesStore;
beforeAll(async () => {
  store = await DuckDbTimeSeriesStore.open({
    path: ':memory:',
    faults: {
      beforeCommit: () => {
        if (failNext) {
          failNext = false;
          throw new Error('disk full');
        }
      },
    },
  });
});
afterAll(() => store.close());

const now = new Date();
const batch = (ids: string[]) =>
  ids.map((id) => ({
    value: {
      id,
      time: new Date(now.getTime() - 60_000).toISOString(),
      type: 'message',
      status: 'DELIVERED',
      cost: '0.010000',
    },
  }));

async function stored(tenantId: string): Promise<{ n: number; cost: bigint }> {
  const [row] = await store.query({
    tenantId,
    window: { from: new Date(now.getTime() - 3_600_000), to: new Date(now.getTime() + 60_000) },
    measures: [
      { as: 'n', kind: 'count' },
      { as: 'cost', kind: 'sum', field: 'cost' },
    ],
  });
  return { n: Number(row?.n ?? 0), cost: (row?.cost as bigint | null) ?? 0n };
}

describe('exactly once through the ingest service on DuckDB', () => {
  it('never marks events of a failed write as seen: the retry counts each exactly once', async () => {
    // Given a batch whose write fails mid-way (after the append, before the commit)
    failNext = true;
    await expect(ingestEvents(store, 'ten_a', batch(['e1', 'e2', 'e3']), now)).rejects.toThrow('disk full');
    expect(await stored('ten_a')).toEqual({ n: 0, cost: 0n });

    // When the client retries the same batch, plus one repeat within it
    const retry = await ingestEvents(store, 'ten_a', batch(['e1', 'e2', 'e3', 'e2']), now);

    // Then every event is stored once, and a further retry stores nothing new
    expect(retry).toEqual({ accepted: 3, duplicates: 1, rejected: [] });
    const again = await ingestEvents(store, 'ten_a', batch(['e3', 'e2', 'e1']), now);
    expect(again).toEqual({ accepted: 0, duplicates: 3, rejected: [] });
    expect(await stored('ten_a')).toEqual({ n: 3, cost: 30_000n });
  });

  it('keeps the ids of other batches and tenants apart from a failed one', async () => {
    await ingestEvents(store, 'ten_b', batch(['k1']), now);
    failNext = true;
    await expect(ingestEvents(store, 'ten_b', batch(['k1', 'k2']), now)).rejects.toThrow('disk full');
    expect(await stored('ten_b')).toEqual({ n: 1, cost: 10_000n });
    expect(await ingestEvents(store, 'ten_b', batch(['k1', 'k2']), now)).toEqual({
      accepted: 1,
      duplicates: 1,
      rejected: [],
    });
    // The same ids under another tenant are other events.
    expect(await ingestEvents(store, 'ten_c', batch(['k1', 'k2']), now)).toEqual({
      accepted: 2,
      duplicates: 0,
      rejected: [],
    });
  });
});
