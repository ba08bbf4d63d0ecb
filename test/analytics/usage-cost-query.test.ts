import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type UsageResponse, type UsageRow, usageResponse } from '#lib/contracts/usage-cost.ts';
import { parseMicros } from '#lib/domain/money.ts';
import { type LocalStack, readProblem } from '../support/local-stack.ts';
import { llm, startUsageStack } from './usage-cost-fixture.ts';

/**
 * GET/POST /v1/analytics/usage on the real local stack (dynalite + DuckDB), with hand-made events
 * of several types and answers computed by hand. The clock is fixed so `range` windows are known.
 */
let stack: LocalStack;

// The main window: 2026-11-10 and 2026-11-11 (end_date inclusive).
const EVENTS = [
  llm('L1', '2026-11-10T01:00:00Z', {
    model: 'claude-sonnet',
    projectId: 'platform',
    apiKeyId: 'key_a',
    inputTokens: 1000,
    outputTokens: 200,
    cost: '0.000001',
    latencyMs: 100,
  }),
  llm('L2', '2026-11-10T02:00:00Z', {
    model: 'claude-sonnet',
    projectId: 'platform',
    apiKeyId: 'key_a',
    inputTokens: 3000,
    outputTokens: 800,
    cost: '0.1',
    latencyMs: 300,
  }),
  llm('L3', '2026-11-11T05:00:00Z', {
    model: 'gpt-4o',
    projectId: 'bot',
    apiKeyId: 'key_a',
    inputTokens: 500,
    outputTokens: 50,
    cost: '2.333333',
    latencyMs: 200,
    statusCode: 500,
  }),
  {
    id: 'A1',
    time: '2026-11-10T03:00:00Z',
    type: 'api.request',
    endpoint: '/v1/things',
    service: 'api',
    statusCode: 200,
    bytes: 1500,
    latencyMs: 50,
    apiKeyId: 'key_a',
    accountId: 'acct_1',
  },
  {
    id: 'A2',
    time: '2026-11-11T04:00:00Z',
    type: 'api.request',
    endpoint: '/v1/things',
    service: 'api',
    statusCode: 404,
    bytes: 500,
    latencyMs: 70,
    apiKeyId: 'key_b',
    accountId: 'acct_2',
  },
  {
    id: 'M1',
    time: '2026-11-11T06:00:00Z',
    type: 'message',
    status: 'DELIVERED',
    cost: '0.0065',
    accountId: 'acct_1',
    operatorId: 'op_1',
    latencyMs: 400,
  },
  {
    id: 'M2',
    time: '2026-11-11T07:00:00Z',
    type: 'message',
    status: 'FAILED',
    cost: '0.001',
    operatorId: 'op_1',
  },
  {
    id: 'G1',
    time: '2026-11-10T08:00:00Z',
    type: 'gateway.request',
    statusCode: 502,
    bytes: 100,
    operatorId: 'op_2',
    connectorId: 'conn_1',
  },
  // Just outside the window on either side.
  llm('O1', '2026-11-12T00:00:00Z', { model: 'claude-sonnet', projectId: 'platform', cost: '9' }),
  llm('O2', '2026-11-09T23:59:59.999Z', { model: 'claude-sonnet', projectId: 'platform', cost: '9' }),
  // In the last hour before NOW.
  { id: 'R1', time: '2026-11-15T12:00:00Z', type: 'api.request', endpoint: '/v1/recent', statusCode: 200 },
];

beforeAll(async () => {
  stack = await startUsageStack(EVENTS);
});
afterAll(() => stack.close());

const WINDOW = 'start_date=2026-11-10&end_date=2026-11-11';

async function usage(query: string): Promise<UsageResponse> {
  const response = await stack.request(`/v1/analytics/usage?${query}`, { key: stack.tenant.keys.platform });
  expect(response.status, await response.clone().text()).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  return usageResponse.parse(await response.json());
}

function post(body: unknown, contentType = 'application/json') {
  return stack.request('/v1/analytics/usage', {
    method: 'POST',
    key: stack.tenant.keys.platform,
    headers: { 'content-type': contentType },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** Money as the contract shows it (a number, or an exact string past 2^53 − 1 micros), in micros. */
const micros = (value: number | string | undefined) =>
  typeof value === 'string' ? parseMicros(value) : BigInt(Math.round((value ?? 0) * 1_000_000));
/** A column summed over the rows, exactly (a count may be a decimal string past 2^53 − 1). */
const sum = (rows: readonly UsageRow[], pick: (row: UsageRow) => number | string | undefined) =>
  rows.reduce((total, row) => total + BigInt(pick(row) ?? 0), 0n);
const exact = (value: number | string) => BigInt(value);

/** Every additive total of the summary equals the sum of the rows; exactly, cost in micros. */
function expectSummaryIsSumOfRows(body: UsageResponse) {
  const { data, summary } = body;
  if (summary.total_requests !== undefined) {
    expect(exact(summary.total_requests)).toBe(sum(data, (r) => r.requests));
  }
  if (summary.total_tokens !== undefined) {
    expect(exact(summary.total_tokens)).toBe(
      sum(data, (r) => r.input_tokens) + sum(data, (r) => r.output_tokens),
    );
  }
  if (summary.total_input_tokens !== undefined) {
    expect(exact(summary.total_input_tokens)).toBe(sum(data, (r) => r.input_tokens));
  }
  if (summary.total_output_tokens !== undefined) {
    expect(exact(summary.total_output_tokens)).toBe(sum(data, (r) => r.output_tokens));
  }
  if (summary.total_bandwidth !== undefined) {
    expect(exact(summary.total_bandwidth)).toBe(sum(data, (r) => r.bandwidth));
  }
  if (summary.total_errors !== undefined)
    expect(exact(summary.total_errors)).toBe(sum(data, (r) => r.errors));
  if (summary.total_cost !== undefined) {
    expect(micros(summary.total_cost)).toBe(data.reduce((total, row) => total + micros(row.cost), 0n));
  }
}

describe('GET /v1/analytics/usage', () => {
  it("answers the contract's example request: group by model and project, requests/tokens/cost", async () => {
    const body = await usage(`${WINDOW}&group_by=model,project&metrics=requests,tokens,cost`);
    expect(body).toEqual({
      data: [
        {
          model: 'gpt-4o',
          project: 'bot',
          requests: 1,
          input_tokens: 500,
          output_tokens: 50,
          cost: 2.333333,
        },
        {
          model: 'claude-sonnet',
          project: 'platform',
          requests: 2,
          input_tokens: 4000,
          output_tokens: 1000,
          cost: 0.100001,
        },
        // api.request, gateway.request and message events: requests without a model or project.
        { model: null, project: null, requests: 5, input_tokens: 0, output_tokens: 0, cost: 0.0075 },
      ],
      summary: { total_requests: 8, total_tokens: 5550, total_cost: 2.440834 },
    });
    expect(Object.keys(body.data[0] ?? {})).toEqual([
      'model',
      'project',
      'requests',
      'input_tokens',
      'output_tokens',
      'cost',
    ]);
    expectSummaryIsSumOfRows(body);
  });

  it('defaults to requests, tokens and cost, ungrouped: one row equal to the summary', async () => {
    const body = await usage(WINDOW);
    expect(body).toEqual({
      data: [{ requests: 8, input_tokens: 4500, output_tokens: 1050, cost: 2.440834 }],
      summary: { total_requests: 8, total_tokens: 5550, total_cost: 2.440834 },
    });
  });

  it('keeps costs exact to the micro: 0.000001 + 0.1 + 2.333333 = 2.433334', async () => {
    const body = await usage(`${WINDOW}&group_by=api_key&metrics=requests,cost`);
    expect(0.000001 + 0.1 + 2.333333).not.toBe(2.433334); // what a float sum would have answered
    expect(body.data).toEqual([
      { api_key: 'key_a', requests: 4, cost: 2.433334 },
      { api_key: null, requests: 3, cost: 0.0075 },
      { api_key: 'key_b', requests: 1, cost: 0 },
    ]);
    expect(body.summary).toEqual({ total_requests: 8, total_cost: 2.440834 });
    expectSummaryIsSumOfRows(body);
  });

  it('groups by day with every metric; ratios and percentiles of the summary are exact, not averaged', async () => {
    const metrics =
      'requests,tokens,input_tokens,output_tokens,cost,bandwidth,errors,error_rate,latency_p50,latency_p99,availability';
    const body = await usage(`${WINDOW}&group_by=day&metrics=${metrics}`);
    expect(body.data).toEqual([
      {
        day: '2026-11-10T00:00:00Z',
        requests: 4, // L1, L2, A1, G1
        input_tokens: 4000,
        output_tokens: 1000,
        cost: 0.100001,
        bandwidth: 1600,
        errors: 1, // G1: 502
        error_rate: 0.25,
        latency_p50: 100, // 50, 100, 300
        latency_p99: 296, // 100 + 0.98 × (300 − 100)
        availability: 0.75,
      },
      {
        day: '2026-11-11T00:00:00Z',
        requests: 4, // L3, A2, M1, M2
        input_tokens: 500,
        output_tokens: 50,
        cost: 2.340833,
        bandwidth: 500,
        errors: 3, // L3: 500, A2: 404, M2: FAILED
        error_rate: 0.75,
        latency_p50: 200, // 70, 200, 400
        latency_p99: 396,
        availability: 0.25,
      },
    ]);
    expect(Object.keys(body.data[0] ?? {})).toEqual([
      'day',
      ...metrics.split(',').filter((m) => m !== 'tokens'),
    ]);
    expect(body.summary).toEqual({
      total_requests: 8,
      total_tokens: 5550,
      total_input_tokens: 4500,
      total_output_tokens: 1050,
      total_cost: 2.440834,
      total_bandwidth: 2100,
      total_errors: 4,
      error_rate: 0.5,
      latency_p50: 150, // 50, 70, 100, 200, 300, 400: not the mean of the days' medians
      latency_p99: 395,
      availability: 0.5,
    });
    expectSummaryIsSumOfRows(body);
  });

  it('groups by model, project and day: rows by day, then cost descending', async () => {
    const body = await usage(
      `${WINDOW}&group_by=model&group_by=project&group_by=day&metrics=requests,cost,errors`,
    );
    expect(body.data).toEqual([
      {
        model: 'claude-sonnet',
        project: 'platform',
        day: '2026-11-10T00:00:00Z',
        requests: 2,
        cost: 0.100001,
        errors: 0,
      },
      { model: null, project: null, day: '2026-11-10T00:00:00Z', requests: 2, cost: 0, errors: 1 },
      {
        model: 'gpt-4o',
        project: 'bot',
        day: '2026-11-11T00:00:00Z',
        requests: 1,
        cost: 2.333333,
        errors: 1,
      },
      { model: null, project: null, day: '2026-11-11T00:00:00Z', requests: 3, cost: 0.0075, errors: 2 },
    ]);
    expect(body.summary).toEqual({ total_requests: 8, total_cost: 2.440834, total_errors: 4 });
    expectSummaryIsSumOfRows(body);
  });

  it.each([
    ['endpoint', 'endpoint'],
    ['service,operator', 'service,operator'],
    ['account,hour', 'account,hour'],
    ['week', 'week'],
    ['month,model', 'month,model'],
  ])('keeps the summary equal to the sum of the rows grouped by %s', async (_name, groupBy) => {
    const body = await usage(`${WINDOW}&group_by=${groupBy}&metrics=requests,tokens,cost,bandwidth,errors`);
    expect(body.summary).toEqual({
      total_requests: 8,
      total_tokens: 5550,
      total_cost: 2.440834,
      total_bandwidth: 2100,
      total_errors: 4,
    });
    expectSummaryIsSumOfRows(body);
  });

  it('reads the dimensions of every event type', async () => {
    const byEndpoint = await usage(`${WINDOW}&group_by=endpoint&metrics=requests,bandwidth,errors`);
    expect(byEndpoint.data).toEqual([
      { endpoint: null, requests: 6, bandwidth: 100, errors: 3 }, // carries all the cost
      { endpoint: '/v1/things', requests: 2, bandwidth: 2000, errors: 1 },
    ]);
    const byOperator = await usage(`${WINDOW}&group_by=operator&metrics=requests,cost`);
    expect(byOperator.data).toEqual([
      { operator: null, requests: 5, cost: 2.433334 },
      { operator: 'op_1', requests: 2, cost: 0.0075 },
      { operator: 'op_2', requests: 1, cost: 0 },
    ]);
    const byWeek = await usage(`${WINDOW}&group_by=week&metrics=requests`);
    expect(byWeek.data).toEqual([{ week: '2026-11-09T00:00:00Z', requests: 8 }]); // ISO week: Monday
  });

  it('reads a plain end_date as inclusive and a date-time end_date as exclusive', async () => {
    const inclusive = await usage('start_date=2026-11-11&end_date=2026-11-11&metrics=requests');
    expect(inclusive.summary).toEqual({ total_requests: 4 });
    const exclusive = await usage(
      'start_date=2026-11-10T00:00:00Z&end_date=2026-11-11T05:00:00Z&metrics=requests',
    );
    expect(exclusive.summary).toEqual({ total_requests: 5 }); // L3 at exactly 05:00 is out
  });

  it('defaults to the 7 days ending now, and reads range', async () => {
    // [2026-11-08T12:30Z, NOW): the main window, both boundary events and R1.
    expect((await usage('metrics=requests')).summary).toEqual({ total_requests: 11 });
    expect((await usage('range=7d&metrics=requests')).summary).toEqual({ total_requests: 11 });
    expect((await usage('range=1h&metrics=requests')).summary).toEqual({ total_requests: 1 });
    expect((await usage('range=30d&metrics=requests')).summary).toEqual({ total_requests: 33 });
  });

  it('answers zeros and nulls for a window without events', async () => {
    const body = await usage(
      'start_date=2026-10-01&end_date=2026-10-02&metrics=requests,cost,error_rate,latency_p99,availability',
    );
    expect(body).toEqual({
      data: [],
      summary: { total_requests: 0, total_cost: 0, error_rate: null, latency_p99: null, availability: null },
    });
  });

  it('cuts the rows at limit while the summary still covers them all', async () => {
    const body = await usage(`${WINDOW}&group_by=api_key&metrics=requests,cost&limit=1`);
    expect(body.data).toEqual([{ api_key: 'key_a', requests: 4, cost: 2.433334 }]);
    expect(body.summary).toEqual({ total_requests: 8, total_cost: 2.440834 });
  });

  it('runs two queries (rows, summary) for 2 groups and for 20', async () => {
    stack.queries.count = 0;
    const few = await usage('start_date=2026-11-01&end_date=2026-11-01&group_by=model&metrics=requests');
    const fewQueries = stack.queries.count;
    stack.queries.count = 0;
    const many = await usage('start_date=2026-11-02&end_date=2026-11-02&group_by=model&metrics=requests');
    expect(few.data).toHaveLength(2);
    expect(many.data).toHaveLength(20);
    expect(fewQueries).toBe(2);
    expect(stack.queries.count).toBe(2);
  });
});

describe('POST /v1/analytics/usage', () => {
  const body = {
    start_date: '2026-11-10',
    end_date: '2026-11-11',
    group_by: ['model', 'project'],
    metrics: ['requests', 'tokens', 'cost'],
  };

  it('answers the JSON body exactly as the GET parameters', async () => {
    const response = await post(body);
    expect(response.status).toBe(200);
    const fromPost = usageResponse.parse(await response.json());
    expect(fromPost).toEqual(await usage(`${WINDOW}&group_by=model,project&metrics=requests,tokens,cost`));
    expect(fromPost.summary).toEqual({ total_requests: 8, total_tokens: 5550, total_cost: 2.440834 });
  });

  it("accepts the contract's curl -d call, which labels the JSON as a form", async () => {
    const response = await post(body, 'application/x-www-form-urlencoded');
    expect(response.status).toBe(200);
    expect(usageResponse.parse(await response.json()).summary.total_cost).toBe(2.440834);
  });

  it.each([
    ['an unknown metric', { ...body, metrics: ['requests', 'latency_p95'] }, 'UNKNOWN_METRIC', 'metrics'],
    ['an unknown group_by', { ...body, group_by: ['region'] }, 'UNKNOWN_GROUP_BY', 'group_by'],
    ['group_by as a string', { ...body, group_by: 'model' }, 'VALIDATION_FAILED', 'group_by'],
    ['range and dates', { ...body, range: '7d' }, 'CONFLICTING_PARAMETERS', 'range'],
    ['a limit out of range', { ...body, limit: 0 }, 'VALIDATION_FAILED', 'limit'],
    ['an unknown field', { ...body, granularity: 'daily' }, 'VALIDATION_FAILED', 'granularity'],
  ])('names the body field for %s', async (_name, input, code, field) => {
    const problem = await readProblem(await post(input));
    expect(problem).toMatchObject({ status: 400, code });
    expect(problem.detail).toContain(`'${field}'`);
    expect(problem.errors).toEqual([expect.objectContaining({ in: 'body', name: field })]);
  });

  it('answers malformed JSON and other media types with problems', async () => {
    expect(await readProblem(await post('{"start_date":'))).toMatchObject({
      status: 400,
      code: 'MALFORMED_JSON',
    });
    expect(await readProblem(await post('<usage/>', 'application/xml'))).toMatchObject({
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    });
  });
});

describe('bad input', () => {
  it.each([
    ['an unknown metric', `${WINDOW}&metrics=requests,foo`, 'UNKNOWN_METRIC', 'metrics', 'foo'],
    ['an unknown group_by', `${WINDOW}&group_by=model,colour`, 'UNKNOWN_GROUP_BY', 'group_by', 'colour'],
    ['two time grains', `${WINDOW}&group_by=day,model,hour`, 'MULTIPLE_TIME_GRAINS', 'group_by', 'day, hour'],
    ['a date that is not a date', 'start_date=yesterday', 'VALIDATION_FAILED', 'start_date', 'date'],
    ['a month 13', 'start_date=2026-13-01', 'VALIDATION_FAILED', 'start_date', 'date'],
    ['February 30th', 'start_date=2026-02-28&end_date=2026-02-30', 'VALIDATION_FAILED', 'end_date', 'date'],
    [
      'a date-time without a zone',
      'start_date=2026-11-10T00:00:00',
      'VALIDATION_FAILED',
      'start_date',
      'zone',
    ],
    ['end before start', 'start_date=2026-11-11&end_date=2026-11-10', 'INVALID_WINDOW', 'end_date', 'before'],
    [
      'a window over 90 days',
      'start_date=2026-06-01&end_date=2026-08-30',
      'INVALID_WINDOW',
      'start_date',
      '90',
    ],
    ['a start in the future', 'start_date=2026-11-16', 'INVALID_WINDOW', 'start_date', 'past'],
    ['range=2y', 'range=2y', 'VALIDATION_FAILED', 'range', '90d'],
    ['range with dates', `range=7d&${WINDOW}`, 'CONFLICTING_PARAMETERS', 'range', 'not both'],
    ['limit=0', `${WINDOW}&limit=0`, 'VALIDATION_FAILED', 'limit', ''],
    ['limit=10001', `${WINDOW}&limit=10001`, 'VALIDATION_FAILED', 'limit', ''],
    ['limit=ten', `${WINDOW}&limit=ten`, 'VALIDATION_FAILED', 'limit', ''],
    ['an unknown parameter', `${WINDOW}&format=csv`, 'VALIDATION_FAILED', 'format', 'unknown'],
  ])('answers 400 naming the parameter for %s', async (_name, query, code, parameter, mention) => {
    const response = await stack.request(`/v1/analytics/usage?${query}`, { key: stack.tenant.keys.platform });
    const problem = await readProblem(response);
    expect(problem).toMatchObject({ status: 400, code, instance: '/v1/analytics/usage' });
    expect(problem.detail).toContain(`'${parameter}'`);
    expect(problem.detail).toContain(mention);
    expect(problem.errors).toEqual([expect.objectContaining({ in: 'query', name: parameter })]);
  });

  it('accepts exactly 90 days and limit 10000', async () => {
    expect((await usage('start_date=2026-06-01&end_date=2026-08-29&limit=10000')).data).toHaveLength(0);
  });

  it('needs a platform key', async () => {
    expect(
      (await stack.request(`/v1/analytics/usage?${WINDOW}`, { key: stack.tenant.keys.ingest })).status,
    ).toBe(403);
    expect((await stack.request(`/v1/analytics/usage?${WINDOW}`)).status).toBe(401);
  });
});
