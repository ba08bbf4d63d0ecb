import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getKey } from '#lib/domain/registry/api-key-admin.ts';
import { pricePlansOf } from '#lib/domain/registry/price-plan-service.ts';
import { priceInForce, unitPrice } from '#lib/domain/registry/price-plans.ts';
import { accounts, connections, operators, projects } from '#lib/domain/registry/registry.ts';
import { getSettings } from '#lib/domain/registry/settings.ts';
import { type CreatedTenant, createTenant } from '#lib/domain/tenants.ts';
import { Runtime } from '#lib/wiring/runtime.ts';
import type { DemoIds } from '../../infra/local/demo-events.ts';
import { type DemoRegistry, seedDemoRegistry } from '../../infra/local/demo-registry.ts';
import { type EmbeddedDynamo, startEmbeddedDynamo } from '../../infra/local/embedded-stores.ts';

let dynamo: EmbeddedDynamo;
let runtime: Runtime;
let tenant: CreatedTenant;
let demo: DemoRegistry;
const now = new Date('2026-11-23T10:00:00Z');

beforeAll(async () => {
  dynamo = await startEmbeddedDynamo();
  runtime = new Runtime({
    configTable: () => dynamo.table,
    timeSeries: () => {
      throw new Error('the registry needs no time series');
    },
  });
  tenant = await createTenant(runtime, 'Demo Platform', now);
  demo = await seedDemoRegistry(runtime, tenant, now);
});
afterAll(() => dynamo.close());

const page = { limit: 200 };

describe('seedDemoRegistry', () => {
  it('returns what the demo event generator takes', () => {
    const ids: DemoIds = demo; // compile-time: the registry feeds demo-events.ts as it is
    expect(ids.operators.length).toBeGreaterThanOrEqual(6);
  });

  it('creates operators (one suspended), connectors with active and inactive connections, accounts and projects', async () => {
    const ops = (await operators.list(runtime, tenant.tenantId, page)).items;
    expect(ops.map((o) => o.id).sort()).toEqual([...demo.operators].sort());
    expect(ops.filter((o) => o.status === 'suspended').map((o) => o.id)).toEqual(demo.suspendedOperators);
    expect(demo.suspendedOperators.length).toBeGreaterThanOrEqual(1);
    expect(ops.map((o) => o.name)).toContain('Carrier Alpha UK');

    const cx = (await connections.list(runtime, tenant.tenantId, page)).items;
    expect(cx).toHaveLength(demo.connections.length);
    expect(new Set(cx.map((c) => c.status))).toEqual(new Set(['active', 'inactive']));
    expect(new Set(cx.map((c) => c.connectorId))).toEqual(new Set(demo.connectors));

    const accts = (await accounts.list(runtime, tenant.tenantId, page)).items;
    expect(accts).toHaveLength(10);
    expect(new Set(accts.map((a) => a.operatorId)).size).toBeGreaterThanOrEqual(5);
    const projectIds = (await projects.list(runtime, tenant.tenantId, page)).items.map((p) => p.id);
    expect(projectIds.sort()).toEqual(['bot', 'commerce', 'internal', 'platform']);
    for (const account of accts) for (const id of account.projectIds) expect(projectIds).toContain(id);
  });

  it('issues account keys with rate limits, within their accounts', async () => {
    expect(demo.apiKeyIds.length).toBeGreaterThanOrEqual(3);
    for (const issued of demo.apiKeys) {
      const key = await getKey(runtime, tenant.tenantId, issued.keyId);
      expect(key).toMatchObject({ role: 'account', accountId: issued.accountId, status: 'active' });
      expect(key.rateLimits?.requestsPerMinute).toBeGreaterThan(0);
      expect(issued.key.startsWith('mh_account_')).toBe(true);
    }
  });

  it('prices the demo events from a plan in force now, in the settings currency', async () => {
    expect((await getSettings(runtime, tenant.tenantId)).defaultCurrency).toBe('EUR');
    const plan = priceInForce(await pricePlansOf(runtime, tenant.tenantId), now);
    expect(plan?.id).toBe(demo.pricePlanId);
    expect(plan?.currency).toBe('EUR');
    if (!plan) return;
    expect(unitPrice(plan, 'input_tokens_1k', 'claude-sonnet-4-5')).toBe('0.003');
    expect(unitPrice(plan, 'api_call', 'scores')).toBe('0.0004');
    expect(unitPrice(plan, 'gateway_request', 'conn-openai')).toBe('0.0005');
    expect(unitPrice(plan, 'message_segment')).toBe('0.0065');
  });
});
