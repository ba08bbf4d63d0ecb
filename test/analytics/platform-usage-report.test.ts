import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type UsageReportResponse, usageReportResponse } from '#lib/contracts/platform-metrics.ts';
import { sumDecimals } from '#lib/domain/billing/money.ts';
import type { CreatedTenant } from '#lib/domain/tenants.ts';
import { type LocalStack, readProblem, startLocalStack } from '../support/local-stack.ts';
import { NOW, seedPlatform, seedTenantWithOperators } from './platform-fixture.ts';

/**
 * GET /platform-api/usage/report on the hand-made platform of platform-fixture.ts; every amount
 * below is units × unit price worked out by hand (plan "winter" until 16 March 12:00 UTC,
 * "spring" after; nothing before 2026).
 */
let stack: LocalStack;
let small: CreatedTenant;
let large: CreatedTenant;

beforeAll(async () => {
  stack = await startLocalStack({ clock: () => NOW });
  await seedPlatform(stack);
  small = await seedTenantWithOperators(stack, 2);
  large = await seedTenantWithOperators(stack, 20);
});
afterAll(() => stack?.close());

const get = async (query: string, key = stack.tenant.keys.platform) => {
  const response = await stack.request(`/platform-api/usage/report${query ? `?${query}` : ''}`, { key });
  return { response, body: (await response.clone().json()) as unknown };
};
const report = async (query: string, key?: string) => {
  const { response, body } = await get(query, key);
  expect(response.status).toBe(200);
  return usageReportResponse.parse(body);
};

/** totals = Σ operator rows, field by field, exactly. */
function expectTotalsAddUp(body: UsageReportResponse): void {
  const sum = (key: 'apiCalls' | 'gatewayRequests' | 'eventsIngested' | 'billableUnits') =>
    body.operators.reduce((total, row) => total + row[key], 0);
  const amounts = body.operators.map((row) => row.amount);
  expect(body.totals).toEqual({
    operators: body.operators.length,
    apiCalls: sum('apiCalls'),
    gatewayRequests: sum('gatewayRequests'),
    eventsIngested: sum('eventsIngested'),
    storageGbMonths: sumDecimals(body.operators.map((row) => row.storageGbMonths)),
    billableUnits: sum('billableUnits'),
    amount: amounts.includes(null) ? null : sumDecimals(amounts as string[]),
  });
  for (const row of body.operators) {
    const lines = [
      ...row.apiCallsByCategory,
      ...row.gatewayRequestsByConnector,
      ...row.eventsIngestedByType,
      ...row.storage,
    ];
    const lineAmounts = lines.map((line) => line.amount);
    expect(row.amount).toBe(lineAmounts.includes(null) ? null : sumDecimals(lineAmounts as string[]));
    expect(row.apiCalls).toBe(row.apiCallsByCategory.reduce((t, line) => t + line.calls, 0));
    expect(row.gatewayRequests).toBe(
      row.gatewayRequestsByConnector.reduce((t, line) => t + line.requests, 0),
    );
    expect(row.eventsIngested).toBe(row.eventsIngestedByType.reduce((t, line) => t + line.events, 0));
    expect(row.billableUnits).toBe(row.apiCalls + row.gatewayRequests + row.eventsIngested);
    expect(row.storageGbMonths).toBe(sumDecimals(row.storage.map((line) => line.gbMonths)));
  }
}

const winter = { pricePlanId: 'winter' };

describe('GET /platform-api/usage/report within one price plan', () => {
  it('prices every operator’s usage of 1–15 March exactly', async () => {
    const body = await report('start=2026-03-01&end=2026-03-15');
    expect(body).toEqual({
      start: '2026-03-01',
      end: '2026-03-15',
      window: { from: '2026-03-01T00:00:00Z', to: '2026-03-16T00:00:00Z' },
      currency: 'EUR',
      pricingPeriods: [
        {
          from: '2026-03-01T00:00:00Z',
          to: '2026-03-16T00:00:00Z',
          pricePlanId: 'winter',
          pricePlanName: 'Winter',
        },
      ],
      notes: [],
      operators: [
        {
          operatorId: 'op-alpha',
          name: 'Alpha',
          status: 'active',
          apiCalls: 6,
          gatewayRequests: 3,
          eventsIngested: 3,
          storageGbMonths: '0.150000',
          billableUnits: 12,
          // 0.002 + 0.000045 + 0.000015 + 0.000333 + 0.0004 + 0.0002 + 0.00005 + 0.00345
          amount: '0.006493',
          apiCallsByCategory: [
            { category: 'payments', calls: 2, ...winter, unitPrice: '0.001', amount: '0.002000' },
            { category: 'scores', calls: 3, ...winter, unitPrice: '0.000015', amount: '0.000045' },
            // no category: the metric's default price
            { category: null, calls: 1, ...winter, unitPrice: '0.000015', amount: '0.000015' },
          ],
          gatewayRequestsByConnector: [
            // 1 × 0.000333333333 rounds to 0.000333
            {
              connectorId: 'c-pay',
              name: 'Payments',
              requests: 1,
              ...winter,
              unitPrice: '0.000333333333',
              amount: '0.000333',
            },
            {
              connectorId: 'c-sms',
              name: 'SMS Gateway',
              requests: 2,
              ...winter,
              unitPrice: '0.0002',
              amount: '0.000400',
            },
          ],
          eventsIngestedByType: [
            { type: 'order.created', events: 2, ...winter, unitPrice: '0.0001', amount: '0.000200' },
            { type: 'user.signup', events: 1, ...winter, unitPrice: '0.00005', amount: '0.000050' },
          ],
          // day means 1.5e9 (03-01) and 3e9 (03-02), the other 13 days 0: 4.5e9 byte-days
          // → 4.5e9 / 15 = 3e8 bytes on average; 4.5 GB-days / 30 = 0.15 GB-months × 0.023
          storage: [
            {
              averageBytes: 300_000_000,
              gbMonths: '0.150000',
              ...winter,
              unitPrice: '0.023',
              amount: '0.003450',
            },
          ],
        },
        {
          operatorId: 'op-bravo',
          name: 'Bravo',
          status: 'active',
          apiCalls: 1,
          gatewayRequests: 3,
          eventsIngested: 0,
          storageGbMonths: '0.000000',
          billableUnits: 4,
          amount: '0.000882',
          apiCallsByCategory: [
            { category: 'scores', calls: 1, ...winter, unitPrice: '0.000015', amount: '0.000015' },
          ],
          gatewayRequestsByConnector: [
            // an unregistered connector: no name, the metric's default price
            {
              connectorId: 'c-ghost',
              name: null,
              requests: 1,
              ...winter,
              unitPrice: '0.0002',
              amount: '0.000200',
            },
            // 2 × 0.000333333333 = 0.000666666666 rounds to 0.000667
            {
              connectorId: 'c-pay',
              name: 'Payments',
              requests: 2,
              ...winter,
              unitPrice: '0.000333333333',
              amount: '0.000667',
            },
          ],
          eventsIngestedByType: [],
          storage: [
            { averageBytes: 0, gbMonths: '0.000000', ...winter, unitPrice: '0.023', amount: '0.000000' },
          ],
        },
        {
          // registered and active, but idle: reported with zeros
          operatorId: 'op-idle',
          name: 'Idle',
          status: 'active',
          apiCalls: 0,
          gatewayRequests: 0,
          eventsIngested: 0,
          storageGbMonths: '0.000000',
          billableUnits: 0,
          amount: '0.000000',
          apiCallsByCategory: [],
          gatewayRequestsByConnector: [],
          eventsIngestedByType: [],
          storage: [],
        },
        {
          operatorId: 'op-sierra',
          name: 'Sierra',
          status: 'suspended',
          apiCalls: 1,
          gatewayRequests: 0,
          eventsIngested: 0,
          storageGbMonths: '0.044444',
          billableUnits: 1,
          amount: '0.002022',
          apiCallsByCategory: [
            { category: 'payments', calls: 1, ...winter, unitPrice: '0.001', amount: '0.001000' },
          ],
          gatewayRequestsByConnector: [],
          eventsIngestedByType: [],
          // day 03-10: samples 1e9, 1e9, 2e9 (the 4th has no storageBytes) → mean 4e9/3 for one day;
          // / 15 days = 88888888.9; / 30 / 1e9 = 0.0444… GB-months; 0.044444 × 0.023 = 0.001022212
          storage: [
            {
              averageBytes: 88_888_889,
              gbMonths: '0.044444',
              ...winter,
              unitPrice: '0.023',
              amount: '0.001022',
            },
          ],
        },
        {
          operatorId: 'op-xray',
          name: null,
          status: 'unregistered',
          apiCalls: 0,
          gatewayRequests: 0,
          eventsIngested: 1,
          storageGbMonths: '0.000000',
          billableUnits: 1,
          amount: '0.000050',
          apiCallsByCategory: [],
          gatewayRequestsByConnector: [],
          eventsIngestedByType: [
            { type: 'user.signup', events: 1, ...winter, unitPrice: '0.00005', amount: '0.000050' },
          ],
          storage: [],
        },
      ],
      // op-sleepy (suspended, idle) is left out; usage without an operator is nobody's
      totals: {
        operators: 5,
        apiCalls: 8,
        gatewayRequests: 6,
        eventsIngested: 4,
        storageGbMonths: '0.194444',
        billableUnits: 18,
        amount: '0.009447',
      },
    });
    expectTotalsAddUp(body);
  });

  it('runs 4 store queries, for 2 operators as for 20', async () => {
    for (const tenant of [small, large]) {
      stack.queries.count = 0;
      const body = await report('start=2026-03-01&end=2026-03-15', tenant.keys.platform);
      expect(stack.queries.count).toBe(4);
      const n = tenant === small ? 2 : 20;
      expect(body.operators.map((row) => row.operatorId)).toEqual(
        Array.from({ length: n }, (_, i) => `op-other-${String(i).padStart(2, '0')}`),
      );
      // each: 1 call at 0.001, 1 gateway request and 1 ingested event not priced, (i+1)·1e6 bytes for a
      // day: op-other-01 stores 2e6 byte-days, 2e6 / 15 days on average, 2e6 / 30 / 1e9 GB-months
      expect(body.totals).toMatchObject({
        operators: n,
        apiCalls: n,
        gatewayRequests: n,
        eventsIngested: n,
        billableUnits: 3 * n,
      });
      expect(body.operators[1]?.storage).toEqual([
        {
          averageBytes: 133_333,
          gbMonths: '0.000067',
          pricePlanId: 'flat',
          unitPrice: '1',
          amount: '0.000067',
        },
      ]);
      expect(body.operators[0]?.gatewayRequestsByConnector).toEqual([
        {
          connectorId: 'c-other',
          name: 'Other connector',
          requests: 1,
          pricePlanId: 'flat',
          unitPrice: null,
          amount: '0.000000',
        },
      ]);
      expectTotalsAddUp(body);
    }
  });

  it('keeps tenants apart', async () => {
    const own = await report('start=2026-03-01&end=2026-03-15');
    expect(own.operators.some((row) => row.operatorId.startsWith('op-other-'))).toBe(false);
    const other = await report('start=2026-03-01&end=2026-03-15', small.keys.platform);
    expect(other.operators.map((row) => row.operatorId)).toEqual(['op-other-00', 'op-other-01']);
    expect(other.currency).toBe('EUR');
  });
});

describe('GET /platform-api/usage/report across a price-plan change', () => {
  it('cuts the window at the change and prices each side with its own plan', async () => {
    stack.queries.count = 0;
    const body = await report('start=2026-03-01&end=2026-03-31');
    expect(stack.queries.count).toBe(8); // 4 per pricing period
    expect(body.pricingPeriods).toEqual([
      {
        from: '2026-03-01T00:00:00Z',
        to: '2026-03-16T12:00:00Z',
        pricePlanId: 'winter',
        pricePlanName: 'Winter',
      },
      {
        from: '2026-03-16T12:00:00Z',
        to: '2026-04-01T00:00:00Z',
        pricePlanId: 'spring',
        pricePlanName: 'Spring',
      },
    ]);
    const spring = { pricePlanId: 'spring' };
    const alpha = body.operators.find((row) => row.operatorId === 'op-alpha');
    expect(alpha?.apiCallsByCategory).toEqual([
      { category: 'payments', calls: 2, ...winter, unitPrice: '0.001', amount: '0.002000' },
      // a-sc-16 at 03-16 00:00 is still winter
      { category: 'scores', calls: 4, ...winter, unitPrice: '0.000015', amount: '0.000060' },
      { category: 'scores', calls: 2, ...spring, unitPrice: '0.00002', amount: '0.000040' },
      { category: null, calls: 1, ...winter, unitPrice: '0.000015', amount: '0.000015' },
    ]);
    expect(alpha?.eventsIngestedByType).toEqual([
      { type: 'order.created', events: 2, ...winter, unitPrice: '0.0001', amount: '0.000200' },
      { type: 'user.signup', events: 1, ...winter, unitPrice: '0.00005', amount: '0.000050' },
      // spring prices no ingested events: not billed
      { type: 'user.signup', events: 1, ...spring, unitPrice: null, amount: '0.000000' },
    ]);
    // winter: 1.5e9 + 3e9 whole days + 3e9 for the half day of 03-16 = 6e9 byte-days over 15.5 days;
    // spring: 6e9 for the other half of 03-16 = 3e9 byte-days over 15.5 days
    expect(alpha?.storage).toEqual([
      { averageBytes: 387_096_774, gbMonths: '0.200000', ...winter, unitPrice: '0.023', amount: '0.004600' },
      { averageBytes: 193_548_387, gbMonths: '0.100000', ...spring, unitPrice: '0.02', amount: '0.002000' },
    ]);
    expect(alpha).toMatchObject({
      apiCalls: 9,
      eventsIngested: 4,
      storageGbMonths: '0.300000',
      // 0.002 + 0.00006 + 0.00004 + 0.000015 + 0.000333 + 0.0004 + 0.0002 + 0.00005 + 0 + 0.0046 + 0.002
      amount: '0.009698',
    });
    expect(body.notes).toEqual([]);
    expectTotalsAddUp(body);
  });
});

describe('GET /platform-api/usage/report without a price plan', () => {
  it('reports the units without prices or amounts, and says why', async () => {
    const body = await report('start=2025-12-01&end=2025-12-31');
    expect(body.currency).toBeNull();
    expect(body.pricingPeriods).toEqual([
      { from: '2025-12-01T00:00:00Z', to: '2026-01-01T00:00:00Z', pricePlanId: null, pricePlanName: null },
    ]);
    expect(body.notes).toEqual([
      'No price plan is in force from 2025-12-01T00:00:00Z to 2026-01-01T00:00:00Z: its usage is reported without unit prices or amounts.',
    ]);
    const alpha = body.operators.find((row) => row.operatorId === 'op-alpha');
    expect(alpha?.apiCallsByCategory).toEqual([
      { category: 'scores', calls: 1, pricePlanId: null, unitPrice: null, amount: null },
    ]);
    expect(alpha?.amount).toBeNull();
    expect(body.operators.find((row) => row.operatorId === 'op-idle')?.amount).toBe('0.000000');
    expect(body.totals).toMatchObject({ apiCalls: 1, billableUnits: 1, amount: null });
    expectTotalsAddUp(body);
  });

  it('marks the unpriced part of a window that a plan covers only in part', async () => {
    const body = await report('start=2025-12-20&end=2026-01-10');
    expect(body.currency).toBe('EUR');
    expect(body.pricingPeriods.map((p) => p.pricePlanId)).toEqual([null, 'winter']);
    expect(body.notes).toHaveLength(1);
  });

  it('refuses a window whose plans are in different currencies', async () => {
    const mixed = await seedTenantWithOperators(stack, 1, [
      {
        id: 'usd',
        currency: 'USD',
        validFrom: '2026-01-01T00:00:00.000Z',
        validTo: '2026-02-01T00:00:00.000Z',
      },
      { id: 'eur', currency: 'EUR', validFrom: '2026-02-01T00:00:00.000Z' },
    ]);
    const problem = await readProblem(
      (await get('start=2026-01-15&end=2026-02-15', mixed.keys.platform)).response,
    );
    expect(problem).toMatchObject({ status: 422, code: 'MIXED_CURRENCIES' });
    expect((await report('start=2026-02-01&end=2026-02-15', mixed.keys.platform)).currency).toBe('EUR');
  });
});

describe('GET /platform-api/usage/report bad input', () => {
  it.each([
    ['end=2026-03-31', 'start'],
    ['start=2026-03-01', 'end'],
    ['', 'start'],
    ['start=2026-02-30&end=2026-03-31', 'start'],
    ['start=2026-3-1&end=2026-03-31', 'start'],
    ['start=2026-03-01T00:00:00Z&end=2026-03-31', 'start'],
    ['start=2026-03-01&end=March', 'end'],
    ['start=2026-03-01&end=2026-03-31&format=csv', 'format'],
  ])('?%s is 400 naming %s', async (query, parameter) => {
    const problem = await readProblem((await get(query)).response);
    expect(problem).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect(problem.detail).toContain(`'${parameter}'`);
  });

  it.each([
    [
      'start after end',
      'start=2026-03-31&end=2026-03-01',
      "'end' (2026-03-01) must not be before 'start' (2026-03-31)",
    ],
    [
      '93 days',
      'start=2026-01-01&end=2026-04-03',
      "'end' must be at most 92 days after 'start' (both inclusive); 2026-01-01..2026-04-03 is 93 days",
    ],
  ])('%s is 400 INVALID_WINDOW naming end', async (_name, query, detail) => {
    const problem = await readProblem((await get(query)).response);
    expect(problem).toMatchObject({ status: 400, code: 'INVALID_WINDOW', parameter: 'end', detail });
  });

  it('takes a single day and a 92-day quarter', async () => {
    expect((await report('start=2026-03-05&end=2026-03-05')).totals.apiCalls).toBe(3);
    expect((await report('start=2026-01-01&end=2026-04-02')).window).toEqual({
      from: '2026-01-01T00:00:00Z',
      to: '2026-04-03T00:00:00Z',
    });
  });
});
