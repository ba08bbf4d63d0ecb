import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ValidationError } from '#lib/domain/errors.ts';
import type { UsageEvent } from '#lib/domain/events.ts';
import type { QuerySpec } from '#lib/query/spec.ts';
import { DuckDbFileLockedError, DuckDbTimeSeriesStore } from '#lib/stores/duckdb/duckdb-time-series-store.ts';
import { DuckDbStoreClient } from '#lib/stores/duckdb/store-channel.ts';
import { DuckDbStoreThread } from '#lib/stores/duckdb/threaded-store.ts';

/** The store in a thread of its own, as `npm start` runs it: clients in any thread, one file, one owner. */
const dir = mkdtempSync(join(tmpdir(), 'meterhouse-store-thread-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DAY = new Date('2026-04-18T00:00:00.000Z');
const count: QuerySpec = {
  tenantId: 'ten_a',
  window: { from: DAY, to: new Date('2026-04-19T00:00:00.000Z') },
  measures: [
    { as: 'events', kind: 'count' },
    { as: 'cost', kind: 'sum', field: 'cost' },
  ],
};
const event = (id: string, minute: number): UsageEvent => ({
  id,
  time: new Date(DAY.getTime() + minute * 60_000),
  type: 'message',
  cost: 2n ** 60n + BigInt(minute),
});

describe('DuckDbStoreThread', () => {
  it('serves several clients, keeps each event once, and keeps the data across a restart', async () => {
    const path = join(dir, 'events.duckdb');
    const thread = await DuckDbStoreThread.start({ path });
    const a = new DuckDbStoreClient(thread.connect());
    const b = new DuckDbStoreClient(thread.connect());
    const [first, second] = await Promise.all([
      a.writeEvents('ten_a', [event('e-1', 1), event('e-2', 2)]),
      b.writeEvents('ten_a', [event('e-2', 2), event('e-3', 3)]),
    ]);
    expect([...(first?.accepted ?? []), ...(second?.accepted ?? [])].sort()).toEqual(['e-1', 'e-2', 'e-3']);
    expect((first?.duplicates.length ?? 0) + (second?.duplicates.length ?? 0)).toBe(1);
    expect(await b.query(count)).toEqual([{ events: 3, cost: 3n * 2n ** 60n + 6n }]);
    await expect(a.query({ ...count, groupBy: ['nope'] } as unknown as QuerySpec)).rejects.toBeInstanceOf(
      ValidationError,
    );
    await a.close();
    await b.close();
    await thread.close();

    // Closed for good: the file is free again, and the same ids are still known.
    const reopened = await DuckDbTimeSeriesStore.open({ path });
    expect(await reopened.writeEvents('ten_a', [event('e-3', 3)])).toMatchObject({ duplicates: ['e-3'] });
    await reopened.close();
  });

  it('refuses a second owner of the same file in this process, and in the store thread too', async () => {
    const path = join(dir, 'owned.duckdb');
    const store = await DuckDbTimeSeriesStore.open({ path });
    await expect(DuckDbStoreThread.start({ path })).rejects.toBeInstanceOf(DuckDbFileLockedError);
    await store.close();
    const thread = await DuckDbStoreThread.start({ path });
    await expect(DuckDbTimeSeriesStore.open({ path })).rejects.toBeInstanceOf(DuckDbFileLockedError);
    await expect(DuckDbStoreThread.start({ path })).rejects.toBeInstanceOf(DuckDbFileLockedError);
    await thread.close();
  });
});
