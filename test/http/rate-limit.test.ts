import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RATE_LIMITS } from '#lib/domain/rate-limit.ts';
import { putSettings } from '#lib/domain/registry/settings.ts';
import { type CreatedTenant, createApiKey, createTenant } from '#lib/domain/tenants.ts';
import { call, registrySnapshot } from '../registry/support.ts';
import { type LocalStack, readProblem, startLocalStack, storedMessageCount } from '../support/local-stack.ts';

let stack: LocalStack;
let limited: CreatedTenant;
let secondIngestKey: string;

beforeAll(async () => {
  stack = await startLocalStack();
  // A tenant whose own settings give its ingest keys 2 requests and one more every 100 s.
  limited = await createTenant(stack.stores.runtime, 'Limited Platform', new Date());
  await putSettings(stack.stores.runtime, limited.tenantId, {
    name: 'Limited Platform',
    contactEmail: 'ops@limited.example.com',
    rateLimits: { ingest: { requestsPerSecond: 0.01, burst: 2 } },
  });
  secondIngestKey = (
    await createApiKey(stack.stores.runtime, { tenantId: limited.tenantId, role: 'ingest' }, new Date())
  ).key;
});
afterAll(() => stack.close());

const event = (id: string) => ({
  id,
  time: new Date(Date.now() - 60_000).toISOString(),
  type: 'message',
  operatorId: 'op_rate',
  accountId: 'acct_rate',
  status: 'DELIVERED',
  segments: 1,
});

const post = (key: string, id: string) =>
  stack.request('/v1/events', {
    method: 'POST',
    key,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ events: [event(id)] }),
  });

const storedIds = (tenantId: string) => storedMessageCount(stack, { tenantId, operatorId: 'op_rate' });

describe('request rate limits per API key', () => {
  it("applies the tenant's own limit: over it a key gets 429 with Retry-After, and nothing is stored", async () => {
    const first = await post(limited.keys.ingest, 'r1');
    expect(first.status).toBe(200);
    expect(first.headers.get('ratelimit-limit')).toBe('2');
    expect(first.headers.get('ratelimit-remaining')).toBe('1');
    expect((await post(limited.keys.ingest, 'r2')).status).toBe(200);

    const refused = await post(limited.keys.ingest, 'r3');
    const problem = await readProblem(refused);
    expect([refused.status, problem.code]).toEqual([429, 'RATE_LIMITED']);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(90);
    expect(retryAfter).toBeLessThanOrEqual(100);
    expect(problem.retryAfterSeconds).toBe(retryAfter);
    expect(refused.headers.get('ratelimit-remaining')).toBe('0');
    expect(await storedIds(limited.tenantId)).toBe(2);
  });

  it('leaves another key of the same tenant, and its other roles, unaffected', async () => {
    const other = await post(secondIngestKey, 'r4');
    expect(other.status).toBe(200);
    expect(await storedIds(limited.tenantId)).toBe(3);
    const platform = await stack.request('/platform-api/operators', { key: limited.keys.platform });
    expect(platform.status).toBe(200);
    expect(platform.headers.get('ratelimit-limit')).toBe(String(DEFAULT_RATE_LIMITS.platform.burst));
  });

  it('refuses a write over the limit before it is validated or stored', async () => {
    const tenant = await createTenant(stack.stores.runtime, 'Tight Platform', new Date());
    await putSettings(stack.stores.runtime, tenant.tenantId, {
      name: 'Tight Platform',
      contactEmail: 'ops@tight.example.com',
      rateLimits: { platform: { requestsPerSecond: 0.01, burst: 1 } },
    });
    const create = () =>
      stack.request('/platform-api/operators', {
        method: 'POST',
        key: tenant.keys.platform,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Carrier Rate' }),
      });
    expect((await create()).status).toBe(201);
    const before = await registrySnapshot(stack, tenant.tenantId);
    const refused = await create();
    expect([refused.status, (await readProblem(refused)).code]).toEqual([429, 'RATE_LIMITED']);
    expect(await registrySnapshot(stack, tenant.tenantId)).toEqual(before);
  });

  it('gives keys without a tenant setting the default of their role', async () => {
    const answer = await post(stack.tenant.keys.ingest, 'default-1');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('ratelimit-limit')).toBe(String(DEFAULT_RATE_LIMITS.ingest.burst));
  });

  it('sets and shows a tenant limit through PUT /platform-api/settings, and refuses a bad one', async () => {
    const body = {
      name: 'Test Platform',
      contactEmail: 'ops@test.example.com',
      rateLimits: { account: { requestsPerSecond: 5, burst: 50 } },
    };
    const put = await call(stack, 'PUT', '/platform-api/settings', { body });
    expect(put.status).toBe(200);
    expect(put.body.rateLimits).toEqual({
      platform: null,
      ingest: null,
      account: body.rateLimits.account,
    });

    const before = await registrySnapshot(stack, stack.tenant.tenantId);
    const bad = await stack.request('/platform-api/settings', {
      method: 'PUT',
      key: stack.tenant.keys.platform,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        ...body,
        rateLimits: { ingest: { requestsPerSecond: 0, burst: 1 }, robots: {} },
      }),
    });
    const problem = await readProblem(bad);
    expect([bad.status, problem.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect((problem.errors as { name: string }[]).map((issue) => issue.name).sort()).toEqual([
      'rateLimits.ingest.requestsPerSecond',
      'rateLimits.robots',
    ]);
    expect(await registrySnapshot(stack, stack.tenant.tenantId)).toEqual(before);
  });
});
