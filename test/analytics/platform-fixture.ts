import { expect } from 'vitest';
import type { RegistryPorts } from '#lib/domain/registry/entities.ts';
import { createPricePlan } from '#lib/domain/registry/price-plan-service.ts';
import type { UnitPrice } from '#lib/domain/registry/price-plans.ts';
import { connections, connectors, operators } from '#lib/domain/registry/registry.ts';
import type { ConnectionStatus, OperatorStatus } from '#lib/domain/registry/types.ts';
import { type CreatedTenant, createTenant } from '#lib/domain/tenants.ts';
import type { LocalStack } from '../support/local-stack.ts';

/**
 * The hand-made platform of the platform-metrics tests: a registry (operators of each status,
 * connectors with active and inactive connections, two price plans that change at noon on
 * 16 March 2026) and usage events whose every figure is worked out by hand in the tests. The
 * clock is fixed at 10 April 2026, 12:00 UTC.
 */
export const NOW = new Date('2026-04-10T12:00:00Z');

export const OPERATORS: [string, string, OperatorStatus][] = [
  ['op-alpha', 'Alpha', 'active'],
  ['op-bravo', 'Bravo', 'active'],
  ['op-idle', 'Idle', 'active'],
  ['op-sierra', 'Sierra', 'suspended'],
  ['op-sleepy', 'Sleepy', 'suspended'],
];
export const CONNECTORS: [string, string, string][] = [
  ['c-sms', 'SMS Gateway', 'messaging'],
  ['c-pay', 'Payments', 'payments'],
  ['c-crm', 'CRM', 'crm'],
];
export const CONNECTIONS: [string, string, ConnectionStatus][] = [
  ['op-alpha', 'c-sms', 'active'],
  ['op-alpha', 'c-pay', 'active'],
  ['op-bravo', 'c-sms', 'active'],
  ['op-bravo', 'c-crm', 'inactive'],
  ['op-sierra', 'c-sms', 'inactive'],
  ['op-idle', 'c-pay', 'active'],
];

/** "winter": in force until 16 March 2026 12:00 UTC. */
export const WINTER: UnitPrice[] = [
  { metric: 'api_call', unitPrice: '0.000015' },
  { metric: 'api_call', dimensionValue: 'payments', unitPrice: '0.001' },
  { metric: 'gateway_request', unitPrice: '0.0002' },
  { metric: 'gateway_request', dimensionValue: 'c-pay', unitPrice: '0.000333333333' },
  { metric: 'event_ingested', unitPrice: '0.00005' },
  { metric: 'event_ingested', dimensionValue: 'order.created', unitPrice: '0.0001' },
  { metric: 'storage_gb_month', unitPrice: '0.023' },
];
/** "spring": from 16 March 2026 12:00 UTC, open-ended; it does not price ingested events. */
export const SPRING: UnitPrice[] = [
  { metric: 'api_call', unitPrice: '0.00002' },
  { metric: 'gateway_request', unitPrice: '0.0003' },
  { metric: 'storage_gb_month', unitPrice: '0.02' },
];
export const PLAN_CHANGE = '2026-03-16T12:00:00Z';

type Extra = Record<string, unknown>;
const e = (id: string, time: string, type: string, extra: Extra) => ({ id, time, type, ...extra });
const api = (id: string, time: string, operatorId: string | undefined, category?: string) =>
  e(id, time, 'api.request', {
    ...(operatorId ? { operatorId } : {}),
    ...(category ? { category } : {}),
    endpoint: '/v1/x',
    method: 'GET',
    statusCode: 200,
  });
const gw = (id: string, time: string, operatorId: string, connectorId: string) =>
  e(id, time, 'gateway.request', { operatorId, connectorId, statusCode: 200 });
const ingested = (id: string, time: string, operatorId: string, category: string) =>
  e(id, time, 'event.ingested', { operatorId, category });
const storage = (id: string, time: string, operatorId: string, storageBytes?: number) =>
  e(id, time, 'storage.sample', { operatorId, ...(storageBytes === undefined ? {} : { storageBytes }) });

/** Usage of 1–15 March 2026 (window [03-01, 03-16)); the tests' hand computations refer to these ids. */
export const MARCH_1_15 = [
  // op-alpha: API calls in three categories (one without), gateway on two connectors, two event types
  api('a-pay-1', '2026-03-02T10:00:00Z', 'op-alpha', 'payments'),
  api('a-pay-2', '2026-03-03T11:00:00Z', 'op-alpha', 'payments'),
  api('a-sc-1', '2026-03-05T09:00:00Z', 'op-alpha', 'scores'),
  api('a-sc-2', '2026-03-05T09:00:01Z', 'op-alpha', 'scores'),
  api('a-sc-3', '2026-03-05T09:00:02Z', 'op-alpha', 'scores'),
  api('a-nocat', '2026-03-06T00:00:00Z', 'op-alpha'),
  gw('a-gw-sms-1', '2026-03-07T08:00:00Z', 'op-alpha', 'c-sms'),
  gw('a-gw-sms-2', '2026-03-07T08:30:00Z', 'op-alpha', 'c-sms'),
  gw('a-gw-pay-1', '2026-03-08T08:00:00Z', 'op-alpha', 'c-pay'),
  ingested('a-in-oc-1', '2026-03-09T12:00:00Z', 'op-alpha', 'order.created'),
  ingested('a-in-oc-2', '2026-03-09T12:00:00.250Z', 'op-alpha', 'order.created'),
  ingested('a-in-us-1', '2026-03-12T07:45:30.500Z', 'op-alpha', 'user.signup'),
  // op-alpha storage: day 03-01 mean 1.5e9, day 03-02 3e9; no other day of the window
  storage('a-st-1', '2026-03-01T06:00:00Z', 'op-alpha', 1_000_000_000),
  storage('a-st-2', '2026-03-01T18:00:00Z', 'op-alpha', 2_000_000_000),
  storage('a-st-3', '2026-03-02T06:00:00Z', 'op-alpha', 3_000_000_000),
  // op-bravo: one API call, gateway through c-pay and an unregistered connector, a message, 0 bytes stored
  api('b-sc-1', '2026-03-04T10:00:00Z', 'op-bravo', 'scores'),
  gw('b-gw-pay-1', '2026-03-10T10:00:00Z', 'op-bravo', 'c-pay'),
  gw('b-gw-pay-2', '2026-03-10T11:00:00Z', 'op-bravo', 'c-pay'),
  gw('b-gw-ghost', '2026-03-11T10:00:00Z', 'op-bravo', 'c-ghost'),
  e('b-msg', '2026-03-15T20:00:00Z', 'message', { operatorId: 'op-bravo', status: 'DELIVERED' }),
  storage('b-st-1', '2026-03-15T23:00:00Z', 'op-bravo', 0),
  // op-sierra (suspended): one call; day 03-10 samples 1e9, 1e9, 2e9 and one without storageBytes
  api('s-pay-1', '2026-03-04T10:00:00Z', 'op-sierra', 'payments'),
  storage('s-st-1', '2026-03-10T01:00:00Z', 'op-sierra', 1_000_000_000),
  storage('s-st-2', '2026-03-10T02:00:00Z', 'op-sierra', 1_000_000_000),
  storage('s-st-3', '2026-03-10T03:00:00Z', 'op-sierra', 2_000_000_000),
  storage('s-st-4', '2026-03-10T04:00:00Z', 'op-sierra'),
  // op-xray: in events only, never registered
  ingested('x-in-us-1', '2026-03-13T13:00:00Z', 'op-xray', 'user.signup'),
  // no operator: counted by no platform figure
  api('n-sc-1', '2026-03-05T10:00:00Z', undefined, 'scores'),
  e('n-gw-1', '2026-03-05T10:00:00Z', 'gateway.request', { connectorId: 'c-sms' }),
  // just outside [03-01, 03-16): from inclusive, to exclusive
  api('o-before', '2026-02-28T23:59:59.999Z', 'op-alpha', 'scores'),
];

/** Usage of 16–31 March 2026, across the plan change at 16 March 12:00 UTC. */
export const MARCH_16_31 = [
  api('a-sc-16', '2026-03-16T00:00:00Z', 'op-alpha', 'scores'), // winter
  api('a-sc-20-1', '2026-03-20T10:00:00Z', 'op-alpha', 'scores'), // spring
  api('a-sc-20-2', '2026-03-20T11:00:00Z', 'op-alpha', 'scores'),
  ingested('a-in-us-20', '2026-03-20T12:00:00Z', 'op-alpha', 'user.signup'), // spring: not priced
  storage('a-st-16-am', '2026-03-16T06:00:00Z', 'op-alpha', 3_000_000_000), // winter half of 03-16
  storage('a-st-16-pm', '2026-03-16T18:00:00Z', 'op-alpha', 6_000_000_000), // spring half of 03-16
];

/** December 2025: before any price plan. */
export const DECEMBER = [api('a-dec-1', '2025-12-10T10:00:00Z', 'op-alpha', 'scores')];

export function portsOf(stack: LocalStack): RegistryPorts {
  const runtime = stack.stores.runtime;
  return { registry: runtime.registry, apiKeys: runtime.apiKeys, tenants: runtime.tenants, clock: () => NOW };
}

export async function ingest(stack: LocalStack, key: string, events: readonly Extra[]): Promise<void> {
  for (let i = 0; i < events.length; i += 500) {
    const batch = events.slice(i, i + 500);
    const response = await stack.request('/v1/events', {
      method: 'POST',
      key,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ events: batch }),
    });
    expect(await response.json()).toMatchObject({ accepted: batch.length });
  }
}

/** The main tenant's registry and events. */
export async function seedPlatform(stack: LocalStack): Promise<void> {
  const ports = portsOf(stack);
  const { tenantId } = stack.tenant;
  for (const [id, name, status] of OPERATORS) await operators.create(ports, tenantId, { id, name, status });
  for (const [id, name, category] of CONNECTORS)
    await connectors.create(ports, tenantId, { id, name, category });
  for (const [operatorId, connectorId, status] of CONNECTIONS) {
    await connections.create(ports, tenantId, { operatorId, connectorId, status });
  }
  await createPricePlan(ports, tenantId, {
    id: 'winter',
    name: 'Winter',
    currency: 'EUR',
    validFrom: '2026-01-01T00:00:00.000Z',
    validTo: '2026-03-16T12:00:00.000Z',
    prices: WINTER,
  });
  await createPricePlan(ports, tenantId, {
    id: 'spring',
    name: 'Spring',
    currency: 'EUR',
    validFrom: '2026-03-16T12:00:00.000Z',
    prices: SPRING,
  });
  await ingest(stack, stack.tenant.keys.ingest, [...MARCH_1_15, ...MARCH_16_31, ...DECEMBER]);
}

/**
 * Another tenant with `n` registered operators, each with a connection, a price plan, and usage
 * of every family in the first half of March: for query counts and tenant isolation.
 */
export async function seedTenantWithOperators(
  stack: LocalStack,
  n: number,
  plans: { id: string; currency: string; validFrom: string; validTo?: string }[] = [
    { id: 'flat', currency: 'EUR', validFrom: '2026-01-01T00:00:00.000Z' },
  ],
): Promise<CreatedTenant> {
  const tenant = await createTenant(stack.stores.runtime, `Tenant with ${n} operators`, NOW);
  const ports = portsOf(stack);
  await connectors.create(ports, tenant.tenantId, { id: 'c-other', name: 'Other connector' });
  const events: Extra[] = [];
  for (let i = 0; i < n; i += 1) {
    const id = `op-other-${String(i).padStart(2, '0')}`;
    await operators.create(ports, tenant.tenantId, { id, name: `Other ${i}` });
    await connections.create(ports, tenant.tenantId, { operatorId: id, connectorId: 'c-other' });
    events.push(
      api(`${id}-api`, '2026-03-02T10:00:00Z', id, `cat-${i}`),
      gw(`${id}-gw`, '2026-03-02T10:00:00Z', id, 'c-other'),
      ingested(`${id}-in`, '2026-03-02T10:00:00Z', id, `type-${i}`),
      storage(`${id}-st`, '2026-03-02T10:00:00Z', id, 1_000_000 * (i + 1)),
    );
  }
  for (const plan of plans) {
    await createPricePlan(ports, tenant.tenantId, {
      ...plan,
      name: plan.id,
      prices: [
        { metric: 'api_call', unitPrice: '0.001' },
        { metric: 'storage_gb_month', unitPrice: '1' },
      ],
    });
  }
  await ingest(stack, tenant.keys.ingest, events);
  return tenant;
}
