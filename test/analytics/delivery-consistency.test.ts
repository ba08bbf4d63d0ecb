import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  accountUsageResponse,
  deliveryBreakdownResponse,
  deliverySummaryResponse,
  operatorPerformanceResponse,
  throughputResponse,
} from '#lib/contracts/delivery-analytics.ts';
import { formatMicros, parseMicros } from '#lib/domain/money.ts';
import { seededRandom as random } from '../../infra/local/demo-events.ts';
import { type LocalStack, startLocalStack } from '../support/local-stack.ts';

/**
 * Generated `message` events (seeded, so reproducible): for one window, the summary, the operator
 * rows (performance of each operator, and the breakdown), the account rows (usage of each account,
 * and each account's days and hours) and the throughput buckets at every resolution all add up to
 * the same totals, costs to the micro; and each endpoint's query count does not grow with the
 * number of operators.
 */
const DAY_MS = 86_400_000;
const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
const NOW = new Date(today - DAY_MS + 15.5 * 3_600_000);
const BIG_DAY = new Date(today - 2 * DAY_MS); // 20 operators
const SMALL_DAY = new Date(today - 3 * DAY_MS); // 2 operators
const iso = (date: Date) => date.toISOString().replace('.000Z', 'Z');
const windowOf = (start: Date) => `from=${iso(start)}&to=${iso(new Date(start.getTime() + DAY_MS))}`;

const STATUSES = [
  'DELIVERED',
  'DELIVERED',
  'DELIVERED',
  'FAILED',
  'UNDELIVERABLE',
  'PENDING',
  'SENT',
  undefined,
];
interface Generated {
  events: Record<string, unknown>[];
  operators: string[];
  accounts: string[];
  costMicros: bigint;
  messages: number;
}

function generate(
  prefix: string,
  start: Date,
  operators: number,
  accounts: number,
  n: number,
  seed: number,
): Generated {
  const rand = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
  const operatorIds = Array.from({ length: operators }, (_, i) => `${prefix}-op-${i}`);
  const accountIds = Array.from({ length: accounts }, (_, i) => `${prefix}-acct-${i}`);
  const events: Record<string, unknown>[] = [];
  let costMicros = 0n;
  for (let i = 0; i < n; i += 1) {
    // Bursts: a fifth of the messages land in the same few seconds.
    const offset = rand() < 0.2 ? 36_000_000 + Math.floor(rand() * 3000) : Math.floor(rand() * DAY_MS);
    const cost = rand() < 0.85 ? BigInt(Math.floor(rand() * 50_000)) : undefined;
    if (cost !== undefined) costMicros += cost;
    const status = pick(STATUSES);
    events.push({
      id: `${prefix}-${i}`,
      time: new Date(start.getTime() + offset).toISOString(),
      type: 'message',
      operatorId: pick(operatorIds),
      accountId: pick(accountIds),
      ...(status ? { status } : {}),
      ...(cost !== undefined ? { cost: formatMicros(cost) } : {}),
      ...(rand() < 0.9 ? { segments: 1 + Math.floor(rand() * 4) } : {}),
      ...(rand() < 0.8 ? { latencyMs: Math.round(rand() * 5000) } : {}),
    });
  }
  // Other types in the same window: never read by delivery analytics.
  for (let i = 0; i < 20; i += 1) {
    events.push({
      id: `${prefix}-api-${i}`,
      time: new Date(start.getTime() + Math.floor(rand() * DAY_MS)).toISOString(),
      type: 'api.request',
      operatorId: pick(operatorIds),
      accountId: pick(accountIds),
      statusCode: 500,
      cost: '1.000000',
    });
  }
  return { events, operators: operatorIds, accounts: accountIds, costMicros, messages: n };
}

const big = generate('big', BIG_DAY, 20, 12, 900, 42);
const small = generate('small', SMALL_DAY, 2, 3, 60, 7);
let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({ clock: () => NOW });
  const all = [...big.events, ...small.events];
  // Every other operator is in the registry, by the name `Operator <id>`.
  const stamp = NOW.toISOString();
  for (const id of [...big.operators, ...small.operators].filter((_, i) => i % 2 === 0)) {
    const operator = {
      id,
      version: 1,
      createdAt: stamp,
      updatedAt: stamp,
      name: `Operator ${id}`,
      status: 'active',
    } as const;
    await stack.stores.runtime.registry.operators.create(stack.tenant.tenantId, operator);
  }
  for (let i = 0; i < all.length; i += 500) {
    const batch = all.slice(i, i + 500);
    await stack.ingest(batch);
  }
});
afterAll(() => stack?.close());

/** GET with the platform key; the body (JSON, else text) and the number of store queries the request ran. */
async function get(path: string): Promise<{ body: unknown; queries: number }> {
  stack.queries.count = 0;
  const response = await stack.request(path, { key: stack.tenant.keys.platform });
  expect(response.status, path).toBe(200);
  const json = response.headers.get('content-type')?.startsWith('application/json');
  return { body: json ? await response.json() : await response.text(), queries: stack.queries.count };
}
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const sumMicros = (values: string[]) => values.reduce((a, b) => a + parseMicros(b), 0n);
const A = '/v1/internal/analytics';

describe.each([
  ['20 operators', big, BIG_DAY],
  ['2 operators', small, SMALL_DAY],
])('a day with %s', (_name, data, start) => {
  const window = windowOf(start);

  it('adds up across summary, operators, accounts and throughput, costs to the micro', async () => {
    const summary = deliverySummaryResponse.parse((await get(`${A}/summary?${window}`)).body);
    expect(summary.totalMessages).toBe(data.messages);
    expect(parseMicros(summary.totalCost)).toBe(data.costMicros);
    expect(summary.deliveredMessages + summary.failedMessages + summary.pendingMessages).toBe(data.messages);

    // the breakdown
    const breakdown = deliveryBreakdownResponse.parse((await get(`${A}/delivery-breakdown?${window}`)).body);
    const { byStatus } = breakdown;
    expect(byStatus.DELIVERED).toBe(summary.deliveredMessages);
    expect(byStatus.FAILED + byStatus.UNDELIVERABLE).toBe(summary.failedMessages);
    expect(byStatus.PENDING).toBe(summary.pendingMessages);
    expect(breakdown.byOperator.map((r) => r.operatorId).sort()).toEqual([...data.operators].sort());
    expect(sum(breakdown.byOperator.map((r) => r.delivered))).toBe(summary.deliveredMessages);
    expect(sum(breakdown.byOperator.map((r) => r.failed))).toBe(summary.failedMessages);

    // every operator's performance, and its breakdown row
    const performances = await Promise.all(
      data.operators.map(async (id) =>
        operatorPerformanceResponse.parse((await get(`${A}/operators/${id}/performance?${window}`)).body),
      ),
    );
    expect(sum(performances.map((p) => p.totalMessages))).toBe(summary.totalMessages);
    expect(sum(performances.map((p) => p.deliveredMessages))).toBe(summary.deliveredMessages);
    expect(sum(performances.map((p) => p.failedMessages))).toBe(summary.failedMessages);
    expect(sumMicros(performances.map((p) => p.totalCost))).toBe(data.costMicros);
    expect(Math.max(...performances.map((p) => p.peakTps))).toBeLessThanOrEqual(summary.peakTps);
    for (const p of performances) {
      const row = breakdown.byOperator.find((r) => r.operatorId === p.operatorId);
      expect(row).toMatchObject({
        delivered: p.deliveredMessages,
        failed: p.failedMessages,
        deliveryRate: p.deliveryRate,
      });
    }

    // every account's usage, by day and by hour
    const usages = await Promise.all(
      data.accounts.map(async (id) => ({
        daily: accountUsageResponse.parse((await get(`${A}/accounts/${id}/usage?${window}`)).body),
        hourly: accountUsageResponse.parse(
          (await get(`${A}/accounts/${id}/usage?${window}&granularity=hourly`)).body,
        ),
      })),
    );
    expect(sum(usages.map((u) => u.daily.messagesSent))).toBe(summary.totalMessages);
    expect(sum(usages.map((u) => u.daily.messagesDelivered))).toBe(summary.deliveredMessages);
    expect(sum(usages.map((u) => u.daily.messagesFailed))).toBe(summary.failedMessages);
    expect(sumMicros(usages.map((u) => u.daily.totalCost))).toBe(data.costMicros);
    for (const { daily, hourly } of usages) {
      expect(daily.dailyBreakdown).toHaveLength(1);
      expect(hourly.dailyBreakdown).toHaveLength(24);
      expect({ ...hourly, dailyBreakdown: [] }).toEqual({ ...daily, dailyBreakdown: [] });
      for (const rows of [daily.dailyBreakdown, hourly.dailyBreakdown]) {
        expect(sum(rows.map((r) => r.sent))).toBe(daily.messagesSent);
        expect(sum(rows.map((r) => r.delivered))).toBe(daily.messagesDelivered);
        expect(sum(rows.map((r) => r.failed))).toBe(daily.messagesFailed);
        expect(sumMicros(rows.map((r) => r.cost))).toBe(parseMicros(daily.totalCost));
      }
    }

    // throughput at every resolution
    for (const [resolution, buckets] of [
      ['1m', 1440],
      ['5m', 288],
      ['1h', 24],
    ] as const) {
      const { series } = throughputResponse.parse(
        (await get(`${A}/throughput?${window}&resolution=${resolution}`)).body,
      );
      expect(series).toHaveLength(buckets);
      expect(sum(series.map((b) => b.messages))).toBe(summary.totalMessages);
    }
  });

  it('runs the same number of queries whatever the number of operators and accounts', async () => {
    const list = vi.spyOn(stack.stores.runtime.registry.operators, 'list');
    const { body } = await get(`${A}/delivery-breakdown?${window}`);
    expect(list).toHaveBeenCalledTimes(1);
    list.mockRestore();
    const named = deliveryBreakdownResponse.parse(body).byOperator;
    expect(named).toHaveLength(data.operators.length);
    for (const row of named) {
      const registered = data.operators.indexOf(row.operatorId) % 2 === 0;
      expect(row.name).toBe(registered ? `Operator ${row.operatorId}` : null);
    }
    const counts = {
      summary: (await get(`${A}/summary?${window}`)).queries,
      breakdown: (await get(`${A}/delivery-breakdown?${window}`)).queries,
      performance: (await get(`${A}/operators/${data.operators[0]}/performance?${window}`)).queries,
      usage: (await get(`${A}/accounts/${data.accounts[0]}/usage?${window}&granularity=hourly`)).queries,
      throughput: (await get(`${A}/throughput?${window}&resolution=1m`)).queries,
      metrics: (await get('/metrics')).queries,
    };
    expect(counts).toEqual({ summary: 1, breakdown: 1, performance: 1, usage: 2, throughput: 1, metrics: 4 });
  });
});
