import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverySummaryResponse } from '#lib/contracts/delivery-analytics.ts';
import { type LocalStack, readProblem, startLocalStack } from '../support/local-stack.ts';

let stack: LocalStack;
const day = new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000 - 86_400_000);
const at = (hhmmss: string) => `${day.toISOString().slice(0, 10)}T${hhmmss}Z`;
const from = at('10:00:00');
const to = at('11:00:00');

beforeAll(async () => {
  stack = await startLocalStack();
  const m = (id: string, time: string, extra: Record<string, unknown>) => ({
    id,
    time: at(time),
    type: 'message',
    ...extra,
  });
  const events = [
    m('d1', '10:00:00.100', { status: 'DELIVERED', accountId: 'A', latencyMs: 100, cost: '0.006500' }),
    m('d2', '10:00:00.500', { status: 'DELIVERED', accountId: 'A', latencyMs: 200, cost: '0.006500' }),
    m('d3', '10:00:00.900', { status: 'DELIVERED', accountId: 'B', latencyMs: 300, cost: '0.006500' }),
    m('f1', '10:10:00', { status: 'FAILED', accountId: 'C', latencyMs: 400, cost: '0.001000' }),
    m('u1', '10:20:00', { status: 'UNDELIVERABLE', accountId: 'C', latencyMs: 500 }),
    m('p1', '10:30:00', { status: 'PENDING', accountId: 'D' }),
    m('n1', '10:40:00', { accountId: 'D', latencyMs: 600 }),
    // outside the window: `to` is exclusive, `from` inclusive
    m('o1', '11:00:00', { status: 'DELIVERED', accountId: 'E', latencyMs: 1, cost: '9.000000' }),
    m('o2', '09:59:59.999', { status: 'DELIVERED', accountId: 'E', latencyMs: 1, cost: '9.000000' }),
    // not a message: never counted by delivery analytics
    {
      id: 'api1',
      time: at('10:05:00'),
      type: 'api.request',
      accountId: 'F',
      statusCode: 500,
      latencyMs: 9999,
    },
  ];
  await stack.ingest(events);
});
afterAll(() => stack.close());

const summary = (query: string, key = stack.tenant.keys.platform) =>
  stack.request(`/v1/internal/analytics/summary${query}`, { key });

describe('GET /v1/internal/analytics/summary', () => {
  it('computes every field from the events of the window', async () => {
    const response = await summary(`?from=${from}&to=${to}`);
    expect(response.status).toBe(200);
    const body = deliverySummaryResponse.parse(await response.json());
    expect(body).toEqual({
      window: { from, to },
      totalMessages: 7,
      deliveredMessages: 3,
      failedMessages: 2,
      pendingMessages: 2,
      deliveryRate: 0.4286,
      totalCost: '0.020500',
      activeAccounts: 4,
      peakTps: 3,
      avgLatencyMs: 350,
      p95LatencyMs: 575,
    });
  });

  it('answers zeros for a window without events', async () => {
    const body = deliverySummaryResponse.parse(
      await (await summary(`?from=${at('00:00:00')}&to=${at('01:00:00')}`)).json(),
    );
    expect(body).toMatchObject({
      totalMessages: 0,
      deliveryRate: 0,
      totalCost: '0.000000',
      peakTps: 0,
      p95LatencyMs: 0,
    });
  });

  it('defaults to today 00:00 UTC until now', async () => {
    const body = deliverySummaryResponse.parse(await (await summary('')).json());
    expect(body.window.from).toBe(`${new Date().toISOString().slice(0, 10)}T00:00:00Z`);
    expect(Date.parse(body.window.to)).toBeLessThanOrEqual(Date.now());
    expect(body.totalMessages).toBe(0);
  });

  it.each([
    ['from after to', `?from=${to}&to=${from}`],
    ['from equal to to', `?from=${from}&to=${from}`],
    ['a window over 90 days', '?from=2026-01-01T00:00:00Z&to=2026-06-01T00:00:00Z'],
  ])('answers INVALID_WINDOW for %s', async (_name, query) => {
    const response = await summary(query);
    const problem = await readProblem(response);
    expect(problem).toMatchObject({
      status: 400,
      code: 'INVALID_WINDOW',
      title: 'Invalid time window',
      detail: "'from' must be before 'to' and window must be ≤ 90 days",
      instance: '/v1/internal/analytics/summary',
    });
  });

  it.each([
    ['a date that is not a date', '?from=yesterday', 'from'],
    ['a time without a zone', '?from=2026-04-18T10:00:00', 'from'],
    ['an unknown granularity', '?granularity=weekly', 'granularity'],
    ['an unknown parameter', '?form=2026-04-18', 'form'],
  ])('names the parameter for %s', async (_name, query, parameter) => {
    const problem = await readProblem(await summary(query));
    expect(problem.status).toBe(400);
    expect(problem.detail).toContain(`'${parameter}'`);
  });

  it('needs a platform key', async () => {
    expect((await summary('', stack.tenant.keys.ingest)).status).toBe(403);
    expect((await stack.request('/v1/internal/analytics/summary')).status).toBe(401);
  });
});
