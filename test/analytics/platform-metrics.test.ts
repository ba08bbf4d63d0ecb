import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  platformConnectorsResponse,
  platformOperatorsResponse,
  platformSummaryResponse,
  usageReportResponse,
} from '#lib/contracts/platform-metrics.ts';
import type { CreatedTenant } from '#lib/domain/tenants.ts';
import { type LocalStack, readProblem, startLocalStack } from '../support/local-stack.ts';
import { NOW, seedPlatform, seedTenantWithOperators } from './platform-fixture.ts';

/**
 * The metrics endpoints on the hand-made platform of platform-fixture.ts. Window W is
 * [2026-03-01, 2026-03-16): in it, by hand —
 *   op-alpha  6 API calls, 3 gateway requests, 3 ingested events, last active 03-12T07:45:30.500Z
 *   op-bravo  1 API call, 3 gateway requests (2 c-pay, 1 c-ghost), last active 03-15T20:00 (a message;
 *             its later storage sample is not activity)
 *   op-sierra 1 API call (suspended), last active 03-04T10:00
 *   op-xray   1 ingested event (unregistered), last active 03-13T13:00
 *   op-idle, op-sleepy: nothing
 * plus one API call and one gateway request without an operator (counted nowhere) and one call
 * just before W.
 */
let stack: LocalStack;
let small: CreatedTenant;
let large: CreatedTenant;

const W = 'from=2026-03-01T00:00:00Z&to=2026-03-16T00:00:00Z';
const windowW = { from: '2026-03-01T00:00:00Z', to: '2026-03-16T00:00:00Z' };

beforeAll(async () => {
  stack = await startLocalStack({ clock: () => NOW });
  await seedPlatform(stack);
  small = await seedTenantWithOperators(stack, 2);
  large = await seedTenantWithOperators(stack, 20);
});
afterAll(() => stack?.close());

const get = async (path: string, key = stack.tenant.keys.platform) => {
  const response = await stack.request(path, { key });
  return { response, body: (await response.clone().json()) as unknown };
};
const summary = async (query = W, key?: string) =>
  platformSummaryResponse.parse((await get(`/platform-api/metrics/summary?${query}`, key)).body);
const operators = async (query = W, key?: string) =>
  platformOperatorsResponse.parse((await get(`/platform-api/metrics/operators?${query}`, key)).body);
const connectors = async (query = W, key?: string) =>
  platformConnectorsResponse.parse((await get(`/platform-api/metrics/connectors?${query}`, key)).body);

describe('GET /platform-api/metrics/summary', () => {
  it('counts registered operators and connections, and the window usage of operators', async () => {
    const { response } = await get(`/platform-api/metrics/summary?${W}`);
    expect(response.status).toBe(200);
    expect(await summary()).toEqual({
      window: windowW,
      operators: { active: 3, suspended: 2, total: 5 },
      apiCalls: 8,
      gatewayRequests: 6,
      eventsIngested: 4,
      connections: { active: 4, inactive: 2, total: 6 },
    });
  });

  it('defaults to the last 30 days ending now', async () => {
    expect(await summary('')).toMatchObject({
      window: { from: '2026-03-11T12:00:00Z', to: '2026-04-10T12:00:00Z' },
      // from 03-11 12:00: a-in-us-1 and x-in-us-1 ingested, then March 16–31 (b-gw-ghost is 10:00 on 03-11)
      apiCalls: 3,
      gatewayRequests: 0,
      eventsIngested: 3,
    });
  });

  it('runs one store query, for 2 operators as for 20', async () => {
    for (const tenant of [small, large]) {
      stack.queries.count = 0;
      const body = await summary(W, tenant.keys.platform);
      expect(stack.queries.count).toBe(1);
      expect(body.operators.total).toBe(tenant === small ? 2 : 20);
      expect(body.apiCalls).toBe(tenant === small ? 2 : 20);
    }
  });
});

describe('GET /platform-api/metrics/operators', () => {
  const alpha = {
    operatorId: 'op-alpha',
    name: 'Alpha',
    status: 'active',
    activeConnections: 2,
    apiCalls: 6,
    eventsIngested: 3,
    gatewayRequests: 3,
    lastActiveAt: '2026-03-12T07:45:30.500Z',
  };
  const bravo = {
    operatorId: 'op-bravo',
    name: 'Bravo',
    status: 'active',
    activeConnections: 1,
    apiCalls: 1,
    eventsIngested: 0,
    gatewayRequests: 3,
    lastActiveAt: '2026-03-15T20:00:00Z',
  };
  const sierra = {
    operatorId: 'op-sierra',
    name: 'Sierra',
    status: 'suspended',
    activeConnections: 0,
    apiCalls: 1,
    eventsIngested: 0,
    gatewayRequests: 0,
    lastActiveAt: '2026-03-04T10:00:00Z',
  };
  const idle = {
    operatorId: 'op-idle',
    name: 'Idle',
    status: 'active',
    activeConnections: 1,
    apiCalls: 0,
    eventsIngested: 0,
    gatewayRequests: 0,
    lastActiveAt: null,
  };
  const sleepy = {
    ...idle,
    operatorId: 'op-sleepy',
    name: 'Sleepy',
    status: 'suspended',
    activeConnections: 0,
  };
  const xray = {
    operatorId: 'op-xray',
    name: null,
    status: 'unregistered',
    activeConnections: 0,
    apiCalls: 0,
    eventsIngested: 1,
    gatewayRequests: 0,
    lastActiveAt: '2026-03-13T13:00:00Z',
  };
  const ids = (body: { items: { operatorId: string }[] }) => body.items.map((item) => item.operatorId);

  it('lists every operator, most API calls first by default', async () => {
    expect(await operators()).toEqual({
      window: windowW,
      items: [alpha, bravo, sierra, idle, sleepy, xray],
      pagination: { total: 6, limit: 50, offset: 0, hasMore: false },
    });
  });

  it('adds up to the summary of the same window', async () => {
    const [all, kpis] = await Promise.all([operators(), summary()]);
    const sum = (key: 'apiCalls' | 'gatewayRequests' | 'eventsIngested' | 'activeConnections') =>
      all.items.reduce((total, item) => total + item[key], 0);
    expect(sum('apiCalls')).toBe(kpis.apiCalls);
    expect(sum('gatewayRequests')).toBe(kpis.gatewayRequests);
    expect(sum('eventsIngested')).toBe(kpis.eventsIngested);
    expect(sum('activeConnections')).toBe(kpis.connections.active);
  });

  it.each([
    ['sort=name', ['op-alpha', 'op-bravo', 'op-idle', 'op-sierra', 'op-sleepy', 'op-xray']],
    ['sort=name&order=desc', ['op-sleepy', 'op-sierra', 'op-idle', 'op-bravo', 'op-alpha', 'op-xray']],
    ['sort=apiCalls&order=asc', ['op-idle', 'op-sleepy', 'op-xray', 'op-bravo', 'op-sierra', 'op-alpha']],
    ['sort=gatewayRequests', ['op-alpha', 'op-bravo', 'op-idle', 'op-sierra', 'op-sleepy', 'op-xray']],
    ['sort=eventsIngested', ['op-alpha', 'op-xray', 'op-bravo', 'op-idle', 'op-sierra', 'op-sleepy']],
    ['sort=lastActiveAt', ['op-bravo', 'op-xray', 'op-alpha', 'op-sierra', 'op-idle', 'op-sleepy']],
    ['sort=lastActiveAt&order=asc', ['op-sierra', 'op-alpha', 'op-xray', 'op-bravo', 'op-idle', 'op-sleepy']],
    ['sort=activeConnections', ['op-alpha', 'op-bravo', 'op-idle', 'op-sierra', 'op-sleepy', 'op-xray']],
  ])('sorts with %s (nulls last, ties by id)', async (query, expected) => {
    expect(ids(await operators(`${W}&${query}`))).toEqual(expected);
  });

  it('pages with limit and offset', async () => {
    const page = await operators(`${W}&sort=name&limit=2&offset=2`);
    expect(page.items).toEqual([idle, sierra]);
    expect(page.pagination).toEqual({ total: 6, limit: 2, offset: 2, hasMore: true });
    const last = await operators(`${W}&sort=name&limit=2&offset=4`);
    expect(ids(last)).toEqual(['op-sleepy', 'op-xray']);
    expect(last.pagination.hasMore).toBe(false);
    const beyond = await operators(`${W}&offset=10`);
    expect(beyond.items).toEqual([]);
    expect(beyond.pagination).toEqual({ total: 6, limit: 50, offset: 10, hasMore: false });
  });

  it('runs one store query, for 2 operators as for 20, and keeps tenants apart', async () => {
    for (const tenant of [small, large]) {
      stack.queries.count = 0;
      const body = await operators(`${W}&limit=200`, tenant.keys.platform);
      expect(stack.queries.count).toBe(1);
      expect(body.pagination.total).toBe(tenant === small ? 2 : 20);
      expect(body.items.every((item) => item.operatorId.startsWith('op-other-'))).toBe(true);
      expect(body.items.every((item) => item.apiCalls === 1 && item.activeConnections === 1)).toBe(true);
    }
    expect(ids(await operators()).some((id) => id.startsWith('op-other-'))).toBe(false);
  });
});

describe('GET /platform-api/metrics/connectors', () => {
  it('shows each connector with its connections, operators and gateway requests, by adoption', async () => {
    expect(await connectors()).toEqual({
      window: windowW,
      items: [
        {
          connectorId: 'c-pay',
          name: 'Payments',
          category: 'payments',
          operatorsUsing: 2, // op-alpha, op-idle
          operatorsActive: 2, // op-alpha, op-bravo (which has no connection to it)
          connections: { active: 2, inactive: 0, total: 2 },
          gatewayRequests: 3,
        },
        {
          connectorId: 'c-sms',
          name: 'SMS Gateway',
          category: 'messaging',
          operatorsUsing: 2, // op-alpha, op-bravo; op-sierra's connection is inactive
          operatorsActive: 1,
          connections: { active: 2, inactive: 1, total: 3 },
          gatewayRequests: 2, // n-gw-1 has no operator
        },
        {
          connectorId: 'c-ghost',
          name: null,
          category: null,
          operatorsUsing: 0,
          operatorsActive: 1,
          connections: { active: 0, inactive: 0, total: 0 },
          gatewayRequests: 1,
        },
        {
          connectorId: 'c-crm',
          name: 'CRM',
          category: 'crm',
          operatorsUsing: 0,
          operatorsActive: 0,
          connections: { active: 0, inactive: 1, total: 1 },
          gatewayRequests: 0,
        },
      ],
    });
  });

  it('adds up to the summary of the same window', async () => {
    const [all, kpis] = await Promise.all([connectors(), summary()]);
    expect(all.items.reduce((total, item) => total + item.gatewayRequests, 0)).toBe(kpis.gatewayRequests);
    expect(all.items.reduce((total, item) => total + item.connections.total, 0)).toBe(kpis.connections.total);
  });

  it('runs one store query, for 2 operators as for 20', async () => {
    for (const tenant of [small, large]) {
      stack.queries.count = 0;
      const body = await connectors(W, tenant.keys.platform);
      expect(stack.queries.count).toBe(1);
      const n = tenant === small ? 2 : 20;
      expect(body.items).toEqual([
        {
          connectorId: 'c-other',
          name: 'Other connector',
          category: null,
          operatorsUsing: n,
          operatorsActive: n,
          connections: { active: n, inactive: 0, total: n },
          gatewayRequests: n,
        },
      ]);
    }
  });
});

describe('bad input', () => {
  it.each([
    ['/platform-api/metrics/summary', 'from=2026-03-16T00:00:00Z&to=2026-03-01T00:00:00Z'],
    ['/platform-api/metrics/operators', 'from=2025-12-01T00:00:00Z&to=2026-03-16T00:00:00Z'],
    ['/platform-api/metrics/connectors', 'from=2026-03-01T00:00:00Z&to=2026-03-01T00:00:00Z'],
  ])('%s?%s is 400 INVALID_WINDOW', async (path, query) => {
    const problem = await readProblem((await get(`${path}?${query}`)).response);
    expect(problem).toMatchObject({ status: 400, code: 'INVALID_WINDOW', parameter: 'from' });
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=201', 'limit'],
    ['limit=ten', 'limit'],
    ['offset=-1', 'offset'],
    ['sort=foo', 'sort'],
    ['order=up', 'order'],
    ['from=yesterday', 'from'],
    ['operator=op-alpha', 'operator'],
  ])('operators?%s is 400 naming %s', async (query, parameter) => {
    const problem = await readProblem((await get(`/platform-api/metrics/operators?${query}`)).response);
    expect(problem).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect(problem.detail).toContain(`'${parameter}'`);
    expect(problem.errors).toEqual([expect.objectContaining({ in: 'query', name: parameter })]);
  });

  it.each([
    ['/platform-api/metrics/summary?limit=5', 'limit'],
    ['/platform-api/metrics/connectors?to=soon', 'to'],
  ])('%s is 400 naming %s', async (path, parameter) => {
    const problem = await readProblem((await get(path)).response);
    expect(problem.status).toBe(400);
    expect(problem.detail).toContain(`'${parameter}'`);
  });

  it('needs a platform key', async () => {
    for (const path of ['summary', 'operators', 'connectors']) {
      expect((await get(`/platform-api/metrics/${path}`, stack.tenant.keys.ingest)).response.status).toBe(
        403,
      );
      expect((await stack.request(`/platform-api/metrics/${path}`)).status).toBe(401);
    }
    expect(
      (await get('/platform-api/usage/report?start=2026-03-01&end=2026-03-02', stack.tenant.keys.ingest))
        .response.status,
    ).toBe(403);
  });
});

describe('consistency with the billing report', () => {
  it('the report of 1–15 March counts what the metrics count in the same window', async () => {
    const report = usageReportResponse.parse(
      (await get('/platform-api/usage/report?start=2026-03-01&end=2026-03-15')).body,
    );
    const kpis = await summary();
    expect(report.window).toEqual(windowW);
    expect(report.totals).toMatchObject({
      apiCalls: kpis.apiCalls,
      gatewayRequests: kpis.gatewayRequests,
      eventsIngested: kpis.eventsIngested,
    });
  });
});
