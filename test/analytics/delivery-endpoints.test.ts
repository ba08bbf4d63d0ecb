import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accountUsageResponse,
  deliveryBreakdownResponse,
  operatorPerformanceResponse,
  throughputResponse,
} from '#lib/contracts/delivery-analytics.ts';
import { MESSAGE_STATUSES } from '#lib/domain/events.ts';
import { createApiKey } from '#lib/domain/tenants.ts';
import { type LocalStack, readProblem, startLocalStack } from '../support/local-stack.ts';

/**
 * The delivery-analytics endpoints besides the summary, on hand-made `message` events whose every
 * answer is worked out by hand below. The clock is fixed at 15:30 UTC on day D (yesterday), so the
 * defaults ("today", "the last hour") are exact too.
 */
const DAY_MS = 86_400_000;
const D = new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS - DAY_MS);
const day = (offset: number) => new Date(D.getTime() + offset * DAY_MS).toISOString().slice(0, 10);
const at = (hhmmss: string, offset = 0) => `${day(offset)}T${hhmmss}Z`;
const NOW = new Date(at('15:30:00'));

let stack: LocalStack;
let acct1Key: string;

const m = (id: string, time: string, extra: Record<string, unknown>) => ({
  id,
  time,
  type: 'message',
  ...extra,
});
/** Window W = [10:00, 12:00) of day D. */
const W = `from=${at('10:00:00')}&to=${at('12:00:00')}`;
const events = [
  // opA: 3 messages in the second 10:00:00, latencies 100/300/500/700, PENDING without latency
  m('a1', at('10:00:00.100'), {
    operatorId: 'opA',
    accountId: 'acct1',
    status: 'DELIVERED',
    latencyMs: 100,
    cost: '0.006500',
    segments: 1,
  }),
  m('a2', at('10:00:00.600'), {
    operatorId: 'opA',
    accountId: 'acct1',
    status: 'DELIVERED',
    latencyMs: 300,
    cost: '0.006500',
    segments: 2,
  }),
  m('a3', at('10:00:00.900'), {
    operatorId: 'opA',
    accountId: 'acct2',
    status: 'FAILED',
    latencyMs: 500,
    cost: '0.001000',
    segments: 1,
  }),
  m('a4', at('10:07:30'), {
    operatorId: 'opA',
    accountId: 'acct2',
    status: 'UNDELIVERABLE',
    latencyMs: 700,
    segments: 1,
  }),
  m('a5', at('10:59:59.999'), {
    operatorId: 'opA',
    accountId: 'acct1',
    status: 'PENDING',
    cost: '0.000001',
    segments: 3,
  }),
  // opB: 2 in the second 11:00:00; one without status, one with an interim status (both pending)
  m('b1', at('11:00:00'), {
    operatorId: 'opB',
    accountId: 'acct2',
    status: 'DELIVERED',
    latencyMs: 1000,
    cost: '0.010000',
    segments: 2,
  }),
  m('b2', at('11:00:00.500'), {
    operatorId: 'opB',
    accountId: 'acct3',
    status: 'DELIVERED',
    latencyMs: 2000,
    cost: '0.010000',
    segments: 1,
  }),
  m('b3', at('11:30:00'), {
    operatorId: 'opB',
    accountId: 'acct3',
    latencyMs: 3000,
    cost: '0.003333',
    segments: 1,
  }),
  m('b4', at('11:59:59'), { operatorId: 'opB', accountId: 'acct3', status: 'SENT', cost: '0.000003' }),
  // a message without operator
  m('n1', at('10:30:00'), {
    accountId: 'acct3',
    status: 'DELIVERED',
    latencyMs: 400,
    cost: '0.002000',
    segments: 1,
  }),
  // opC: only just outside W (to exclusive, from inclusive)
  m('c1', at('12:00:00'), {
    operatorId: 'opC',
    accountId: 'acct1',
    status: 'DELIVERED',
    cost: '5.000000',
    segments: 1,
  }),
  m('c2', at('09:59:59.999'), {
    operatorId: 'opC',
    accountId: 'acct1',
    status: 'DELIVERED',
    cost: '0.000007',
  }),
  // the day before, and 10 minutes ahead of the clock
  m('old1', at('23:59:59', -1), {
    operatorId: 'opA',
    accountId: 'acct1',
    status: 'DELIVERED',
    cost: '0.100000',
    segments: 1,
  }),
  m('f1', at('15:40:00'), { operatorId: 'opB', accountId: 'acct2', status: 'DELIVERED', cost: '0.100000' }),
  // not messages: never read by delivery analytics
  {
    id: 'api1',
    time: at('10:15:00'),
    type: 'api.request',
    operatorId: 'opA',
    accountId: 'acct1',
    statusCode: 500,
    bytes: 1000,
  },
  {
    id: 'llm1',
    time: at('10:20:00'),
    type: 'llm.request',
    accountId: 'acct1',
    model: 'm1',
    inputTokens: 100,
    cost: '0.500000',
  },
];

beforeAll(async () => {
  stack = await startLocalStack({ clock: () => NOW });
  await stack.ingest(events);
  // opA is registered; opB is not (events may name operators nobody registered)
  const stamp = NOW.toISOString();
  const registered = {
    id: 'opA',
    version: 1,
    createdAt: stamp,
    updatedAt: stamp,
    name: 'Carrier Alpha UK',
    status: 'active',
  } as const;
  expect(await stack.stores.runtime.registry.operators.create(stack.tenant.tenantId, registered)).toBe(true);
  acct1Key = (
    await createApiKey(
      stack.stores.runtime,
      { tenantId: stack.tenant.tenantId, role: 'account', accountId: 'acct1' },
      NOW,
    )
  ).key;
});
afterAll(() => stack?.close());

const get = async (path: string, key = stack.tenant.keys.platform) => {
  const response = await stack.request(path, { key });
  return { response, body: (await response.clone().json()) as unknown };
};
const performance = (operatorId: string, query = W) =>
  get(`/v1/internal/analytics/operators/${encodeURIComponent(operatorId)}/performance?${query}`);
const usage = (accountId: string, query = W, key?: string) =>
  get(`/v1/internal/analytics/accounts/${encodeURIComponent(accountId)}/usage?${query}`, key);
const throughput = (query: string) => get(`/v1/internal/analytics/throughput${query ? `?${query}` : ''}`);
const breakdown = (query = W) => get(`/v1/internal/analytics/delivery-breakdown?${query}`);
const windowW = { from: at('10:00:00'), to: at('12:00:00') };

describe('GET /v1/internal/analytics/operators/{id}/performance', () => {
  it('computes every field of an operator in the window', async () => {
    const { response, body } = await performance('opA');
    expect(response.status).toBe(200);
    expect(operatorPerformanceResponse.parse(body)).toEqual({
      operatorId: 'opA',
      window: windowW,
      totalMessages: 5,
      deliveredMessages: 2,
      failedMessages: 2, // FAILED + UNDELIVERABLE
      deliveryRate: 0.4,
      avgLatencyMs: 400, // (100+300+500+700)/4; a5 has no latency
      p95LatencyMs: 670, // rank 3·0.95 = 2.85 between 500 and 700
      errorRate: 0.4,
      peakTps: 3, // a1, a2, a3 in 10:00:00
      totalCost: '0.014001',
    });
    expect(operatorPerformanceResponse.parse((await performance('opB')).body)).toEqual({
      operatorId: 'opB',
      window: windowW,
      totalMessages: 4,
      deliveredMessages: 2,
      failedMessages: 0,
      deliveryRate: 0.5,
      avgLatencyMs: 2000,
      p95LatencyMs: 2900,
      errorRate: 0,
      peakTps: 2,
      totalCost: '0.023336',
    });
  });

  it('answers 404 OPERATOR_NOT_FOUND for an operator without messages in the window', async () => {
    for (const id of ['opC', 'nope']) {
      const problem = await readProblem((await performance(id)).response);
      expect(problem).toMatchObject({ status: 404, code: 'OPERATOR_NOT_FOUND', parameter: 'id' });
      expect(problem.detail).toContain(`'${id}'`);
    }
    const { body } = await performance('opC', `from=${at('09:00:00')}&to=${at('13:00:00')}`);
    expect(operatorPerformanceResponse.parse(body)).toMatchObject({
      totalMessages: 2,
      totalCost: '5.000007',
      peakTps: 1,
    });
  });

  it('takes an id with reserved characters, and costs one query', async () => {
    stack.queries.count = 0;
    expect((await performance('op/with space?')).response.status).toBe(404);
    expect(stack.queries.count).toBe(1);
  });
});

describe('GET /v1/internal/analytics/accounts/{id}/usage', () => {
  it('computes every field, with one zero-filled row per UTC day', async () => {
    const { response, body } = await usage('acct1');
    expect(response.status).toBe(200);
    expect(accountUsageResponse.parse(body)).toEqual({
      accountId: 'acct1',
      window: windowW,
      messagesSent: 3,
      messagesDelivered: 2,
      messagesFailed: 0,
      deliveryRate: 0.6667,
      totalCost: '0.013001',
      avgCostPerMessage: '0.004334', // 13001 / 3 = 4333.67 micros
      segments: 6,
      dailyBreakdown: [{ date: day(0), sent: 3, delivered: 2, failed: 0, cost: '0.013001' }],
    });
    expect(accountUsageResponse.parse((await usage('acct3')).body)).toMatchObject({
      messagesSent: 4,
      messagesDelivered: 2,
      messagesFailed: 0,
      deliveryRate: 0.5,
      totalCost: '0.015336',
      avgCostPerMessage: '0.003834',
      segments: 3, // b4 has none
    });
  });

  it('lists every day the window touches, days without messages as zeros', async () => {
    const { body } = await usage('acct1', `from=${at('12:00:00', -2)}&to=${at('11:00:00')}`);
    const parsed = accountUsageResponse.parse(body);
    expect(parsed.dailyBreakdown).toEqual([
      { date: day(-2), sent: 0, delivered: 0, failed: 0, cost: '0.000000' },
      { date: day(-1), sent: 1, delivered: 1, failed: 0, cost: '0.100000' },
      { date: day(0), sent: 4, delivered: 3, failed: 0, cost: '0.013008' }, // a1, a2, a5, c2
    ]);
    expect(parsed).toMatchObject({ messagesSent: 5, totalCost: '0.113008', avgCostPerMessage: '0.022602' });
  });

  it('breaks down per UTC hour with granularity=hourly', async () => {
    const { body } = await usage('acct2', `${W}&granularity=hourly`);
    expect(accountUsageResponse.parse(body)).toMatchObject({
      messagesSent: 3,
      messagesDelivered: 1,
      messagesFailed: 2,
      deliveryRate: 0.3333,
      totalCost: '0.011000',
      avgCostPerMessage: '0.003667',
      segments: 4,
      dailyBreakdown: [
        { date: at('10:00:00'), sent: 2, delivered: 0, failed: 2, cost: '0.001000' },
        { date: at('11:00:00'), sent: 1, delivered: 1, failed: 0, cost: '0.010000' },
      ],
    });
  });

  it('answers zeros for an account without messages', async () => {
    const { response, body } = await usage('acct9');
    expect(response.status).toBe(200);
    expect(accountUsageResponse.parse(body)).toEqual({
      accountId: 'acct9',
      window: windowW,
      messagesSent: 0,
      messagesDelivered: 0,
      messagesFailed: 0,
      deliveryRate: 0,
      totalCost: '0.000000',
      avgCostPerMessage: '0.000000',
      segments: 0,
      dailyBreakdown: [{ date: day(0), sent: 0, delivered: 0, failed: 0, cost: '0.000000' }],
    });
  });

  it('lets an account key read its own account only', async () => {
    const own = await usage('acct1', W, acct1Key);
    expect(own.response.status).toBe(200);
    expect(accountUsageResponse.parse(own.body).messagesSent).toBe(3);
    const other = await readProblem((await usage('acct2', W, acct1Key)).response);
    expect(other).toMatchObject({ status: 403, code: 'ACCOUNT_SCOPE' });
    expect((await usage('acct1', W, stack.tenant.keys.ingest)).response.status).toBe(403);
  });

  it('defaults to today 00:00 UTC until now', async () => {
    const { body } = await usage('acct2', '');
    expect(accountUsageResponse.parse(body)).toMatchObject({
      window: { from: at('00:00:00'), to: at('15:30:00') },
      messagesSent: 3, // f1 is ahead of the clock
    });
  });
});

describe('GET /v1/internal/analytics/throughput', () => {
  const series = async (query: string) => throughputResponse.parse((await throughput(query)).body).series;
  const nonZero = (rows: { at: string; tps: number; messages: number }[]) =>
    rows.filter((r) => r.messages > 0);

  it('answers every 5-minute bucket of the window, zeros included', async () => {
    const { body } = await throughput(W);
    const parsed = throughputResponse.parse(body);
    expect(parsed.resolution).toBe('5m');
    expect(parsed.series).toHaveLength(24);
    expect(parsed.series[0]).toEqual({ at: at('10:00:00'), tps: 0.01, messages: 3 });
    expect(parsed.series[1]).toEqual({ at: at('10:05:00'), tps: 0, messages: 1 });
    expect(parsed.series[23]?.at).toBe(at('11:55:00'));
    expect(nonZero(parsed.series).map((r) => [r.at, r.messages])).toEqual([
      [at('10:00:00'), 3],
      [at('10:05:00'), 1],
      [at('10:30:00'), 1],
      [at('10:55:00'), 1],
      [at('11:00:00'), 2],
      [at('11:30:00'), 1],
      [at('11:55:00'), 1],
    ]);
  });

  it('bins by the minute and by the hour, exactly', async () => {
    const minutes = await series(`${W}&resolution=1m`);
    expect(minutes).toHaveLength(120);
    expect(nonZero(minutes)).toEqual([
      { at: at('10:00:00'), tps: 0.05, messages: 3 },
      { at: at('10:07:00'), tps: 0.02, messages: 1 },
      { at: at('10:30:00'), tps: 0.02, messages: 1 },
      { at: at('10:59:00'), tps: 0.02, messages: 1 },
      { at: at('11:00:00'), tps: 0.03, messages: 2 },
      { at: at('11:30:00'), tps: 0.02, messages: 1 },
      { at: at('11:59:00'), tps: 0.02, messages: 1 },
    ]);
    expect(await series(`${W}&resolution=1h`)).toEqual([
      { at: at('10:00:00'), tps: 0, messages: 6 },
      { at: at('11:00:00'), tps: 0, messages: 4 },
    ]);
  });

  it('rates a partly covered bucket over the part inside the window', async () => {
    // [10:59:30, 11:00:30): 30 s of each minute; a5 in the first, b1 and b2 in the second
    expect(await series(`from=${at('10:59:30')}&to=${at('11:00:30')}&resolution=1m`)).toEqual([
      { at: at('10:59:00'), tps: 0.03, messages: 1 },
      { at: at('11:00:00'), tps: 0.07, messages: 2 },
    ]);
  });

  it('defaults to the last hour', async () => {
    const rows = await series('');
    expect(rows.map((r) => r.at)).toEqual(
      Array.from({ length: 12 }, (_, i) =>
        new Date(NOW.getTime() - 3_600_000 + i * 300_000).toISOString().replace('.000Z', 'Z'),
      ),
    );
    expect(rows.every((r) => r.messages === 0 && r.tps === 0)).toBe(true);
  });

  it('bounds the number of buckets', async () => {
    expect(await series(`from=${at('00:00:00')}&to=${at('00:00:00', 1)}&resolution=1m`)).toHaveLength(1440);
    const problem = await readProblem(
      (await throughput(`from=${at('00:00:30')}&to=${at('00:00:30', 1)}&resolution=1m`)).response,
    );
    expect(problem).toMatchObject({ status: 400, code: 'TOO_MANY_BUCKETS', parameter: 'resolution' });
    expect(problem.detail).toContain("'resolution'");
  });
});

describe('GET /v1/internal/analytics/delivery-breakdown', () => {
  it('counts every status and every operator of the window', async () => {
    const { response, body } = await breakdown();
    expect(response.status).toBe(200);
    const parsed = deliveryBreakdownResponse.parse(body);
    expect(Object.keys(parsed.byStatus).sort()).toEqual([...MESSAGE_STATUSES].sort());
    expect(parsed).toEqual({
      window: windowW,
      // PENDING: a5 (PENDING), b3 (none), b4 (SENT); n1 (no operator) is DELIVERED
      byStatus: { DELIVERED: 5, FAILED: 1, PENDING: 3, UNDELIVERABLE: 1 },
      byOperator: [
        { operatorId: 'opA', name: 'Carrier Alpha UK', delivered: 2, failed: 2, deliveryRate: 0.4 },
        { operatorId: 'opB', name: null, delivered: 2, failed: 0, deliveryRate: 0.5 },
      ],
    });
  });

  it('shows every status, zero when none, for a window without messages', async () => {
    const parsed = deliveryBreakdownResponse.parse(
      (await breakdown(`from=${at('13:00:00')}&to=${at('14:00:00')}`)).body,
    );
    expect(parsed).toMatchObject({
      byStatus: { DELIVERED: 0, FAILED: 0, PENDING: 0, UNDELIVERABLE: 0 },
      byOperator: [],
    });
  });
});

describe('bad input is a 400 naming the parameter', () => {
  const base = '/v1/internal/analytics';
  it.each([
    ['resolution=2m', `${base}/throughput?resolution=2m`, 'resolution', 'VALIDATION_FAILED'],
    [
      'an unknown throughput parameter',
      `${base}/throughput?granularity=daily`,
      'granularity',
      'VALIDATION_FAILED',
    ],
    ['a bad date', `${base}/throughput?from=2026-13-01`, 'from', 'VALIDATION_FAILED'],
    [
      'from after to',
      `${base}/throughput?from=${at('12:00:00')}&to=${at('10:00:00')}`,
      'from',
      'INVALID_WINDOW',
    ],
    [
      'a window over 90 days',
      `${base}/delivery-breakdown?from=${at('00:00:00', -95)}&to=${at('00:00:00')}`,
      'from',
      'INVALID_WINDOW',
    ],
    [
      'granularity on the breakdown',
      `${base}/delivery-breakdown?granularity=daily`,
      'granularity',
      'VALIDATION_FAILED',
    ],
    ['a bad date on the breakdown', `${base}/delivery-breakdown?to=tomorrow`, 'to', 'VALIDATION_FAILED'],
    [
      'an unknown granularity',
      `${base}/accounts/acct1/usage?granularity=weekly`,
      'granularity',
      'VALIDATION_FAILED',
    ],
    ['an unknown usage parameter', `${base}/accounts/acct1/usage?limit=5`, 'limit', 'VALIDATION_FAILED'],
    [
      'from equal to to',
      `${base}/accounts/acct1/usage?from=${at('10:00:00')}&to=${at('10:00:00')}`,
      'from',
      'INVALID_WINDOW',
    ],
    [
      'an unknown performance parameter',
      `${base}/operators/opA/performance?resolution=5m`,
      'resolution',
      'VALIDATION_FAILED',
    ],
    [
      'a time without zone',
      `${base}/operators/opA/performance?to=2026-04-18T10:00:00`,
      'to',
      'VALIDATION_FAILED',
    ],
    ['a parameter on /metrics', '/metrics?window=1h', 'window', 'VALIDATION_FAILED'],
  ])('%s', async (_name, path, parameter, code) => {
    const problem = await readProblem((await get(path)).response);
    expect(problem).toMatchObject({ status: 400, code });
    if (code === 'VALIDATION_FAILED') {
      expect(problem.detail).toContain(`'${parameter}'`);
      expect(problem.errors).toEqual([expect.objectContaining({ name: parameter })]);
    } else {
      expect(problem.parameter).toBe(parameter);
    }
  });

  it('needs a platform key on the platform endpoints', async () => {
    for (const path of ['/throughput', '/delivery-breakdown', '/operators/opA/performance']) {
      expect((await get(`/v1/internal/analytics${path}`, acct1Key)).response.status).toBe(403);
    }
    expect((await get('/metrics', acct1Key)).response.status).toBe(403);
    expect((await stack.request('/metrics')).status).toBe(401);
  });
});
