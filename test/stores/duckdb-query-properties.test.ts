import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueryRow, QuerySpec, QueryValue } from '#lib/query/spec.ts';
import { DuckDbTimeSeriesStore } from '#lib/stores/duckdb/duckdb-time-series-store.ts';
import { eventsArb, specArb } from '#test/support/query-arbitraries.ts';
import { referenceQuery, type StoredEvent } from '#test/support/query-reference.ts';

/**
 * Random events and random specs: DuckDB's answers must equal the plain in-memory reference.
 * Counts and integer/cost sums exactly (bigint); avg, double sums and percentiles within 1e-9
 * relative (quantile_cont and the reference interpolate the same way; only float rounding
 * differs); dates, dimensions and row order exactly.
 */
const RELATIVE_TOLERANCE = 1e-9;

function close(actual: number, expected: number): boolean {
  return (
    Math.abs(actual - expected) <= RELATIVE_TOLERANCE * Math.max(1, Math.abs(actual), Math.abs(expected))
  );
}

function sameValue(actual: QueryValue | undefined, expected: QueryValue | undefined): boolean {
  if (expected === null || expected === undefined) return actual === null;
  if (typeof expected === 'bigint') return typeof actual === 'bigint' && actual === expected;
  // Counts are small integers, exact within the tolerance. An average can be a whole double too
  // (at 2^52 and up every double is whole) that still differs in its last bit: the engine and the
  // reference round a huge sum differently. So a number is never compared bit for bit.
  if (typeof expected === 'number') return typeof actual === 'number' && close(actual, expected);
  if (expected instanceof Date) return actual instanceof Date && actual.getTime() === expected.getTime();
  return actual === expected;
}

function assertSameRows(actual: QueryRow[], expected: QueryRow[], spec: QuerySpec): void {
  const explain = () =>
    `spec ${JSON.stringify(spec, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))}\n` +
    `actual ${JSON.stringify(actual, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))}\n` +
    `expected ${JSON.stringify(expected, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))}`;
  if (actual.length !== expected.length) throw new Error(`row count differs\n${explain()}`);
  expected.forEach((row, i) => {
    const got = actual[i] ?? {};
    expect(Object.keys(got).sort()).toEqual(Object.keys(row).sort());
    for (const [key, value] of Object.entries(row)) {
      if (!sameValue(got[key], value)) throw new Error(`row ${i} column ${key} differs\n${explain()}`);
    }
  });
}

let store: DuckDbTimeSeriesStore;
let run = 0;

beforeAll(async () => {
  // A tiny stored-id filter: it grows layer after layer and answers "maybe" often along the way.
  store = await DuckDbTimeSeriesStore.open({ path: ':memory:', idFilterCapacity: 64 });
});
afterAll(async () => {
  await store.close();
});

describe('DuckDB answers equal the in-memory reference', () => {
  it('for random events and random specs', async () => {
    await fc.assert(
      fc.asyncProperty(
        eventsArb(250),
        fc.array(specArb('placeholder'), { minLength: 1, maxLength: 3 }),
        async (events, specs) => {
          const tenantId = `prop-${++run}`;
          const neighbour = `${tenantId}-neighbour`;
          const outcome = await store.writeEvents(tenantId, events);
          expect(outcome.accepted).toHaveLength(events.length);
          // Same ids, other tenant: must change nothing in tenantId's answers.
          await store.writeEvents(neighbour, events.slice(0, 25));
          // Exactly-once: a replay of part of the batch stores nothing more.
          const replay = await store.writeEvents(tenantId, events.slice(0, 10));
          expect(replay.accepted).toEqual([]);

          const stored: StoredEvent[] = [
            ...events.map((event) => ({ tenantId, event })),
            ...events.slice(0, 25).map((event) => ({ tenantId: neighbour, event })),
          ];
          for (const template of specs) {
            const spec = { ...template, tenantId };
            assertSameRows(await store.query(spec), referenceQuery(stored, spec), spec);
          }
        },
      ),
      { numRuns: 40 },
    );
    // About 2 s on an idle machine; the bound is for a loaded CI box, not a speed target.
  }, 120_000);
});
