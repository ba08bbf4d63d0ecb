import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountUsageResponse } from '#lib/contracts/delivery-analytics.ts';
import { developerUsageResponse } from '#lib/contracts/developer-usage.ts';
import { overviewResponse, usageExportJson, usageResponse } from '#lib/contracts/usage-cost.ts';
import { type LocalStack, startLocalStack } from '../support/local-stack.ts';
import { parseCsv } from './usage-cost-csv.ts';

/**
 * Sums of integer measures and of cost past 2^53 stay exact from ingest to the response, on the
 * real local stack (DuckDB sums BIGINT as HUGEINT): where a contract shows a number, such a sum is
 * its exact decimal string; smaller figures stay numbers. Each value is odd at a magnitude where
 * doubles are even, so a figure that went through a double would be off by one.
 */
const NOW = new Date('2026-11-15T12:30:00Z');
/** The largest integer measure one event may carry is 2^53 − 1; this is about half of it. */
const BIG = 2 ** 52 + 1;
/** The largest cost one event may carry: 2^53 − 1 micros. */
const MAX_COST = '9007199254.740991';
const THREE_BIG = '13510798882111491'; // 3 × BIG
const SIX_BIG = '27021597764222982'; // 6 × BIG
const THREE_MAX_COSTS = '27021597764.222973';
const SIX_MAX_COSTS = '54043195528.445946';
const THREE_BIG_AND_7 = '13510798882111498'; // 3 × BIG + 7

let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({ clock: () => NOW });
  const at = (i: number) => `2026-11-15T1${i}:00:00Z`;
  await stack.ingest([
    ...[0, 1, 2].map((i) => ({
      id: `llm-${i}`,
      time: at(i),
      type: 'llm.request',
      model: 'big-model',
      projectId: 'big-project',
      inputTokens: BIG,
      outputTokens: BIG,
      bytes: BIG,
      cost: MAX_COST,
    })),
    ...[0, 1, 2].map((i) => ({
      id: `msg-${i}`,
      time: at(i),
      type: 'message',
      accountId: 'acct-big',
      operatorId: 'op-big',
      status: 'DELIVERED',
      segments: BIG,
      cost: MAX_COST,
    })),
    ...[0, 1, 2].map((i) => ({
      id: `api-${i}`,
      time: at(i),
      type: 'api.request',
      accountId: 'acct-big',
      endpoint: '/v1/big',
      method: 'GET',
      statusCode: 200,
      bytes: BIG,
    })),
    // Small figures stay numbers.
    { id: 'api-small', time: at(0), type: 'api.request', accountId: 'acct-small', statusCode: 200, bytes: 7 },
  ]);
});
afterAll(() => stack.close());

async function get(path: string, key = stack.tenant.keys.platform): Promise<unknown> {
  const response = await stack.request(path, { key });
  expect(response.status, await response.clone().text()).toBe(200);
  return response.headers.get('content-type')?.startsWith('text/csv') ? response.text() : response.json();
}

describe('sums past 2^53', () => {
  it('usage: tokens, bandwidth and cost are exact decimal strings, small sums numbers', async () => {
    const body = usageResponse.parse(
      await get('/v1/analytics/usage?range=24h&group_by=model&metrics=requests,tokens,cost,bandwidth'),
    );
    expect(body.data).toEqual([
      {
        model: null,
        requests: 7,
        input_tokens: 0,
        output_tokens: 0,
        cost: THREE_MAX_COSTS,
        bandwidth: THREE_BIG_AND_7,
      },
      {
        model: 'big-model',
        requests: 3,
        input_tokens: THREE_BIG,
        output_tokens: THREE_BIG,
        cost: THREE_MAX_COSTS,
        bandwidth: THREE_BIG,
      },
    ]);
    expect(body.summary).toEqual({
      total_requests: 10,
      total_tokens: SIX_BIG,
      total_cost: SIX_MAX_COSTS,
      total_bandwidth: '27021597764222989', // 6 × BIG + 7
    });
  });

  it('export: CSV cells and JSON values are the exact figures', async () => {
    const query = 'range=24h&group_by=model&metrics=tokens,cost,bandwidth';
    const csv = parseCsv((await get(`/v1/analytics/export?format=csv&${query}`)) as string);
    expect(csv).toEqual([
      ['model', 'input_tokens', 'output_tokens', 'cost', 'bandwidth'],
      ['', '0', '0', THREE_MAX_COSTS, THREE_BIG_AND_7],
      ['big-model', THREE_BIG, THREE_BIG, THREE_MAX_COSTS, THREE_BIG],
    ]);
    const json = usageExportJson.parse(await get(`/v1/analytics/export?format=json&${query}`));
    expect(json.data[1]).toEqual({
      model: 'big-model',
      input_tokens: THREE_BIG,
      output_tokens: THREE_BIG,
      cost: THREE_MAX_COSTS,
      bandwidth: THREE_BIG,
    });
  });

  it('overview: the tokens and cost KPIs and the cost by project', async () => {
    const body = overviewResponse.parse(await get('/v1/analytics/overview?range=24h'));
    expect(body.kpis.tokens).toEqual({ value: SIX_BIG, previous_value: 0, change_pct: null });
    expect(body.kpis.cost).toEqual({ value: SIX_MAX_COSTS, previous_value: 0, change_pct: null });
    expect(body.cost_by_project).toEqual([
      { project: null, cost: THREE_MAX_COSTS, requests: 7 },
      { project: 'big-project', cost: THREE_MAX_COSTS, requests: 3 },
    ]);
  });

  it("delivery: an account's segments", async () => {
    const body = accountUsageResponse.parse(
      await get(
        '/v1/internal/analytics/accounts/acct-big/usage?from=2026-11-15T00:00:00Z&to=2026-11-15T12:30:00Z',
      ),
    );
    expect(body).toMatchObject({ messagesSent: 3, segments: THREE_BIG, totalCost: THREE_MAX_COSTS });
  });

  it('developer usage: data transferred; the average per request stays a number', async () => {
    const big = developerUsageResponse.parse(
      await get('/v1/developer/usage?accountId=acct-big&timeframe=24h'),
    );
    expect(big.usage).toMatchObject({
      totalRequests: 3,
      dataTransferred: THREE_BIG,
      averageDataPerRequest: BIG,
    });
    expect(big.breakdown.byEndpoint).toMatchObject([{ endpoint: '/v1/big', dataTransferred: THREE_BIG }]);
    const perBucket = big.timeSeries.reduce((sum, point) => sum + BigInt(point.dataTransferred), 0n);
    expect(perBucket).toBe(BigInt(THREE_BIG));
    const small = developerUsageResponse.parse(
      await get('/v1/developer/usage?accountId=acct-small&timeframe=24h'),
    );
    expect(small.usage).toMatchObject({ dataTransferred: 7, averageDataPerRequest: 7 });
  });
});
