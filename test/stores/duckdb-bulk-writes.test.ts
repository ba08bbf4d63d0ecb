import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTEGER_MEASURES, STRING_DIMENSIONS, type UsageEvent } from '#lib/domain/events.ts';
import { DuckDbTimeSeriesStore } from '#lib/stores/duckdb/duckdb-time-series-store.ts';
import {
  type EncodedEventChunk,
  encodeEvents,
  recycleBuffers,
  selectStoredRows,
  transferables,
} from '#lib/stores/duckdb/event-encoding.ts';
import {
  appendEncodedEvents,
  appendEvent,
  appendEvents,
  EVENTS_DDL,
  EVENTS_TABLE,
} from '#lib/stores/duckdb/schema.ts';

/**
 * The ingest path's bulk writes: data chunks (appendEvents) store exactly what the row-by-row
 * typed appender (appendEvent) stores, and grouped writes (several calls in one transaction)
 * answer and store exactly what the same calls one after the other would.
 */

const DAY = new Date('2026-04-18T00:00:00.000Z');
const NEXT_DAY = new Date('2026-04-19T00:00:00.000Z');

describe('appendEvents (data chunks) against appendEvent (row by row)', () => {
  let instance: DuckDBInstance;
  let rowWise: DuckDBConnection;
  let chunked: DuckDBConnection;
  let rowWiseInstance: DuckDBInstance;

  beforeAll(async () => {
    // Two databases with the same table: one filled each way.
    rowWiseInstance = await DuckDBInstance.create(':memory:');
    rowWise = await rowWiseInstance.connect();
    await rowWise.run(EVENTS_DDL);
    instance = await DuckDBInstance.create(':memory:');
    chunked = await instance.connect();
    await chunked.run(EVENTS_DDL);
  });
  afterAll(() => {
    rowWise.closeSync();
    rowWiseInstance.closeSync();
    chunked.closeSync();
    instance.closeSync();
  });

  // Short/long, ASCII/non-ASCII strings around the 12-byte inline limit, and '' (stored as NULL).
  const text = fc.oneof(
    fc.constantFrom(
      '',
      'a',
      'a\tb\n',
      'op_alpha',
      'exactly12chr',
      'thirteen_char',
      'ünïcødé',
      'é'.repeat(6), // 12 UTF-8 bytes: inline once encoded
      'é'.repeat(7), // 7 characters, 14 bytes: a long string
      'é'.repeat(12),
      '🚀x',
      '🚀🚀🚀', // 12 bytes from surrogate pairs
      'a'.repeat(256),
    ),
    fc.string({ minLength: 1, maxLength: 40 }).filter((s) => !s.includes('\u0000')),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }).filter((s) => !s.includes('\u0000')),
  );
  const integer = fc.oneof(
    fc.integer({ min: 0, max: 2 ** 31 }),
    fc.constantFrom(0, 2 ** 32, 2 ** 32 - 1, 2 ** 53 - 1, 2 ** 62, -(2 ** 62), -1),
  );
  const eventArb = (id: string): fc.Arbitrary<UsageEvent> =>
    fc
      .record(
        {
          time: fc.oneof(
            fc.date({ noInvalidDate: true }),
            fc.constantFrom(new Date(0), new Date(-1), new Date(8.64e15), new Date(-8.64e15)),
          ),
          type: fc.constantFrom('api.request', 'message', 'llm.request'),
          statusCode: fc.integer({ min: -(2 ** 31) + 1, max: 2 ** 31 - 1 }),
          latencyMs: fc.double({ noNaN: true, noDefaultInfinity: true }),
          units: fc.double({ noNaN: true, noDefaultInfinity: true }),
          cost: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
          ...Object.fromEntries(STRING_DIMENSIONS.map((d) => [d, text])),
          ...Object.fromEntries(INTEGER_MEASURES.map((m) => [m, integer])),
        },
        { requiredKeys: ['time', 'type'] },
      )
      .map((fields) => ({ id, ...fields }) as UsageEvent);
  const batchArb = (tag: string) =>
    fc
      .integer({ min: 1, max: 60 })
      .chain((n) =>
        fc.tuple(...Array.from({ length: n }, (_, i) => eventArb(`${tag}-${i}-${'x'.repeat(i % 15)}`))),
      );

  async function rows(connection: DuckDBConnection, tenant: string): Promise<unknown[][]> {
    const reader = await connection.runAndReadAll(
      `SELECT * FROM ${EVENTS_TABLE} WHERE tenant_id = $tenant ORDER BY event_id`,
      { tenant },
    );
    return reader.getRows();
  }

  /** `events` row by row into one database, and in data chunks into the other (`chunks`: encoded already). */
  async function appendBoth(
    tenant: string,
    events: readonly UsageEvent[],
    chunks?: readonly EncodedEventChunk[],
  ): Promise<void> {
    const one = await rowWise.createAppender(EVENTS_TABLE);
    for (const event of events) appendEvent(one, tenant, event);
    one.closeSync();
    const bulk = await chunked.createAppender(EVENTS_TABLE);
    if (chunks) appendEncodedEvents(bulk, tenant, chunks);
    else appendEvents(bulk, tenant, events);
    bulk.closeSync();
  }

  it('stores every column, NULL and value alike, the same way', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(batchArb('e'), async (events) => {
        const tenant = `tenant-${++run}`;
        await appendBoth(tenant, events);
        expect(await rows(chunked, tenant)).toEqual(await rows(rowWise, tenant));
      }),
      { numRuns: 60 },
    );
  });

  // A write that finds some of its events stored already appends the other rows of its encoding.
  it('stores exactly the selected rows of encoded chunks', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        batchArb('s').chain((events) =>
          fc.tuple(
            fc.constant(events),
            fc.array(fc.boolean(), { minLength: events.length, maxLength: events.length }),
          ),
        ),
        async ([events, picks]) => {
          const tenant = `selected-${++run}`;
          const one = await rowWise.createAppender(EVENTS_TABLE);
          for (const [i, event] of events.entries()) if (picks[i]) appendEvent(one, tenant, event);
          one.closeSync();
          const bulk = await chunked.createAppender(EVENTS_TABLE);
          appendEncodedEvents(
            bulk,
            tenant,
            selectStoredRows(encodeEvents(events), Uint8Array.from(picks, Number)),
          );
          bulk.closeSync();
          expect(await rows(chunked, tenant)).toEqual(await rows(rowWise, tenant));
        },
      ),
      { numRuns: 40 },
    );
  });

  // The store thread moves a write's buffers back to the client, which encodes its next writes into them.
  it('encodes into spent buffers, whatever they held, as into new ones', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(batchArb('q'), async (second) => {
        const tenant = `recycled-${++run}`;
        // An earlier write of as many rows: its buffers fit this one's.
        const first = second.map((event) => ({ ...event, id: `earlier-${event.id}` }));
        const spent = transferables(encodeEvents(first));
        for (const buffer of spent) new Uint8Array(buffer).fill(0xa5); // what a used buffer may hold
        recycleBuffers(spent);
        const chunks = encodeEvents(second);
        expect(transferables(chunks).some((buffer) => spent.includes(buffer))).toBe(true);
        await appendBoth(tenant, second, chunks);
        expect(await rows(chunked, tenant)).toEqual(await rows(rowWise, tenant));
      }),
      { numRuns: 30 },
    );
  });

  it('splits batches over 2048 rows into several chunks, in order', async () => {
    const events: UsageEvent[] = Array.from({ length: 5000 }, (_, i) => ({
      id: `big-${String(i).padStart(5, '0')}`,
      time: new Date(DAY.getTime() + i),
      type: 'api.request',
      endpoint: i % 2 === 0 ? `/v1/long/endpoint/${i}` : 'short',
      bytes: i,
      ...(i % 3 === 0 ? { cost: BigInt(i) } : {}),
    }));
    await appendBoth("t' OR '1'='1", events);
    const stored = await rows(chunked, "t' OR '1'='1");
    expect(stored).toHaveLength(5000);
    expect(stored).toEqual(await rows(rowWise, "t' OR '1'='1"));
  });
});

describe('grouped writes (several calls in one transaction)', () => {
  const at = (i: number) => new Date(DAY.getTime() + 3_600_000 + i);
  const event = (id: string, i = 0): UsageEvent => ({ id, time: at(i), type: 'api.request', bytes: 1 });
  const count = async (store: DuckDbTimeSeriesStore, tenantId: string) => {
    const [row] = await store.query({
      tenantId,
      window: { from: DAY, to: NEXT_DAY },
      measures: [{ as: 'n', kind: 'count' }],
    });
    return row?.n;
  };

  it('answers concurrent calls exactly as the same calls one after the other', async () => {
    const grouped = await DuckDbTimeSeriesStore.open({ path: ':memory:' });
    const sequential = await DuckDbTimeSeriesStore.open({ path: ':memory:' });
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.array(
            fc.record({
              tenant: fc.constantFrom('ten_a', 'ten_b'),
              ids: fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'), {
                minLength: 1,
                maxLength: 6,
              }),
            }),
            { minLength: 2, maxLength: 8 },
          ),
          fc.nat(),
          async (calls, seed) => {
            const prefix = `r${seed}-`;
            const batches = calls.map(({ tenant, ids }) => ({
              tenant,
              events: ids.map((id, i) => event(prefix + id, i)),
            }));
            // Issued together: the first runs alone, the others wait and are written as one group.
            const together = await Promise.all(batches.map((b) => grouped.writeEvents(b.tenant, b.events)));
            const oneByOne = [];
            for (const b of batches) oneByOne.push(await sequential.writeEvents(b.tenant, b.events));
            expect(together).toEqual(oneByOne);
          },
        ),
        { numRuns: 40 },
      );
      for (const tenant of ['ten_a', 'ten_b']) {
        expect(await count(grouped, tenant)).toBe(await count(sequential, tenant));
      }
    } finally {
      await grouped.close();
      await sequential.close();
    }
  });

  it('fails only the call whose write failed; the others of its group are stored once', async () => {
    const hookCalls: string[] = [];
    const store = await DuckDbTimeSeriesStore.open({
      path: ':memory:',
      faults: {
        beforeCommit: ({ ids }) => {
          const name = (ids[0] ?? '').split('-')[0] ?? '';
          hookCalls.push(name);
          if (name === 'c' && hookCalls.filter((c) => c === 'c').length === 1)
            throw new Error('disk full for c');
        },
      },
    });
    try {
      const batch = (name: string) => [event(`${name}-1`), event(`${name}-2`), event('shared')];
      const [a, b, c, d] = await Promise.allSettled(
        ['a', 'b', 'c', 'd'].map((name) => store.writeEvents('ten', batch(name))),
      );
      // a ran alone; b, c and d were one group, rolled back by c's failure; b and d were written again alone.
      expect(hookCalls).toEqual(['a', 'b', 'c', 'b', 'd']);
      expect(a).toEqual({
        status: 'fulfilled',
        value: { accepted: ['a-1', 'a-2', 'shared'], duplicates: [], rejected: [] },
      });
      expect(b).toEqual({
        status: 'fulfilled',
        value: { accepted: ['b-1', 'b-2'], duplicates: ['shared'], rejected: [] },
      });
      expect(c?.status).toBe('rejected');
      expect((c as PromiseRejectedResult).reason).toEqual(new Error('disk full for c'));
      expect(d).toEqual({
        status: 'fulfilled',
        value: { accepted: ['d-1', 'd-2'], duplicates: ['shared'], rejected: [] },
      });
      expect(await count(store, 'ten')).toBe(7);
      // Nothing of c was stored or marked seen: its retry stores its own two events.
      expect(await store.writeEvents('ten', batch('c'))).toEqual({
        accepted: ['c-1', 'c-2'],
        duplicates: ['shared'],
        rejected: [],
      });
      expect(await count(store, 'ten')).toBe(9);
    } finally {
      await store.close();
    }
  });

  it('opens no transaction for a call with nothing storable, grouped or not', async () => {
    const hookCalls: string[][] = [];
    const store = await DuckDbTimeSeriesStore.open({
      path: ':memory:',
      faults: { beforeCommit: ({ ids }) => void hookCalls.push([...ids]) },
    });
    try {
      const bad = { ...event('bad'), statusCode: 0.5 };
      const outcomes = await Promise.all([
        store.writeEvents('ten', [event('ok-1')]),
        store.writeEvents('ten', [bad]),
        store.writeEvents('ten', [event('ok-2'), event('ok-2')]),
        store.writeEvents('ten', [bad]),
      ]);
      expect(outcomes.map((o) => [o.accepted, o.duplicates, o.rejected.map((r) => r.id)])).toEqual([
        [['ok-1'], [], []],
        [[], [], ['bad']],
        [['ok-2'], ['ok-2'], []],
        [[], [], ['bad']],
      ]);
      expect(hookCalls).toEqual([['ok-1'], ['ok-2']]);
    } finally {
      await store.close();
    }
  });

  it('handles ids holding newlines (sent as a list, not joined by newlines)', async () => {
    const store = await DuckDbTimeSeriesStore.open({ path: ':memory:', idFilterCapacity: 4 });
    try {
      const ids = ['line\nbreak', 'line', 'break', '\n', 'x\n\ny'];
      expect(
        (
          await store.writeEvents(
            'ten',
            ids.map((id) => event(id)),
          )
        ).accepted,
      ).toEqual(ids);
      expect(await store.writeEvents('ten', [event('line\nbreak'), event('line'), event('new\n')])).toEqual({
        accepted: ['new\n'],
        duplicates: ['line\nbreak', 'line'],
        rejected: [],
      });
      expect(await count(store, 'ten')).toBe(6);
    } finally {
      await store.close();
    }
  });
});
