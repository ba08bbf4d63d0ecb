import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DeveloperUsageResponse, developerUsageResponse } from '#lib/contracts/developer-usage.ts';
import { createApiKey } from '#lib/domain/tenants.ts';
import { type LocalStack, readProblem, startLocalStack } from '../support/local-stack.ts';

// A fixed "now" (a Wednesday): the 24h window is [2026-04-14T12:30Z, 2026-04-15T12:30Z).
const NOW = new Date('2026-04-15T12:30:00Z');
const today = (hhmmss: string) => `2026-04-15T${hhmmss}Z`;
const yesterday = (hhmmss: string) => `2026-04-14T${hhmmss}Z`;

let stack: LocalStack;
const keys = { A1: '', A2: '', B1: '' };
let key1 = '';
let key2 = '';
let key3 = '';
let foreignKeyId = '';

beforeAll(async () => {
  stack = await startLocalStack({ clock: () => NOW });
  const ports = stack.stores.runtime;
  const { tenantId } = stack.tenant;
  const accountKey = (accountId: string, rateLimits?: { m: number; h: number; d: number }) =>
    createApiKey(
      ports,
      {
        tenantId,
        role: 'account',
        accountId,
        ...(rateLimits
          ? {
              rateLimits: {
                requestsPerMinute: rateLimits.m,
                requestsPerHour: rateLimits.h,
                requestsPerDay: rateLimits.d,
              },
            }
          : {}),
      },
      NOW,
    );
  // acct_A: two active keys with limits, one without, one revoked (its limits no longer count).
  const a1 = await accountKey('acct_A', { m: 1, h: 4, d: 5 });
  const a2 = await accountKey('acct_A', { m: 3, h: 20, d: 50 });
  const a3 = await accountKey('acct_A');
  const revoked = await accountKey('acct_A', { m: 1000, h: 1000, d: 1000 });
  await ports.apiKeys.revoke(revoked.record.keyId, NOW);
  const b1 = await accountKey('acct_B', { m: 7, h: 7, d: 7 });
  keys.A1 = a1.key;
  keys.A2 = a2.key;
  keys.B1 = b1.key;
  key1 = a1.record.keyId;
  key2 = a2.record.keyId;
  key3 = a3.record.keyId;
  foreignKeyId = b1.record.keyId;

  const api = (id: string, time: string, extra: Record<string, unknown>) => ({
    id,
    time,
    type: 'api.request',
    accountId: 'acct_A',
    ...extra,
  });
  const scores = { endpoint: '/v1/scores/:identity', method: 'GET' };
  const identity = { endpoint: '/v1/identity/:identity' };
  await stack.ingest([
    api('e1', today('11:00:10'), { ...scores, statusCode: 200, latencyMs: 100, bytes: 1000, apiKeyId: key1 }),
    api('e2', today('11:00:20'), { ...scores, statusCode: 200, latencyMs: 200, bytes: 2000, apiKeyId: key1 }),
    api('e3', today('11:00:50'), { ...scores, statusCode: 429, latencyMs: 10, bytes: 100, apiKeyId: key1 }),
    api('e4', today('11:45:00'), {
      ...identity,
      method: 'POST',
      statusCode: 500,
      latencyMs: 1500,
      bytes: 500,
      apiKeyId: key2,
    }),
    api('e5', today('12:29:30'), {
      ...identity,
      method: 'GET',
      statusCode: 200,
      latencyMs: 300,
      bytes: 3000,
      apiKeyId: key2,
    }),
    api('e6', today('12:10:00'), { ...scores, statusCode: 404, latencyMs: 50, bytes: 0, apiKeyId: key1 }),
    api('e7', yesterday('13:00:00'), {
      ...scores,
      statusCode: 200,
      latencyMs: 400,
      bytes: 4000,
      apiKeyId: key2,
    }),
    // No endpoint, method, key, status code or measures; failed by its status (DESIGN.md).
    api('e9', today('12:20:00'), { status: 'FAILED' }),
    // One second before the 24h window: only the 7-day window sees it.
    api('e8', yesterday('12:29:59'), { ...scores, statusCode: 200, latencyMs: 1, bytes: 1, apiKeyId: key1 }),
    // Never counted for acct_A: another account, another type, no account.
    api('b1', today('12:00:00'), {
      ...scores,
      accountId: 'acct_B',
      statusCode: 500,
      latencyMs: 9999,
      bytes: 9,
    }),
    {
      id: 'llm1',
      time: today('12:00:00'),
      type: 'llm.request',
      accountId: 'acct_A',
      statusCode: 500,
      latencyMs: 9999,
    },
    {
      id: 'gw1',
      time: today('12:00:00'),
      type: 'gateway.request',
      accountId: 'acct_A',
      statusCode: 502,
      bytes: 9,
    },
    {
      id: 'anon1',
      time: today('12:00:00'),
      type: 'api.request',
      ...scores,
      statusCode: 200,
      latencyMs: 9999,
    },
  ]);
});
afterAll(() => stack.close());

const get = (query: string, key = stack.tenant.keys.platform) =>
  stack.request(`/v1/developer/usage${query}`, { key });

async function usage(query: string, key?: string): Promise<DeveloperUsageResponse> {
  const response = await get(query, key);
  const text = await response.text();
  expect(response.status, text).toBe(200);
  return developerUsageResponse.parse(JSON.parse(text));
}

const ZERO_BUCKET = {
  successfulRequests: 0,
  failedRequests: 0,
  averageLatency: 0,
  peakLatency: 0,
  dataTransferred: 0,
};
const hours = (from: string, count: number) =>
  Array.from({ length: count }, (_, i) =>
    new Date(Date.parse(from) + i * 3_600_000).toISOString().replace('.000Z', 'Z'),
  );

describe('GET /v1/developer/usage', () => {
  it('computes every field of the last 24 hours from the account’s api.request events', async () => {
    const body = await usage('?accountId=acct_A');
    const busy: Record<string, DeveloperUsageResponse['timeSeries'][number]> = {
      '2026-04-14T13:00:00Z': {
        timestamp: '2026-04-14T13:00:00Z',
        requests: 1,
        successfulRequests: 1,
        failedRequests: 0,
        averageLatency: 400,
        peakLatency: 400,
        dataTransferred: 4000,
      },
      '2026-04-15T11:00:00Z': {
        timestamp: '2026-04-15T11:00:00Z',
        requests: 4,
        successfulRequests: 2,
        failedRequests: 2,
        averageLatency: 452.5,
        peakLatency: 1500,
        dataTransferred: 3600,
      },
      '2026-04-15T12:00:00Z': {
        timestamp: '2026-04-15T12:00:00Z',
        requests: 3,
        successfulRequests: 1,
        failedRequests: 2,
        averageLatency: 175,
        peakLatency: 300,
        dataTransferred: 3000,
      },
    };
    expect(body).toEqual({
      success: true,
      usage: {
        totalRequests: 8,
        successfulRequests: 4,
        failedRequests: 4,
        successRate: 50,
        averageLatency: 365.7, // (100+200+10+1500+300+50+400) / 7 events with a latency
        peakLatency: 1500,
        requestsPerMinute: 0, // 8 / 1440 = 0.0056
        requestsPerHour: 0.3,
        requestsPerDay: 8,
        peakRequestsPerMinute: 3, // 11:00
        peakRequestsPerHour: 4, // 11:00–12:00
        dataTransferred: 10600,
        averageDataPerRequest: 1325,
      },
      // 25 buckets: the window starts at 12:30, inside yesterday's 12:00 bucket.
      timeSeries: hours('2026-04-14T12:00:00Z', 25).map(
        (timestamp) => busy[timestamp] ?? { timestamp, requests: 0, ...ZERO_BUCKET },
      ),
      breakdown: {
        byEndpoint: [
          {
            endpoint: '/v1/scores/:identity',
            requests: 5,
            successRate: 60,
            averageLatency: 152,
            dataTransferred: 7100,
          },
          {
            endpoint: '/v1/identity/:identity',
            requests: 2,
            successRate: 50,
            averageLatency: 900,
            dataTransferred: 3500,
          },
          { endpoint: null, requests: 1, successRate: 0, averageLatency: 0, dataTransferred: 0 },
        ],
        byMethod: [
          { method: 'GET', requests: 6, percentage: 75 },
          { method: 'POST', requests: 1, percentage: 12.5 },
          { method: null, requests: 1, percentage: 12.5 },
        ],
        byStatusCode: [
          { statusCode: 200, requests: 4, percentage: 50 },
          { statusCode: 404, requests: 1, percentage: 12.5 },
          { statusCode: 429, requests: 1, percentage: 12.5 },
          { statusCode: 500, requests: 1, percentage: 12.5 },
          { statusCode: null, requests: 1, percentage: 12.5 },
        ],
        byKey: [
          { keyId: key1, requests: 4, percentage: 50 },
          { keyId: key2, requests: 3, percentage: 37.5 },
          { keyId: null, requests: 1, percentage: 12.5 },
        ],
      },
      errors: {
        totalErrors: 4,
        errorRate: 50,
        byType: [
          { type: 'not_found', count: 1, percentage: 25, description: 'Resource not found' },
          {
            type: 'other_error',
            count: 1,
            percentage: 25,
            description: 'Failed without an error status code',
          },
          { type: 'rate_limit_exceeded', count: 1, percentage: 25, description: 'Rate limit exceeded' },
          { type: 'server_error', count: 1, percentage: 25, description: 'Internal server error' },
        ],
        byEndpoint: [
          { endpoint: '/v1/scores/:identity', errors: 2, percentage: 50 },
          { endpoint: '/v1/identity/:identity', errors: 1, percentage: 25 },
          { endpoint: null, errors: 1, percentage: 25 },
        ],
        byStatusCode: [
          { statusCode: 404, count: 1, percentage: 25 },
          { statusCode: 429, count: 1, percentage: 25 },
          { statusCode: 500, count: 1, percentage: 25 },
          { statusCode: null, count: 1, percentage: 25 },
        ],
      },
      rateLimits: {
        // Active keys with limits: {1, 4, 5} + {3, 20, 50}; the revoked key's do not count.
        current: { requestsPerMinute: 4, requestsPerHour: 24, requestsPerDay: 55 },
        // Rolling: [12:29, 12:30) has e5; [11:30, 12:30) e4, e5, e6, e9; the day all 8.
        usage: { requestsPerMinute: 1, requestsPerHour: 4, requestsPerDay: 8 },
        utilization: { requestsPerMinute: 25, requestsPerHour: 16.67, requestsPerDay: 14.55 },
      },
      alerts: [
        {
          type: 'error_rate_high',
          message: 'Error rate is 50%, above recommended 1%',
          priority: 'high',
          recommendation: 'Review error patterns and implement retry logic',
        },
      ],
      pagination: { total: 25, limit: 100, offset: 0, hasMore: false },
      timestamp: '2026-04-15T12:30:00Z',
    });
  });

  it('keeps every part consistent with the totals', async () => {
    for (const query of ['?accountId=acct_A', '?accountId=acct_A&timeframe=7d&granularity=day']) {
      const body = await usage(query);
      const total = body.usage.totalRequests;
      const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
      expect(sum(body.timeSeries.map((p) => p.requests))).toBe(total);
      expect(sum(body.timeSeries.map((p) => p.failedRequests))).toBe(body.usage.failedRequests);
      const bytes = body.timeSeries.reduce((a, p) => a + BigInt(p.dataTransferred), 0n);
      expect(bytes).toBe(BigInt(body.usage.dataTransferred));
      for (const list of [
        body.breakdown.byEndpoint,
        body.breakdown.byMethod,
        body.breakdown.byStatusCode,
        body.breakdown.byKey,
      ]) {
        expect(sum(list.map((row) => row.requests))).toBe(total);
      }
      expect(sum(body.breakdown.byStatusCode.map((row) => row.percentage))).toBeCloseTo(100, 0);
      expect(sum(body.errors.byType.map((row) => row.count))).toBe(body.errors.totalErrors);
      expect(sum(body.errors.byEndpoint.map((row) => row.errors))).toBe(body.errors.totalErrors);
      expect(sum(body.errors.byStatusCode.map((row) => row.count))).toBe(body.errors.totalErrors);
      expect(body.usage.successfulRequests + body.usage.failedRequests).toBe(total);
    }
  });

  it('reads 7 days by day, including the event the 24h window leaves out', async () => {
    const body = await usage('?accountId=acct_A&timeframe=7d&granularity=day');
    expect(body.usage).toMatchObject({ totalRequests: 9, requestsPerDay: 1.3, peakLatency: 1500 });
    expect(body.timeSeries.map((p) => [p.timestamp, p.requests])).toEqual([
      ['2026-04-08T00:00:00Z', 0],
      ['2026-04-09T00:00:00Z', 0],
      ['2026-04-10T00:00:00Z', 0],
      ['2026-04-11T00:00:00Z', 0],
      ['2026-04-12T00:00:00Z', 0],
      ['2026-04-13T00:00:00Z', 0],
      ['2026-04-14T00:00:00Z', 2],
      ['2026-04-15T00:00:00Z', 7],
    ]);
    expect(body.pagination).toEqual({ total: 8, limit: 100, offset: 0, hasMore: false });
  });

  it('bins ISO weeks from Monday and calendar months, zero-filled', async () => {
    const weeks = await usage('?accountId=acct_A&timeframe=7d&granularity=week');
    expect(weeks.timeSeries.map((p) => [p.timestamp, p.requests])).toEqual([
      ['2026-04-06T00:00:00Z', 0],
      ['2026-04-13T00:00:00Z', 9],
    ]);
    const months = await usage('?accountId=acct_A&timeframe=90d&granularity=month');
    expect(months.timeSeries.map((p) => [p.timestamp, p.requests])).toEqual([
      ['2026-01-01T00:00:00Z', 0],
      ['2026-02-01T00:00:00Z', 0],
      ['2026-03-01T00:00:00Z', 0],
      ['2026-04-01T00:00:00Z', 9],
    ]);
    const all = await usage('?accountId=acct_A&timeframe=all&granularity=month');
    expect(all.pagination.total).toBe(13); // 2025-04 (partial) … 2026-04
    expect(all.usage.totalRequests).toBe(9);
    const minutes = await usage('?accountId=acct_A&timeframe=1h&granularity=minute&limit=1000');
    expect(minutes.pagination.total).toBe(60);
    expect(minutes.timeSeries.filter((p) => p.requests > 0).map((p) => [p.timestamp, p.requests])).toEqual([
      ['2026-04-15T11:45:00Z', 1],
      ['2026-04-15T12:10:00Z', 1],
      ['2026-04-15T12:20:00Z', 1],
      ['2026-04-15T12:29:00Z', 1],
    ]);
  });

  it('pages the time series with limit and offset', async () => {
    const first = await usage('?accountId=acct_A&limit=10');
    expect(first.timeSeries.map((p) => p.timestamp)).toEqual(hours('2026-04-14T12:00:00Z', 10));
    expect(first.pagination).toEqual({ total: 25, limit: 10, offset: 0, hasMore: true });
    const last = await usage('?accountId=acct_A&limit=10&offset=20');
    expect(last.timeSeries.map((p) => [p.timestamp, p.requests])).toEqual([
      ['2026-04-15T08:00:00Z', 0],
      ['2026-04-15T09:00:00Z', 0],
      ['2026-04-15T10:00:00Z', 0],
      ['2026-04-15T11:00:00Z', 4],
      ['2026-04-15T12:00:00Z', 3],
    ]);
    expect(last.pagination).toEqual({ total: 25, limit: 10, offset: 20, hasMore: false });
    // A page is only a window onto the series: the totals stay the window's.
    expect(last.usage.totalRequests).toBe(8);
    const past = await usage('?accountId=acct_A&offset=25');
    expect(past.timeSeries).toEqual([]);
    expect(past.pagination).toEqual({ total: 25, limit: 100, offset: 25, hasMore: false });
  });

  it('orders the time series by timestamp, newest first, with sort=timestamp', async () => {
    const desc = await usage('?accountId=acct_A&sort=timestamp&limit=3');
    expect(desc.timeSeries.map((p) => [p.timestamp, p.requests])).toEqual([
      ['2026-04-15T12:00:00Z', 3],
      ['2026-04-15T11:00:00Z', 4],
      ['2026-04-15T10:00:00Z', 0],
    ]);
    expect(desc.pagination.hasMore).toBe(true);
    const next = await usage('?accountId=acct_A&sort=timestamp&limit=3&offset=22');
    expect(next.timeSeries.map((p) => p.timestamp)).toEqual([
      '2026-04-14T14:00:00Z',
      '2026-04-14T13:00:00Z',
      '2026-04-14T12:00:00Z',
    ]);
    expect(next.timeSeries[1]?.requests).toBe(1);
    const asc = await usage('?accountId=acct_A&sort=timestamp&order=asc&limit=2');
    expect(asc.timeSeries.map((p) => p.timestamp)).toEqual(['2026-04-14T12:00:00Z', '2026-04-14T13:00:00Z']);
    // The breakdown lists keep their default order (requests, most first).
    expect(desc.breakdown.byEndpoint.map((r) => r.requests)).toEqual([5, 2, 1]);
  });

  it('orders the breakdown lists by requests, errors or latency in either direction', async () => {
    const endpoints = async (query: string) =>
      (await usage(`?accountId=acct_A${query}`)).breakdown.byEndpoint.map((row) => row.endpoint);
    expect(await endpoints('&order=asc')).toEqual([null, '/v1/identity/:identity', '/v1/scores/:identity']);
    expect(await endpoints('&sort=latency')).toEqual([
      '/v1/identity/:identity',
      '/v1/scores/:identity',
      null,
    ]);
    // Rows without a latency go last in both directions.
    expect(await endpoints('&sort=latency&order=asc')).toEqual([
      '/v1/scores/:identity',
      '/v1/identity/:identity',
      null,
    ]);
    const byErrors = await usage('?accountId=acct_A&sort=errors&order=asc');
    expect(byErrors.breakdown.byKey.map((row) => row.keyId)).toEqual([key2, null, key1]); // 1, 1, 2 errors
    expect(byErrors.breakdown.byStatusCode.map((row) => row.statusCode)).toEqual([200, 404, 429, 500, null]);
    // The errors lists rank by their own errors: latency of the failed requests.
    const slowErrors = await usage('?accountId=acct_A&sort=latency');
    expect(slowErrors.errors.byType.map((row) => row.type)).toEqual([
      'server_error', // 1500 ms
      'not_found', // 50
      'rate_limit_exceeded', // 10
      'other_error', // no latency
    ]);
    expect(slowErrors.errors.byEndpoint.map((row) => row.endpoint)).toEqual([
      '/v1/identity/:identity', // 1500
      '/v1/scores/:identity', // (10 + 50) / 2
      null,
    ]);
  });

  it('reads one key of the account, measured against that key’s own limits', async () => {
    const body = await usage(`?accountId=acct_A&keyId=${key1}`);
    expect(body.usage).toMatchObject({
      totalRequests: 4,
      successfulRequests: 2,
      failedRequests: 2,
      dataTransferred: 3100,
    });
    expect(body.breakdown.byKey).toEqual([{ keyId: key1, requests: 4, percentage: 100 }]);
    expect(body.rateLimits).toEqual({
      current: { requestsPerMinute: 1, requestsPerHour: 4, requestsPerDay: 5 },
      usage: { requestsPerMinute: 0, requestsPerHour: 1, requestsPerDay: 4 },
      utilization: { requestsPerMinute: 0, requestsPerHour: 25, requestsPerDay: 80 },
    });
    expect(body.alerts).toEqual([
      {
        type: 'rate_limit_approaching',
        message: 'Daily rate limit is 80% utilized',
        priority: 'medium',
        recommendation: 'Consider upgrading your plan or optimizing requests',
      },
      {
        type: 'error_rate_high',
        message: 'Error rate is 50%, above recommended 1%',
        priority: 'high',
        recommendation: 'Review error patterns and implement retry logic',
      },
    ]);
    // A key without limits: no limits to measure against.
    const unlimited = await usage(`?keyId=${key3}`, keys.A1);
    expect(unlimited.rateLimits).toEqual({
      current: null,
      usage: { requestsPerMinute: 0, requestsPerHour: 0, requestsPerDay: 0 },
      utilization: null,
    });
  });

  it('answers zeros, every bucket present, for an account without events', async () => {
    const body = await usage('?accountId=acct_nobody');
    expect(body.usage).toEqual({
      totalRequests: 0,
      successfulRequests: 0,
      failedRequests: 0,
      successRate: 0,
      averageLatency: 0,
      peakLatency: 0,
      requestsPerMinute: 0,
      requestsPerHour: 0,
      requestsPerDay: 0,
      peakRequestsPerMinute: 0,
      peakRequestsPerHour: 0,
      dataTransferred: 0,
      averageDataPerRequest: 0,
    });
    expect(body.timeSeries).toHaveLength(25);
    expect(body.timeSeries.every((p) => p.requests === 0 && p.averageLatency === 0)).toBe(true);
    expect(body.breakdown).toEqual({ byEndpoint: [], byMethod: [], byStatusCode: [], byKey: [] });
    expect(body.errors).toEqual({
      totalErrors: 0,
      errorRate: 0,
      byType: [],
      byEndpoint: [],
      byStatusCode: [],
    });
    expect(body.rateLimits.current).toBeNull();
    expect(body.alerts).toEqual([]);
  });

  describe('account scope', () => {
    it('lets an account key read its own account, named or not', async () => {
      expect((await usage('', keys.A2)).usage.totalRequests).toBe(8);
      expect((await usage('?accountId=acct_A', keys.A2)).usage.totalRequests).toBe(8);
      const b = await usage('', keys.B1);
      expect(b.usage).toMatchObject({ totalRequests: 1, failedRequests: 1, peakLatency: 9999 });
    });

    it('refuses another account to an account key (403)', async () => {
      const problem = await readProblem(await get('?accountId=acct_B', keys.A1));
      expect(problem).toMatchObject({ status: 403, code: 'ACCOUNT_SCOPE' });
    });

    it('needs accountId with a platform key (400 ACCOUNT_REQUIRED)', async () => {
      const problem = await readProblem(await get(''));
      expect(problem).toMatchObject({ status: 400, code: 'ACCOUNT_REQUIRED', parameter: 'accountId' });
      expect(problem.detail).toContain("'accountId'");
    });

    it.each([
      ['another account’s key', () => foreignKeyId],
      ['an unknown key', () => 'key_0000000000000000'],
    ])('answers 404 KEY_NOT_FOUND for %s', async (_name, keyId) => {
      const problem = await readProblem(await get(`?accountId=acct_A&keyId=${keyId()}`));
      expect(problem).toMatchObject({ status: 404, code: 'KEY_NOT_FOUND', parameter: 'keyId' });
    });

    it('refuses ingest keys and anonymous calls', async () => {
      expect((await readProblem(await get('?accountId=acct_A', stack.tenant.keys.ingest))).status).toBe(403);
      expect((await readProblem(await stack.request('/v1/developer/usage?accountId=acct_A'))).status).toBe(
        401,
      );
    });
  });

  describe('bad input', () => {
    it.each([
      ['timeframe=2d', 'timeframe'],
      ['granularity=second', 'granularity'],
      ['sort=foo', 'sort'],
      ['order=up', 'order'],
      ['limit=0', 'limit'],
      ['limit=1001', 'limit'],
      ['limit=ten', 'limit'],
      ['limit=1.5', 'limit'],
      ['offset=-1', 'offset'],
      ['from=2026-04-01', 'from'],
    ])('answers 400 naming the parameter for %s', async (query, parameter) => {
      const problem = await readProblem(await get(`?accountId=acct_A&${query}`));
      expect(problem).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
      expect(problem.detail).toContain(`'${parameter}'`);
      expect(problem.errors).toEqual([expect.objectContaining({ in: 'query', name: parameter })]);
    });

    it('refuses more buckets than it serves (TOO_MANY_BUCKETS), naming granularity', async () => {
      const problem = await readProblem(await get('?accountId=acct_A&timeframe=30d&granularity=minute'));
      expect(problem).toMatchObject({
        status: 400,
        code: 'TOO_MANY_BUCKETS',
        parameter: 'granularity',
        buckets: 43_200,
      });
      expect(problem.detail).toContain("'granularity'");
      // A week of minutes is still served, a page at a time.
      const week = await usage('?accountId=acct_A&timeframe=7d&granularity=minute&limit=1000&offset=9000');
      expect(week.pagination).toEqual({ total: 10_080, limit: 1000, offset: 9000, hasMore: true });
      expect(week.timeSeries).toHaveLength(1000);
    });
  });

  it('runs the same number of store queries for 2 endpoints and for 20', async () => {
    const events = (accountId: string, endpoints: number) =>
      Array.from({ length: endpoints * 2 }, (_, i) => ({
        id: `${accountId}-${i}`,
        time: today(`10:${String(i % 60).padStart(2, '0')}:00`),
        type: 'api.request',
        accountId,
        endpoint: `/v1/e${i % endpoints}`,
        method: i % 3 === 0 ? 'POST' : 'GET',
        statusCode: i % 4 === 0 ? 500 : 200,
        apiKeyId: `key_${i % endpoints}`,
        latencyMs: 10 + i,
        bytes: i,
      }));
    await stack.ingest([...events('acct_two', 2), ...events('acct_twenty', 20)]);
    const count = async (accountId: string) => {
      stack.queries.count = 0;
      const body = await usage(`?accountId=${accountId}`);
      return { queries: stack.queries.count, endpoints: body.breakdown.byEndpoint.length };
    };
    const two = await count('acct_two');
    const twenty = await count('acct_twenty');
    expect(two.endpoints).toBe(2);
    expect(twenty.endpoints).toBe(20);
    // totals, time-series page, 4 breakdowns, 3 rolling rate-limit periods
    expect(two.queries).toBe(9);
    expect(twenty.queries).toBe(two.queries);
  });
});
