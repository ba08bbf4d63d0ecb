import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type OverviewResponse,
  overviewResponse,
  type UsageResponse,
  usageResponse,
} from '#lib/contracts/usage-cost.ts';
import {
  EVENT_TYPES,
  FAILURE_RULE,
  isFailure,
  isRequestType,
  NON_REQUEST_EVENT_TYPES,
  REQUEST_EVENT_TYPES,
} from '#lib/domain/events.ts';
import { failedSql } from '#lib/query/compile.ts';
import { duckdbDialect } from '#lib/query/dialect.ts';
import { type LocalStack, startLocalStack } from '../support/local-stack.ts';
import { parseCsv } from './usage-cost-csv.ts';

/**
 * What counts as a request (DESIGN.md, Events): only api.request, gateway.request, llm.request and
 * message. The same request events are read before and after storage samples and ingested-event
 * records join them, samples that carry everything a request could (a failing status code and
 * status, a latency, a model and project, tokens, bytes, cost): requests, errors, error rate,
 * availability, latencies and the request volume do not move, while tokens, bandwidth and cost
 * grow by exactly the samples' own.
 */
const NOW = new Date('2026-11-15T12:30:00Z');
const WINDOW = 'start_date=2026-11-14&end_date=2026-11-15';
const ALL_METRICS = 'requests,tokens,cost,bandwidth,errors,error_rate,availability,latency_p50,latency_p99';

const REQUESTS = [
  { type: 'llm.request', model: 'claude', projectId: 'bot', inputTokens: 100, cost: '0.5', latencyMs: 100 },
  { type: 'llm.request', model: 'claude', projectId: 'bot', statusCode: 500, latencyMs: 900 },
  { type: 'api.request', endpoint: '/v1/x', statusCode: 200, bytes: 10, latencyMs: 20 },
  { type: 'api.request', endpoint: '/v1/x', statusCode: 404, bytes: 5, latencyMs: 30 },
  { type: 'gateway.request', connectorId: 'conn', statusCode: 200, bytes: 1, latencyMs: 40 },
  { type: 'message', status: 'DELIVERED', cost: '0.0065', latencyMs: 50 },
  { type: 'message', status: 'UNDELIVERABLE', latencyMs: 60 },
].map((event, i) => ({ id: `req-${i}`, time: `2026-11-15T0${i}:10:00Z`, ...event }));

/** Everything a request could carry, so any of it counted as a request would show. */
const USAGE_ONLY = {
  model: 'claude',
  projectId: 'bot',
  endpoint: '/v1/x',
  statusCode: 503,
  status: 'FAILED',
  latencyMs: 100_000,
  inputTokens: 1000,
  outputTokens: 10,
  bytes: 7000,
  cost: '2',
};
const SAMPLES = [
  ...[0, 1, 2, 3].map((i) => ({
    id: `storage-${i}`,
    time: `2026-11-15T0${i}:30:00Z`,
    type: 'storage.sample',
    storageBytes: 1_000_000,
    operatorId: 'op',
    ...USAGE_ONLY,
  })),
  ...[0, 1].map((i) => ({
    id: `ingested-${i}`,
    time: `2026-11-15T0${i}:40:00Z`,
    type: 'event.ingested',
    category: 'order.created',
    operatorId: 'op',
    ...USAGE_ONLY,
  })),
];

let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack({ clock: () => NOW });
  await stack.ingest(REQUESTS);
});
afterAll(() => stack.close());

async function get(path: string): Promise<Response> {
  const response = await stack.request(path, { key: stack.tenant.keys.platform });
  expect(response.status, await response.clone().text()).toBe(200);
  return response;
}
const usage = async (query: string): Promise<UsageResponse> =>
  usageResponse.parse(await (await get(`/v1/analytics/usage?${WINDOW}&${query}`)).json());
const overview = async (): Promise<OverviewResponse> =>
  overviewResponse.parse(await (await get('/v1/analytics/overview?range=24h')).json());
const csv = async (query: string) =>
  parseCsv(await (await get(`/v1/analytics/export?format=csv&${WINDOW}&${query}`)).text());

interface Answers {
  summary: UsageResponse;
  byModel: UsageResponse;
  byEndpoint: UsageResponse;
  dashboard: OverviewResponse;
  export: string[][];
}
const read = async (): Promise<Answers> => ({
  summary: await usage(`metrics=${ALL_METRICS}`),
  byModel: await usage(`group_by=model&metrics=${ALL_METRICS}`),
  byEndpoint: await usage('group_by=endpoint&metrics=requests,errors,error_rate,latency_p99'),
  dashboard: await overview(),
  export: await csv('group_by=day&metrics=requests,errors,error_rate,availability,latency_p99'),
});

describe('requests are the request types alone', () => {
  let before: Answers;
  let after: Answers;
  beforeAll(async () => {
    before = await read();
    await stack.ingest(SAMPLES);
    after = await read();
  });

  it('counts 7 requests and 3 failed ones among the request events', () => {
    expect(before.summary.summary).toEqual({
      total_requests: 7,
      total_tokens: 100,
      total_cost: 0.5065,
      total_bandwidth: 16,
      total_errors: 3,
      error_rate: 0.4286,
      availability: 0.5714,
      latency_p50: 50,
      latency_p99: 852, // of 20, 30, 40, 50, 60, 100, 900
    });
  });

  it('keeps requests, errors, rates and latencies when samples and ingested events arrive', () => {
    const { total_tokens, total_cost, total_bandwidth, ...requestFigures } = after.summary.summary;
    const {
      total_tokens: _t,
      total_cost: _c,
      total_bandwidth: _b,
      ...requestFiguresBefore
    } = before.summary.summary;
    expect(requestFigures).toEqual(requestFiguresBefore);
    // Their usage still counts: 6 × 1010 tokens, 6 × 7000 bytes, 6 × 2 of cost.
    expect(total_tokens).toBe(100 + 6 * 1010);
    expect(total_bandwidth).toBe(16 + 6 * 7000);
    expect(total_cost).toBe(12.5065);
  });

  it('keeps each group’s requests, errors and latencies; groups gain only usage', () => {
    // In group order: rows go by cost first, which the samples do change.
    const requestsOf = (body: UsageResponse) =>
      [...body.data]
        .sort((a, b) => `${a.model}|${a.endpoint}`.localeCompare(`${b.model}|${b.endpoint}`))
        .map(({ model, endpoint, requests, errors, error_rate, availability, latency_p50, latency_p99 }) => ({
          model,
          endpoint,
          requests,
          errors,
          error_rate,
          availability,
          latency_p50,
          latency_p99,
        }));
    expect(requestsOf(after.byModel)).toEqual(requestsOf(before.byModel));
    expect(requestsOf(after.byEndpoint)).toEqual(requestsOf(before.byEndpoint));
    const claude = after.byModel.data.find((row) => row.model === 'claude');
    expect(claude).toMatchObject({ requests: 2, errors: 1, input_tokens: 100 + 6000, cost: 12.5 });
  });

  it('gives a group of samples alone a row with its usage and no requests', async () => {
    const byOperator = await usage('group_by=operator&metrics=requests,errors,error_rate,bandwidth,cost');
    expect(byOperator.data).toContainEqual({
      operator: 'op',
      requests: 0,
      errors: 0,
      error_rate: null,
      bandwidth: 6 * 7000,
      cost: 12,
    });
  });

  it('keeps the dashboard’s requests, request volume, top models and p99; tokens and cost grow', () => {
    const { kpis, request_volume, top_models, cost_by_project } = after.dashboard;
    expect(kpis.requests).toEqual(before.dashboard.kpis.requests);
    expect(kpis.latency_p99).toEqual(before.dashboard.kpis.latency_p99);
    expect(request_volume).toEqual(before.dashboard.request_volume);
    expect(top_models).toEqual(before.dashboard.top_models);
    expect(top_models).toEqual([{ model: 'claude', requests: 2, share_pct: 100, is_other: false }]);
    expect(kpis.tokens.value).toBe(100 + 6 * 1010);
    expect(kpis.cost.value).toBe(12.5065);
    expect(cost_by_project).toContainEqual({ project: 'bot', cost: 12.5, requests: 2 });
  });

  it('keeps the export’s request columns', () => {
    expect(after.export).toEqual(before.export);
  });
});

describe('the request types and the failure rule are defined once, in the domain', () => {
  it('splits every event type into requests and usage, saturation samples never requests', () => {
    for (const type of EVENT_TYPES) {
      const lists = [REQUEST_EVENT_TYPES, NON_REQUEST_EVENT_TYPES].filter((list) =>
        (list as readonly string[]).includes(type),
      );
      expect(lists, type).toHaveLength(1);
    }
    expect(isRequestType('saturation.sample')).toBe(false);
    expect(NON_REQUEST_EVENT_TYPES).toContain('saturation.sample');
    expect(REQUEST_EVENT_TYPES.every(isRequestType)).toBe(true);
  });

  it('writes the SQL failure rule from the same data the JS predicate reads', () => {
    expect(failedSql(duckdbDialect())).toBe(
      `(coalesce("status_code", 0) >= ${FAILURE_RULE.minStatusCode} OR coalesce("status", '') IN (${FAILURE_RULE.failedStatuses
        .map((status) => `'${status}'`)
        .join(', ')}))`,
    );
    expect(isFailure({ statusCode: FAILURE_RULE.minStatusCode })).toBe(true);
    expect(isFailure({ statusCode: FAILURE_RULE.minStatusCode - 1 })).toBe(false);
    for (const status of FAILURE_RULE.failedStatuses) expect(isFailure({ status })).toBe(true);
    expect(isFailure({ status: 'DELIVERED' })).toBe(false);
  });
});
