import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UsageEvent } from '#lib/domain/events.ts';
import type { QuerySpec } from '#lib/query/spec.ts';
import {
  DuckDbFileLockedError,
  DuckDbTimeSeriesStore,
  INVALID_EVENT,
} from '#lib/stores/duckdb/duckdb-time-series-store.ts';

const DAY = new Date('2026-04-18T00:00:00.000Z');
const NEXT_DAY = new Date('2026-04-19T00:00:00.000Z');
const window = { from: DAY, to: NEXT_DAY };
const at = (iso: string) => new Date(`2026-04-18T${iso}Z`);

let store: DuckDbTimeSeriesStore;
let tenantSeq = 0;
/** A fresh tenant per test: one in-memory store serves the whole file. */
const newTenant = () => `tenant-${++tenantSeq}`;

beforeAll(async () => {
  store = await DuckDbTimeSeriesStore.open({ path: ':memory:' });
});
afterAll(async () => {
  await store.close();
});

describe('DuckDbTimeSeriesStore queries (hand-computed answers)', () => {
  const messages: UsageEvent[] = [
    {
      id: 'm1',
      time: at('00:00:00.100'),
      type: 'message',
      operatorId: 'op-a',
      accountId: 'a1',
      status: 'DELIVERED',
      latencyMs: 1000,
      cost: 6500n,
      segments: 1,
    },
    {
      id: 'm2',
      time: at('00:00:00.200'),
      type: 'message',
      operatorId: 'op-a',
      accountId: 'a2',
      status: 'DELIVERED',
      latencyMs: 2000,
      cost: 6500n,
      segments: 2,
    },
    {
      id: 'm3',
      time: at('00:00:00.900'),
      type: 'message',
      operatorId: 'op-b',
      accountId: 'a1',
      status: 'FAILED',
      latencyMs: 3000,
      cost: 1000n,
      segments: 1,
    },
    {
      id: 'm4',
      time: at('00:00:01.000'),
      type: 'message',
      operatorId: 'op-b',
      accountId: 'a3',
      status: 'PENDING',
      latencyMs: 4000,
      segments: 1,
    },
    {
      id: 'm5',
      time: at('01:10:00.000'),
      type: 'message',
      operatorId: 'op-a',
      status: 'UNDELIVERABLE',
      latencyMs: 5000,
      cost: 0n,
    },
    // Outside the window (its end is exclusive) or of another type: never counted.
    { id: 'm6', time: NEXT_DAY, type: 'message', operatorId: 'op-a', status: 'DELIVERED', cost: 999n },
    { id: 'm7', time: new Date(DAY.getTime() - 1), type: 'message', operatorId: 'op-a', status: 'DELIVERED' },
    { id: 'r1', time: at('00:00:00.300'), type: 'api.request', operatorId: 'op-a', statusCode: 200 },
  ];
  let tenant: string;

  beforeAll(async () => {
    tenant = newTenant();
    const outcome = await store.writeEvents(tenant, messages);
    expect(outcome.accepted).toHaveLength(messages.length);
    // The same ids in another tenant must not leak into this one's answers.
    await store.writeEvents(newTenant(), messages);
  });

  it('answers the delivery summary: counts by status, rate inputs, exact cost, accounts, peak TPS, latency', async () => {
    const rows = await store.query({
      tenantId: tenant,
      window,
      types: ['message'],
      measures: [
        { as: 'total', kind: 'count' },
        { as: 'delivered', kind: 'count', where: { dimension: 'status', op: 'eq', value: 'DELIVERED' } },
        { as: 'failed', kind: 'count', where: { outcome: 'failed' } },
        { as: 'pending', kind: 'count', where: { dimension: 'status', op: 'eq', value: 'PENDING' } },
        { as: 'totalCost', kind: 'sum', field: 'cost' },
        { as: 'segments', kind: 'sum', field: 'segments' },
        { as: 'activeAccounts', kind: 'distinctCount', dimension: 'accountId' },
        { as: 'peakTps', kind: 'peakRate', per: 'second' },
        { as: 'avgLatencyMs', kind: 'avg', field: 'latencyMs' },
        { as: 'p95LatencyMs', kind: 'percentile', field: 'latencyMs', p: 0.95 },
        { as: 'lastAt', kind: 'lastTime' },
      ],
    });
    expect(rows).toEqual([
      {
        total: 5,
        delivered: 2,
        failed: 2, // FAILED and UNDELIVERABLE
        pending: 1,
        totalCost: 14_000n,
        segments: 5n,
        activeAccounts: 3,
        peakTps: 3, // m1, m2, m3 in 00:00:00
        avgLatencyMs: 3000,
        p95LatencyMs: 4800, // rank 4 × 0.95 = 3.8 → 4000 + 0.8 × 1000
        lastAt: at('01:10:00.000'),
      },
    ]);
  });

  it('groups by operator and hour, ordered by a measure, bucket and dimension as tie-breakers', async () => {
    const rows = await store.query({
      tenantId: tenant,
      window,
      types: ['message'],
      groupBy: ['operatorId'],
      bin: 'hour',
      measures: [
        { as: 'sent', kind: 'count' },
        { as: 'failed', kind: 'count', where: { outcome: 'failed' } },
        { as: 'cost', kind: 'sum', field: 'cost' },
      ],
      orderBy: [{ key: 'sent', direction: 'desc' }],
    });
    expect(rows).toEqual([
      { operatorId: 'op-a', bucket: DAY, sent: 2, failed: 0, cost: 13_000n },
      { operatorId: 'op-b', bucket: DAY, sent: 2, failed: 1, cost: 1000n },
      { operatorId: 'op-a', bucket: at('01:00:00.000'), sent: 1, failed: 1, cost: 0n },
    ]);
  });

  it('pages with limit and offset over a stable order', async () => {
    const spec: QuerySpec = {
      tenantId: tenant,
      window,
      types: ['message'],
      groupBy: ['accountId'],
      measures: [{ as: 'sent', kind: 'count' }],
    };
    const all = await store.query(spec);
    expect(all).toEqual([
      { accountId: 'a1', sent: 2 },
      { accountId: 'a2', sent: 1 },
      { accountId: 'a3', sent: 1 },
      { accountId: null, sent: 1 },
    ]);
    expect(await store.query({ ...spec, limit: 2 })).toEqual(all.slice(0, 2));
    expect(await store.query({ ...spec, limit: 2, offset: 2 })).toEqual(all.slice(2, 4));
    expect(await store.query({ ...spec, offset: 3 })).toEqual(all.slice(3));
  });

  it('answers one row of zeros and nulls for an empty window', async () => {
    const rows = await store.query({
      tenantId: tenant,
      window: { from: new Date('2020-01-01T00:00:00Z'), to: new Date('2020-01-02T00:00:00Z') },
      measures: [
        { as: 'n', kind: 'count' },
        { as: 'cost', kind: 'sum', field: 'cost' },
        { as: 'latency', kind: 'sum', field: 'latencyMs' },
        { as: 'avg', kind: 'avg', field: 'latencyMs' },
        { as: 'peak', kind: 'peakRate', per: 'minute' },
        { as: 'last', kind: 'lastTime' },
      ],
    });
    expect(rows).toEqual([{ n: 0, cost: 0n, latency: 0, avg: null, peak: 0, last: null }]);
  });
});

describe('developer usage and usage-cost shapes', () => {
  let tenant: string;
  const requests: UsageEvent[] = [
    // 10:00 minute: 3 calls, 10:01: 1 call, 11:30: 2 calls.
    {
      id: 'q1',
      time: at('10:00:05.000'),
      type: 'api.request',
      endpoint: '/v1/sms',
      method: 'POST',
      statusCode: 200,
      apiKeyId: 'k1',
      latencyMs: 100,
    },
    {
      id: 'q2',
      time: at('10:00:30.000'),
      type: 'api.request',
      endpoint: '/v1/sms',
      method: 'POST',
      statusCode: 429,
      apiKeyId: 'k1',
      latencyMs: 40,
    },
    {
      id: 'q3',
      time: at('10:00:59.999'),
      type: 'api.request',
      endpoint: '/v1/status',
      method: 'GET',
      statusCode: 200,
      apiKeyId: 'k2',
      latencyMs: 20,
    },
    {
      id: 'q4',
      time: at('10:01:00.000'),
      type: 'api.request',
      endpoint: '/v1/sms',
      method: 'POST',
      statusCode: 500,
      apiKeyId: 'k2',
      latencyMs: 900,
    },
    {
      id: 'q5',
      time: at('11:30:00.000'),
      type: 'api.request',
      endpoint: '/v1/status',
      method: 'GET',
      statusCode: 200,
      apiKeyId: 'k1',
      latencyMs: 30,
    },
    {
      id: 'q6',
      time: at('11:30:10.000'),
      type: 'api.request',
      endpoint: '/v1/status',
      method: 'GET',
      statusCode: 404,
      apiKeyId: 'k1',
      latencyMs: 10,
    },
    {
      id: 'l1',
      time: at('12:00:00.000'),
      type: 'llm.request',
      model: 'claude',
      projectId: 'p1',
      inputTokens: 1000,
      outputTokens: 250,
      cost: 854_250_000n,
      latencyMs: 300,
    },
    {
      id: 'l2',
      time: at('13:00:00.000'),
      type: 'llm.request',
      model: 'claude',
      projectId: 'p2',
      inputTokens: 2000,
      outputTokens: 500,
      cost: 1_000_001n,
      latencyMs: 100,
    },
    {
      id: 'l3',
      time: at('14:00:00.000'),
      type: 'llm.request',
      model: 'gpt-4o',
      projectId: 'p1',
      inputTokens: 10,
      outputTokens: 5,
      cost: 3n,
      latencyMs: 200,
    },
  ];

  beforeAll(async () => {
    tenant = newTenant();
    await store.writeEvents(tenant, requests);
  });

  it('finds per-minute and per-hour peaks, errors and peak latency', async () => {
    const rows = await store.query({
      tenantId: tenant,
      window,
      types: ['api.request'],
      measures: [
        { as: 'requests', kind: 'count' },
        { as: 'errors', kind: 'count', where: { dimension: 'statusCode', op: 'gte', value: 400 } },
        { as: 'peakPerMinute', kind: 'peakRate', per: 'minute' },
        { as: 'peakPerHour', kind: 'peakRate', per: 'hour' },
        { as: 'peakLatency', kind: 'max', field: 'latencyMs' },
      ],
    });
    expect(rows).toEqual([{ requests: 6, errors: 3, peakPerMinute: 3, peakPerHour: 4, peakLatency: 900 }]);
  });

  it('breaks down by endpoint and method with in-filters, and by status code as numbers', async () => {
    const byEndpoint = await store.query({
      tenantId: tenant,
      window,
      filters: [{ dimension: 'apiKeyId', op: 'in', values: ['k1', 'k2'] }],
      groupBy: ['endpoint', 'method'],
      measures: [
        { as: 'calls', kind: 'count' },
        { as: 'peakPerMinute', kind: 'peakRate', per: 'minute' },
      ],
      types: ['api.request'],
    });
    expect(byEndpoint).toEqual([
      { endpoint: '/v1/sms', method: 'POST', calls: 3, peakPerMinute: 2 },
      { endpoint: '/v1/status', method: 'GET', calls: 3, peakPerMinute: 2 },
    ]);

    const byStatus = await store.query({
      tenantId: tenant,
      window,
      types: ['api.request'],
      filters: [{ dimension: 'statusCode', op: 'lt', value: 500 }],
      groupBy: ['statusCode'],
      measures: [{ as: 'calls', kind: 'count' }],
      orderBy: [{ key: 'statusCode', direction: 'desc' }],
    });
    expect(byStatus).toEqual([
      { statusCode: 429, calls: 1 },
      { statusCode: 404, calls: 1 },
      { statusCode: 200, calls: 3 },
    ]);
  });

  it('answers usage-cost by model: tokens and cost exact, p50/p99 interpolated', async () => {
    const rows = await store.query({
      tenantId: tenant,
      window,
      groupBy: ['model'],
      filters: [{ dimension: 'model', op: 'present' }],
      measures: [
        { as: 'requests', kind: 'count' },
        { as: 'inputTokens', kind: 'sum', field: 'inputTokens' },
        { as: 'outputTokens', kind: 'sum', field: 'outputTokens' },
        { as: 'cost', kind: 'sum', field: 'cost' },
        { as: 'p50', kind: 'percentile', field: 'latencyMs', p: 0.5 },
        { as: 'p99', kind: 'percentile', field: 'latencyMs', p: 0.99 },
      ],
      orderBy: [{ key: 'cost', direction: 'desc' }],
    });
    expect(rows).toEqual([
      {
        model: 'claude',
        requests: 2,
        inputTokens: 3000n,
        outputTokens: 750n,
        cost: 855_250_001n,
        p50: 200,
        p99: 298,
      },
      { model: 'gpt-4o', requests: 1, inputTokens: 10n, outputTokens: 5n, cost: 3n, p50: 200, p99: 200 },
    ]);
  });

  it('bins by 5 minutes, ISO week (Monday) and month in UTC', async () => {
    const fiveMinutes = await store.query({
      tenantId: tenant,
      window,
      types: ['api.request'],
      bin: '5m',
      measures: [{ as: 'n', kind: 'count' }],
    });
    expect(fiveMinutes).toEqual([
      { bucket: at('10:00:00.000'), n: 4 },
      { bucket: at('11:30:00.000'), n: 2 },
    ]);
    const week = await store.query({
      tenantId: tenant,
      window,
      bin: 'week',
      measures: [{ as: 'n', kind: 'count' }],
    });
    // 2026-04-18 is a Saturday; its ISO week starts on Monday 2026-04-13.
    expect(week).toEqual([{ bucket: new Date('2026-04-13T00:00:00.000Z'), n: 9 }]);
    const month = await store.query({
      tenantId: tenant,
      window,
      bin: 'month',
      measures: [{ as: 'n', kind: 'count' }],
    });
    expect(month).toEqual([{ bucket: new Date('2026-04-01T00:00:00.000Z'), n: 9 }]);
  });
});

describe('exactly-once writes', () => {
  const event = (id: string, extra: Partial<UsageEvent> = {}): UsageEvent => ({
    id,
    time: at('08:00:00.000'),
    type: 'api.request',
    ...extra,
  });
  const countOf = async (tenantId: string) => {
    const [row] = await store.query({ tenantId, window, measures: [{ as: 'n', kind: 'count' }] });
    return row?.n;
  };

  it('stores an id once across calls and reports the repeat as a duplicate', async () => {
    const tenant = newTenant();
    expect(await store.writeEvents(tenant, [event('a'), event('b')])).toEqual({
      accepted: ['a', 'b'],
      duplicates: [],
      rejected: [],
    });
    expect(await store.writeEvents(tenant, [event('b'), event('c'), event('a', { bytes: 5 })])).toEqual({
      accepted: ['c'],
      duplicates: ['b', 'a'],
      rejected: [],
    });
    expect(await countOf(tenant)).toBe(3);
  });

  it('stays exact when the stored-id filter is tiny and grows layer after layer', async () => {
    const small = await DuckDbTimeSeriesStore.open({ path: ':memory:', idFilterCapacity: 4 });
    try {
      const tenant = newTenant();
      const model = new Set<string>();
      for (let round = 0; round < 25; round++) {
        // Half new ids, half ids from earlier rounds.
        const ids = Array.from({ length: 8 }, (_, i) => `id-${round * 4 + i}`);
        const outcome = await small.writeEvents(
          tenant,
          ids.map((id) => event(id)),
        );
        expect(outcome.accepted).toEqual(ids.filter((id) => !model.has(id)));
        expect(outcome.duplicates).toEqual(ids.filter((id) => model.has(id)));
        for (const id of ids) model.add(id);
      }
      const [row] = await small.query({ tenantId: tenant, window, measures: [{ as: 'n', kind: 'count' }] });
      expect(row?.n).toBe(model.size);
    } finally {
      await small.close();
    }
  });

  it('treats an id repeated within one call as a duplicate of the first', async () => {
    const tenant = newTenant();
    expect(await store.writeEvents(tenant, [event('x'), event('x')])).toEqual({
      accepted: ['x'],
      duplicates: ['x'],
      rejected: [],
    });
    expect(await countOf(tenant)).toBe(1);
  });

  it('keeps tenants apart: the same id in two tenants is two events', async () => {
    const [t1, t2] = [newTenant(), newTenant()];
    expect((await store.writeEvents(t1, [event('same')])).accepted).toEqual(['same']);
    expect((await store.writeEvents(t2, [event('same')])).accepted).toEqual(['same']);
    expect(await countOf(t1)).toBe(1);
    expect(await countOf(t2)).toBe(1);
  });

  it('serializes concurrent writes: two calls racing with the same ids store each once', async () => {
    const tenant = newTenant();
    const batch = Array.from({ length: 50 }, (_, i) => event(`race-${i}`));
    const [first, second] = await Promise.all([
      store.writeEvents(tenant, batch),
      store.writeEvents(tenant, [...batch].reverse()),
    ]);
    expect(first?.accepted.length).toBe(50);
    expect(second?.accepted).toEqual([]);
    expect(second?.duplicates.length).toBe(50);
    expect(await countOf(tenant)).toBe(50);
  });

  it('rejects events it cannot store, by id, and stores the rest', async () => {
    const tenant = newTenant();
    const outcome = await store.writeEvents(tenant, [
      event('ok'),
      event('bad-code', { statusCode: 200.5 }),
      event('bad-time', { time: new Date(Number.NaN) }),
    ]);
    expect(outcome.accepted).toEqual(['ok']);
    expect(outcome.rejected.map((r) => [r.id, r.code])).toEqual([
      ['bad-code', INVALID_EVENT],
      ['bad-time', INVALID_EVENT],
    ]);
    expect(await countOf(tenant)).toBe(1);
  });

  it('rolls a failed write back completely: nothing stored, nothing marked seen, the retry stores all', async () => {
    const path = ':memory:';
    let failNext = true;
    const faulty = await DuckDbTimeSeriesStore.open({
      path,
      faults: {
        beforeCommit: ({ ids }) => {
          if (failNext) {
            failNext = false;
            throw new Error(`injected failure after appending ${ids.length} events`);
          }
        },
      },
    });
    try {
      const tenant = newTenant();
      const batch = [event('r1'), event('r2'), event('r3', { cost: 10n })];
      await expect(faulty.writeEvents(tenant, batch)).rejects.toThrow(
        'injected failure after appending 3 events',
      );
      const [empty] = await faulty.query({
        tenantId: tenant,
        window,
        measures: [{ as: 'n', kind: 'count' }],
      });
      expect(empty?.n).toBe(0);

      expect(await faulty.writeEvents(tenant, batch)).toEqual({
        accepted: ['r1', 'r2', 'r3'],
        duplicates: [],
        rejected: [],
      });
      const [row] = await faulty.query({
        tenantId: tenant,
        window,
        measures: [
          { as: 'n', kind: 'count' },
          { as: 'cost', kind: 'sum', field: 'cost' },
        ],
      });
      expect(row).toEqual({ n: 3, cost: 10n });
    } finally {
      await faulty.close();
    }
  });
});

describe('escaping', () => {
  const hostile = [
    "O'Reilly",
    "x'; DROP TABLE events; --",
    'semi;colon -- dash',
    '"double" quotes',
    'back\\slash\\',
    'line\nbreak\ttab',
    'ünïcødé ✓ 🚀',
  ];

  it('stores SQL-looking dimension values verbatim and filters on them as literals', async () => {
    const tenant = newTenant();
    const events = hostile.map(
      (endpoint, i): UsageEvent => ({
        id: `h${i}`,
        time: at('09:00:00.000'),
        type: 'api.request',
        endpoint,
        model: endpoint,
      }),
    );
    expect((await store.writeEvents(tenant, events)).accepted).toHaveLength(hostile.length);

    const rows = await store.query({
      tenantId: tenant,
      window,
      groupBy: ['endpoint'],
      measures: [{ as: 'n', kind: 'count' }],
    });
    expect(rows.map((r) => r.endpoint).sort()).toEqual([...hostile].sort());

    for (const value of hostile) {
      const [row] = await store.query({
        tenantId: tenant,
        window,
        filters: [{ dimension: 'model', op: 'eq', value }],
        measures: [{ as: 'n', kind: 'count' }],
      });
      expect(row?.n).toBe(1);
    }
  });

  it('keeps a hostile tenant id a literal too', async () => {
    const tenant = "t' OR '1'='1";
    await store.writeEvents(tenant, [{ id: 'e', time: at('09:00:00.000'), type: 'api.request' }]);
    const [row] = await store.query({ tenantId: tenant, window, measures: [{ as: 'n', kind: 'count' }] });
    expect(row?.n).toBe(1);
  });
});

describe('the database file', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'meterhouse-duckdb-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps events across close and reopen, and refuses a second store on the same file in-process', async () => {
    const path = join(dir, 'reopen.duckdb');
    const first = await DuckDbTimeSeriesStore.open({ path });
    await first.writeEvents('t', [{ id: 'kept', time: at('07:00:00.000'), type: 'message', cost: 123n }]);
    await expect(DuckDbTimeSeriesStore.open({ path })).rejects.toBeInstanceOf(DuckDbFileLockedError);
    await first.close();

    const again = await DuckDbTimeSeriesStore.open({ path });
    try {
      expect(
        await again.writeEvents('t', [{ id: 'kept', time: at('07:00:00.000'), type: 'message' }]),
      ).toEqual({
        accepted: [],
        duplicates: ['kept'],
        rejected: [],
      });
      const [row] = await again.query({
        tenantId: 't',
        window,
        measures: [{ as: 'cost', kind: 'sum', field: 'cost' }],
      });
      expect(row?.cost).toBe(123n);
    } finally {
      await again.close();
    }
  });

  it('rebuilds its stored-id filter on reopen from every range of rows: each stored id is a duplicate again, in any tenant', async () => {
    const path = join(dir, 'rebuild.duckdb');
    const tenants = ['ten_a', 'ten_b', 'ten_c'];
    // Ids a validated event never has still count: newlines (read one by one), SQL quotes, unicode.
    const idsOf = (tenant: string) => [
      ...Array.from({ length: 120 }, (_, i) => `${tenant}-evt-${i}`),
      'line\nbreak',
      "it's",
      'ünïcødé-𝄞',
    ];
    const event = (id: string, minute: number): UsageEvent => ({
      id,
      time: at(`08:${String(minute % 60).padStart(2, '0')}:00.000`),
      type: 'message',
      cost: 1n,
    });
    const first = await DuckDbTimeSeriesStore.open({ path });
    // Tenants interleave in small writes, so a run of rows holds several tenants.
    for (let start = 0; start < 123; start += 10)
      for (const tenant of tenants)
        await first.writeEvents(
          tenant,
          idsOf(tenant)
            .slice(start, start + 10)
            .map((id, i) => event(id, start + i)),
        );
    await first.close();

    // A range of 7 rows makes the rebuild read many ranges, as a file of millions of events does.
    const again = await DuckDbTimeSeriesStore.open({ path, idRebuildRangeRows: 7 });
    try {
      for (const tenant of tenants) {
        const ids = idsOf(tenant);
        const outcome = await again.writeEvents(tenant, [
          ...ids.map((id, i) => event(id, i)),
          event(`${tenant}-new`, 0),
        ]);
        expect(outcome.accepted).toEqual([`${tenant}-new`]);
        expect(outcome.duplicates).toEqual(ids);
      }
      const [row] = await again.query({
        tenantId: 'ten_b',
        window,
        measures: [{ as: 'events', kind: 'count' }],
      });
      expect(row?.events).toBe(124);
    } finally {
      await again.close();
    }
  });

  it('says clearly that another Meterhouse process holds the file', async () => {
    const path = join(dir, 'locked.duckdb');
    const holder = spawn(
      process.execPath,
      [fileURLToPath(new URL('../support/duckdb-file-holder.ts', import.meta.url)), path],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    const exited = new Promise<number | null>((resolve) => holder.on('exit', resolve));
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout.on('data', (chunk: Buffer) => {
          if (chunk.toString().includes('ready')) resolve();
        });
        holder.on('exit', (code) => reject(new Error(`holder exited early with ${code}`)));
      });
      const error = await DuckDbTimeSeriesStore.open({ path }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(DuckDbFileLockedError);
      expect((error as Error).message).toContain(path);
      expect((error as Error).message).toMatch(/another Meterhouse process \(e\.g\. `npm start`\)/i);
    } finally {
      holder.stdin.end();
      expect(await exited).toBe(0);
    }
  });
});

describe('ping and close', () => {
  it('pings while open, finishes a write queued before close, and refuses work once closed', async () => {
    const own = await DuckDbTimeSeriesStore.open({ path: ':memory:' });
    await expect(own.ping()).resolves.toBeUndefined();
    const queued = own.writeEvents('t', [{ id: 'last', time: at('06:00:00.000'), type: 'message' }]);
    await own.close();
    await expect(queued).resolves.toEqual({ accepted: ['last'], duplicates: [], rejected: [] });
    await own.close(); // idempotent
    await expect(own.ping()).rejects.toThrow(/closed/);
    await expect(own.writeEvents('t', [])).rejects.toThrow(/closed/);
  });
});
