import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OverviewResponse, overviewResponse } from '#lib/contracts/usage-cost.ts';
import { type LocalStack, readProblem, startLocalStack } from '../support/local-stack.ts';
import { llm, NOW } from './usage-cost-fixture.ts';

/**
 * GET /v1/analytics/overview on the real local stack. NOW is fixed, so with range=24h the period
 * is [2026-11-14T12:30Z, NOW) and the previous one [2026-11-13T12:30Z, 2026-11-14T12:30Z).
 */
let stack: LocalStack;

const claude = { model: 'claude-sonnet', projectId: 'platform' };

const CURRENT = [
  llm('C1', '2026-11-14T12:30:00Z', {
    ...claude,
    inputTokens: 100,
    outputTokens: 20,
    cost: '1.5',
    latencyMs: 100,
  }),
  llm('C2', '2026-11-14T13:10:00Z', {
    ...claude,
    inputTokens: 100,
    outputTokens: 20,
    cost: '1.5',
    latencyMs: 200,
  }),
  llm('C3', '2026-11-14T20:00:00Z', {
    model: 'gpt-4o',
    projectId: 'bot',
    inputTokens: 50,
    outputTokens: 10,
    cost: '0.25',
    latencyMs: 300,
  }),
  llm('C4', '2026-11-15T01:00:00Z', {
    model: 'llama-3.1',
    projectId: 'commerce',
    cost: '0.05',
    latencyMs: 400,
  }),
  llm('C5', '2026-11-15T02:00:00Z', { model: 'gemini-pro', projectId: 'internal', cost: '0.2' }),
  llm('C6', '2026-11-15T03:00:00Z', { model: 'mistral-large', projectId: 'platform', cost: '0.1' }),
  llm('C7', '2026-11-15T06:00:00Z', { ...claude, cost: '0.000001' }),
  llm('C8', '2026-11-15T12:00:00Z', { ...claude, cost: '0.5', latencyMs: 600 }),
  { id: 'C9', time: '2026-11-15T12:29:59.999Z', type: 'api.request', statusCode: 200, latencyMs: 500 },
  // At NOW: after the period (to is exclusive).
  llm('X1', '2026-11-15T12:30:00Z', { ...claude, cost: '50' }),
];
const PREVIOUS = [
  llm('P1', '2026-11-13T12:30:00Z', {
    ...claude,
    inputTokens: 100,
    outputTokens: 20,
    cost: '1',
    latencyMs: 100,
  }),
  llm('P2', '2026-11-14T00:00:00Z', { model: 'gpt-4o', inputTokens: 30, cost: '1', latencyMs: 200 }),
  { id: 'P3', time: '2026-11-14T12:29:59.999Z', type: 'api.request', statusCode: 503, latencyMs: 300 },
  // Just before the previous period.
  llm('P4', '2026-11-13T12:29:59.999Z', { ...claude, cost: '99' }),
];
// 16 more models and projects three weeks back: in the 30d period only.
const OLD = Array.from({ length: 16 }, (_, i) =>
  llm(`O${i}`, '2026-10-25T10:00:00Z', { model: `old-${i}`, projectId: `proj-${i}`, cost: '0.01' }),
);

beforeAll(async () => {
  stack = await startLocalStack({ clock: () => NOW });
  const events = [...CURRENT, ...PREVIOUS, ...OLD];
  await stack.ingest(events);
});
afterAll(() => stack.close());

async function overview(query = ''): Promise<OverviewResponse> {
  const response = await stack.request(`/v1/analytics/overview${query}`, { key: stack.tenant.keys.platform });
  expect(response.status, await response.clone().text()).toBe(200);
  return overviewResponse.parse(await response.json());
}

const hours = (from: string, count: number) =>
  Array.from({ length: count }, (_, i) =>
    new Date(Date.parse(from) + i * 3_600_000).toISOString().replace('.000Z', 'Z'),
  );

describe('GET /v1/analytics/overview', () => {
  it('compares the last 24 hours with the 24 before (the default range)', async () => {
    const body = await overview();
    expect(body.range).toBe('24h');
    expect(body.window).toEqual({ from: '2026-11-14T12:30:00Z', to: '2026-11-15T12:30:00Z' });
    expect(body.previous_window).toEqual({ from: '2026-11-13T12:30:00Z', to: '2026-11-14T12:30:00Z' });
    expect(body.kpis).toEqual({
      requests: { value: 9, previous_value: 3, change_pct: 200 },
      tokens: { value: 300, previous_value: 150, change_pct: 100 },
      // 4.100001 against 2: +105.00005 % → 105.0
      cost: { value: 4.100001, previous_value: 2, change_pct: 105 },
      // p99 of 100…600 (6 values) = 595; of 100, 200, 300 = 298; +99.66 % → 99.7
      latency_p99: { value: 595, previous_value: 298, change_pct: 99.7 },
    });
  });

  it('zero-fills one bucket per UTC hour the period touches; the buckets sum to the requests KPI', async () => {
    const body = await overview('?range=24h');
    expect(body.request_volume.granularity).toBe('hour');
    const starts = hours('2026-11-14T12:00:00Z', 25);
    const counts: Record<string, number> = {
      '2026-11-14T12:00:00Z': 1, // C1 at 12:30:00, the period's first instant
      '2026-11-14T13:00:00Z': 1,
      '2026-11-14T20:00:00Z': 1,
      '2026-11-15T01:00:00Z': 1,
      '2026-11-15T02:00:00Z': 1,
      '2026-11-15T03:00:00Z': 1,
      '2026-11-15T06:00:00Z': 1,
      '2026-11-15T12:00:00Z': 2, // C8 and C9, not X1 at NOW
    };
    expect(body.request_volume.buckets).toEqual(
      starts.map((start) => ({ start, requests: counts[start] ?? 0 })),
    );
    expect(body.request_volume.buckets.reduce((sum, b) => sum + b.requests, 0)).toBe(
      body.kpis.requests.value,
    );
  });

  it('ranks the top 4 models by share of requests, then "other"', async () => {
    const body = await overview();
    expect(body.top_models).toEqual([
      { model: 'claude-sonnet', requests: 4, share_pct: 50, is_other: false },
      { model: 'gemini-pro', requests: 1, share_pct: 12.5, is_other: false },
      { model: 'gpt-4o', requests: 1, share_pct: 12.5, is_other: false },
      { model: 'llama-3.1', requests: 1, share_pct: 12.5, is_other: false },
      { model: 'other', requests: 1, share_pct: 12.5, is_other: true }, // mistral-large
    ]);
  });

  it('lists cost by project, costliest first', async () => {
    const body = await overview();
    expect(body.cost_by_project).toEqual([
      { project: 'platform', cost: 3.600001, requests: 5 },
      { project: 'bot', cost: 0.25, requests: 1 },
      { project: 'internal', cost: 0.2, requests: 1 },
      { project: 'commerce', cost: 0.05, requests: 1 },
      { project: null, cost: 0, requests: 1 },
    ]);
  });

  it('uses daily buckets for 7d, and a null change when the previous period is empty', async () => {
    const body = await overview('?range=7d');
    expect(body.kpis.requests).toEqual({ value: 13, previous_value: 0, change_pct: null });
    expect(body.kpis.latency_p99).toMatchObject({ previous_value: null, change_pct: null });
    expect(body.request_volume).toEqual({
      granularity: 'day',
      buckets: [
        ...['08', '09', '10', '11', '12'].map((d) => ({ start: `2026-11-${d}T00:00:00Z`, requests: 0 })),
        { start: '2026-11-13T00:00:00Z', requests: 2 },
        { start: '2026-11-14T00:00:00Z', requests: 5 },
        { start: '2026-11-15T00:00:00Z', requests: 6 },
      ],
    });
  });

  it('keeps shares summing to 100 within rounding over many models (30d)', async () => {
    const body = await overview('?range=30d');
    expect(body.request_volume.buckets).toHaveLength(31);
    expect(body.top_models).toHaveLength(5);
    const total = body.top_models.reduce((sum, m) => sum + m.share_pct, 0);
    expect(Math.abs(total - 100)).toBeLessThanOrEqual(0.5);
    expect(body.top_models.reduce((sum, m) => sum + m.requests, 0)).toBe(13 + 16 - 2); // the two api.requests have no model
    expect(body.cost_by_project).toHaveLength(16 + 5);
  });

  it('runs five queries whatever the number of models and projects', async () => {
    stack.queries.count = 0;
    const few = await overview('?range=24h');
    expect(stack.queries.count).toBe(5);
    stack.queries.count = 0;
    const many = await overview('?range=30d');
    expect(stack.queries.count).toBe(5);
    expect([few.cost_by_project.length, many.cost_by_project.length]).toEqual([5, 21]);
  });

  it.each([
    ['range=1h', '?range=1h', 'range'],
    ['range=2y', '?range=2y', 'range'],
    ['an unknown parameter', '?from=2026-11-01', 'from'],
  ])('answers 400 naming the parameter for %s', async (_name, query, parameter) => {
    const problem = await readProblem(
      await stack.request(`/v1/analytics/overview${query}`, { key: stack.tenant.keys.platform }),
    );
    expect(problem).toMatchObject({ status: 400 });
    expect(problem.detail).toContain(`'${parameter}'`);
  });
});
