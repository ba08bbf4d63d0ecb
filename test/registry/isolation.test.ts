import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CreatedTenant, createTenant } from '#lib/domain/tenants.ts';
import { routes } from '#lib/routes.ts';
import { type LocalStack, readProblem, startLocalStack } from '../support/local-stack.ts';
import { type Answer, call, registrySnapshot } from './support.ts';

// Tenant A (the stack's) owns one of everything; tenant B tries every registry endpoint on it.
let stack: LocalStack;
let other: CreatedTenant;
let accountKey: string;
const a = {
  operator: 'op-a',
  connector: 'conn-a',
  connection: 'cx-a',
  account: 'acct-a',
  project: 'proj-a',
  plan: 'plan-a',
  key: '',
};

beforeAll(async () => {
  stack = await startLocalStack();
  other = await createTenant(stack.stores.runtime, 'Other Platform', new Date());
  const create = async (path: string, body: unknown) => {
    const answer = await call(stack, 'POST', path, { body });
    if (answer.status !== 201) throw new Error(`${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  };
  await create('/platform-api/operators', { id: a.operator, name: 'Alpha Operator' });
  await create('/platform-api/connectors', { id: a.connector, name: 'Alpha Connector' });
  await create('/platform-api/connections', {
    id: a.connection,
    operatorId: a.operator,
    connectorId: a.connector,
  });
  await create('/platform-api/projects', { id: a.project, name: 'Alpha Project' });
  await create('/platform-api/accounts', {
    id: a.account,
    name: 'Alpha Account',
    operatorId: a.operator,
    projectIds: [a.project],
  });
  await create('/platform-api/price-plans', {
    id: a.plan,
    name: 'Alpha Plan',
    validFrom: '2026-01-01',
    prices: [{ metric: 'api_call', unitPrice: '0.001' }],
  });
  const key = await create('/platform-api/keys', {
    role: 'account',
    accountId: a.account,
    name: 'Alpha key',
  });
  a.key = key.keyId;
  accountKey = key.key;
});
afterAll(() => stack.close());

type Case = { method: string; path: string; body?: unknown };

/** Every registry route but settings (per tenant by construction), aimed at tenant A's ids. */
const byId = (): Record<string, Case> => ({
  'registry-operators-get': { method: 'GET', path: `/platform-api/operators/${a.operator}` },
  'registry-operators-update': {
    method: 'PATCH',
    path: `/platform-api/operators/${a.operator}`,
    body: { status: 'suspended' },
  },
  'registry-operators-delete': { method: 'DELETE', path: `/platform-api/operators/${a.operator}` },
  'registry-connectors-get': { method: 'GET', path: `/platform-api/connectors/${a.connector}` },
  'registry-connectors-update': {
    method: 'PATCH',
    path: `/platform-api/connectors/${a.connector}`,
    body: { description: 'x' },
  },
  'registry-connectors-delete': { method: 'DELETE', path: `/platform-api/connectors/${a.connector}` },
  'registry-connections-get': { method: 'GET', path: `/platform-api/connections/${a.connection}` },
  'registry-connections-update': {
    method: 'PATCH',
    path: `/platform-api/connections/${a.connection}`,
    body: { status: 'inactive' },
  },
  'registry-connections-delete': { method: 'DELETE', path: `/platform-api/connections/${a.connection}` },
  'registry-accounts-get': { method: 'GET', path: `/platform-api/accounts/${a.account}` },
  'registry-accounts-update': {
    method: 'PATCH',
    path: `/platform-api/accounts/${a.account}`,
    body: { name: 'Mine now' },
  },
  'registry-accounts-delete': { method: 'DELETE', path: `/platform-api/accounts/${a.account}` },
  'registry-projects-get': { method: 'GET', path: `/platform-api/projects/${a.project}` },
  'registry-projects-update': {
    method: 'PATCH',
    path: `/platform-api/projects/${a.project}`,
    body: { name: 'Mine now' },
  },
  'registry-projects-delete': { method: 'DELETE', path: `/platform-api/projects/${a.project}` },
  'registry-price-plans-get': { method: 'GET', path: `/platform-api/price-plans/${a.plan}` },
  'registry-price-plans-update': {
    method: 'PATCH',
    path: `/platform-api/price-plans/${a.plan}`,
    body: { name: 'Mine now' },
  },
  'registry-price-plans-delete': { method: 'DELETE', path: `/platform-api/price-plans/${a.plan}` },
  'registry-keys-get': { method: 'GET', path: `/platform-api/keys/${a.key}` },
  'registry-keys-update': {
    method: 'PATCH',
    path: `/platform-api/keys/${a.key}`,
    body: { rateLimits: { requestsPerMinute: 1, requestsPerHour: 1, requestsPerDay: 1 } },
  },
  'registry-keys-revoke': { method: 'DELETE', path: `/platform-api/keys/${a.key}` },
});

/** Creates that name tenant A's entities as references: B has no such entity, so 422. */
const referencing = (): Record<string, Case> => ({
  'registry-connections-create': {
    method: 'POST',
    path: '/platform-api/connections',
    body: { operatorId: a.operator, connectorId: a.connector },
  },
  'registry-accounts-create': {
    method: 'POST',
    path: '/platform-api/accounts',
    body: { name: 'Stolen', operatorId: a.operator, projectIds: [a.project] },
  },
  'registry-keys-create': {
    method: 'POST',
    path: '/platform-api/keys',
    body: { role: 'account', accountId: a.account },
  },
});

const lists = [
  'registry-operators-list',
  'registry-connectors-list',
  'registry-connections-list',
  'registry-accounts-list',
  'registry-projects-list',
  'registry-price-plans-list',
  'registry-keys-list',
];

/** Creates whose ids and names are per tenant: B may use the same ones, and gets its own entity. */
const ownCreates = (): Record<string, Case> => ({
  'registry-operators-create': {
    method: 'POST',
    path: '/platform-api/operators',
    body: { id: a.operator, name: 'Alpha Operator' },
  },
  'registry-connectors-create': {
    method: 'POST',
    path: '/platform-api/connectors',
    body: { id: a.connector, name: 'Alpha Connector' },
  },
  'registry-projects-create': {
    method: 'POST',
    path: '/platform-api/projects',
    body: { id: a.project, name: 'Alpha Project' },
  },
  'registry-price-plans-create': {
    method: 'POST',
    path: '/platform-api/price-plans',
    body: {
      id: a.plan,
      name: 'Alpha Plan',
      validFrom: '2026-01-01',
      prices: [{ metric: 'api_call', unitPrice: '0.5' }],
    },
  },
});

const send = (key: string, c: Case): Promise<Answer> =>
  call(stack, c.method, c.path, { key, ...(c.body === undefined ? {} : { body: c.body }) });

describe('tenant isolation of the registry', () => {
  it('covers every registry route but settings', () => {
    const covered = new Set([
      ...Object.keys(byId()),
      ...Object.keys(referencing()),
      ...lists,
      ...Object.keys(ownCreates()),
    ]);
    const registryRoutes = routes
      .map((route) => route.function as string)
      .filter((fn) => fn.startsWith('registry-') && !fn.startsWith('registry-settings-'));
    expect([...covered].sort()).toEqual([...registryRoutes].sort());
  });

  it("answers 404 to every read or write of tenant A's resources with tenant B's key, changing nothing", async () => {
    const before = await registrySnapshot(stack, stack.tenant.tenantId);
    const keyBefore = await call(stack, 'GET', `/platform-api/keys/${a.key}`);
    for (const [fn, c] of Object.entries(byId())) {
      const response = await stack.request(c.path, {
        method: c.method,
        key: other.keys.platform,
        headers: { 'content-type': 'application/json' },
        ...(c.body === undefined ? {} : { body: JSON.stringify(c.body) }),
      });
      const problem = await readProblem(response);
      expect([fn, response.status], JSON.stringify(problem)).toEqual([fn, 404]);
      expect(JSON.stringify(problem)).not.toMatch(/Alpha/);
    }
    for (const [fn, c] of Object.entries(referencing())) {
      const answer = await send(other.keys.platform, c);
      expect([fn, answer.status, answer.body.code]).toEqual([fn, 422, expect.stringMatching(/^UNKNOWN_/)]);
    }
    expect(await registrySnapshot(stack, stack.tenant.tenantId)).toEqual(before);
    expect((await call(stack, 'GET', `/platform-api/keys/${a.key}`)).body).toEqual(keyBefore.body);
    // A's key is still active: refused for its role (403), not as revoked (401)
    expect((await stack.request('/platform-api/operators', { key: accountKey })).status).toBe(403);
  });

  it("lets B use the same ids and names for B's own entities, never touching A's", async () => {
    const before = await registrySnapshot(stack, stack.tenant.tenantId);
    for (const [fn, c] of Object.entries(ownCreates())) {
      const answer = await send(other.keys.platform, c);
      expect([fn, answer.status]).toEqual([fn, 201]);
    }
    expect(await registrySnapshot(stack, stack.tenant.tenantId)).toEqual(before);
    expect((await call(stack, 'GET', `/platform-api/price-plans/${a.plan}`)).body.prices[0].unitPrice).toBe(
      '0.001',
    );
  });

  it("never lists another tenant's items", async () => {
    const paths: Record<string, string> = {
      'registry-operators-list': '/platform-api/operators',
      'registry-connectors-list': '/platform-api/connectors',
      'registry-connections-list': `/platform-api/connections?operatorId=${a.operator}`,
      'registry-accounts-list': `/platform-api/accounts?operatorId=${a.operator}`,
      'registry-projects-list': '/platform-api/projects',
      'registry-price-plans-list': '/platform-api/price-plans',
      'registry-keys-list': '/platform-api/keys',
    };
    expect(Object.keys(paths).sort()).toEqual([...lists].sort());
    for (const [fn, path] of Object.entries(paths)) {
      const mine = await call(stack, 'GET', path);
      const theirs = await call(stack, 'GET', path, { key: other.keys.platform });
      expect([fn, mine.status, theirs.status]).toEqual([fn, 200, 200]);
      const ids = (answer: Answer) =>
        (answer.body.items as { id?: string; keyId?: string; version: number; name?: string }[]).map(
          (item) => `${item.id ?? item.keyId}@${item.name ?? ''}@${JSON.stringify(item)}`,
        );
      // B's items (same ids, by design) are B's own: no item of A's list appears in B's
      for (const item of ids(mine)) expect(ids(theirs)).not.toContain(item);
      if (fn === 'registry-keys-list') {
        const keyIds = theirs.body.items.map((k: { keyId: string }) => k.keyId);
        expect(keyIds).not.toContain(a.key);
      }
    }
    const theirAccounts = await call(stack, 'GET', '/platform-api/accounts', { key: other.keys.platform });
    expect(theirAccounts.body.items).toEqual([]);
    const theirConnections = await call(stack, 'GET', '/platform-api/connections', {
      key: other.keys.platform,
    });
    expect(theirConnections.body.items).toEqual([]);
  });

  it("rejects a cursor of A's list presented by B", async () => {
    await call(stack, 'POST', '/platform-api/operators', { body: { id: 'op-a2', name: 'Alpha Two' } });
    const page = await call(stack, 'GET', '/platform-api/operators?limit=1');
    expect(page.body.nextCursor).toEqual(expect.any(String));
    const stolen = await call(
      stack,
      'GET',
      `/platform-api/operators?cursor=${encodeURIComponent(page.body.nextCursor)}`,
      {
        key: other.keys.platform,
      },
    );
    expect([stolen.status, stolen.body.code]).toEqual([400, 'INVALID_CURSOR']);
    const keys = await call(stack, 'GET', '/platform-api/keys?limit=1');
    const stolenKeys = await call(
      stack,
      'GET',
      `/platform-api/keys?cursor=${encodeURIComponent(keys.body.nextCursor)}`,
      {
        key: other.keys.platform,
      },
    );
    expect(stolenKeys.status).toBe(400);
  });

  it("keeps Idempotency-Keys per tenant: the same key in B runs B's own request", async () => {
    const body = { name: 'Shared Key Project' };
    const mine = await call(stack, 'POST', '/platform-api/projects', {
      body,
      headers: { 'idempotency-key': 'same-key' },
    });
    const theirs = await call(stack, 'POST', '/platform-api/projects', {
      body,
      key: other.keys.platform,
      headers: { 'idempotency-key': 'same-key' },
    });
    expect([mine.status, theirs.status]).toEqual([201, 201]);
    expect(theirs.headers.get('idempotent-replayed')).toBeNull();
    expect(theirs.body.id).not.toBe(mine.body.id);
  });

  it('refuses every registry route to account and ingest keys with 403', async () => {
    const all = { ...byId(), ...referencing(), ...ownCreates() };
    const cases: Case[] = [
      ...Object.values(all),
      ...lists.map((fn) => ({
        method: 'GET',
        path: `/platform-api/${fn.replace('registry-', '').replace('-list', '')}`,
      })),
      { method: 'GET', path: '/platform-api/settings' },
      { method: 'PUT', path: '/platform-api/settings', body: { name: 'x', contactEmail: 'a@b.example.com' } },
    ];
    for (const c of cases) {
      for (const key of [accountKey, stack.tenant.keys.ingest]) {
        const answer = await send(key, c);
        expect([c.method, c.path, answer.status, answer.body.code]).toEqual([
          c.method,
          c.path,
          403,
          'INSUFFICIENT_ROLE',
        ]);
      }
    }
  });
});
