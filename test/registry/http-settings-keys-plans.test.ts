import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiKeyCreatedView,
  apiKeyView,
  listResponse,
  pricePlanView,
  settingsView,
} from '#lib/contracts/platform-registry.ts';
import { parseApiKey } from '#lib/domain/api-keys.ts';
import { type LocalStack, startLocalStack } from '../support/local-stack.ts';
import { call, pageIds, registrySnapshot } from './support.ts';

let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack();
  await call(stack, 'POST', '/platform-api/operators', { body: { id: 'op-1', name: 'Operator One' } });
  await call(stack, 'POST', '/platform-api/projects', { body: { id: 'bot', name: 'Bot' } });
  await call(stack, 'POST', '/platform-api/projects', { body: { id: 'commerce', name: 'Commerce' } });
  await call(stack, 'POST', '/platform-api/accounts', {
    body: { id: 'acct-1', name: 'Account One', operatorId: 'op-1', projectIds: ['bot'] },
  });
});
afterAll(() => stack.close());

const tenantId = () => stack.tenant.tenantId;

describe('platform settings', () => {
  const profile = {
    name: 'My Platform',
    contactEmail: 'support@myplatform.example.com',
    webhookUrl: 'https://myplatform.example.com/webhooks/meterhouse',
    timezone: 'Europe/London',
    defaultCurrency: 'GBP',
  };

  it('starts from the tenant name at version 0', async () => {
    const answer = await call(stack, 'GET', '/platform-api/settings');
    expect(settingsView.parse(answer.body)).toEqual({
      name: 'Test Platform',
      contactEmail: null,
      billingEmail: null,
      webhookUrl: null,
      website: null,
      timezone: 'UTC',
      defaultCurrency: 'USD',
      rateLimits: { platform: null, ingest: null, account: null },
      version: 0,
      updatedAt: null,
    });
  });

  it('replaces the profile with PUT, and PUT again clears what is left out', async () => {
    const put = await call(stack, 'PUT', '/platform-api/settings', {
      body: profile,
      headers: { 'if-match': '0' },
    });
    expect(put.status).toBe(200);
    expect(settingsView.parse(put.body)).toMatchObject({ ...profile, billingEmail: null, version: 1 });
    expect(put.headers.get('etag')).toBe('"1"');
    expect((await call(stack, 'GET', '/platform-api/settings')).body).toEqual(put.body);

    const replaced = await call(stack, 'PUT', '/platform-api/settings', {
      body: { name: 'My Platform', contactEmail: 'ops@myplatform.example.com' },
    });
    expect(replaced.body).toMatchObject({
      webhookUrl: null,
      timezone: 'UTC',
      defaultCurrency: 'USD',
      version: 2,
    });
    const stale = await call(stack, 'PUT', '/platform-api/settings', {
      body: profile,
      headers: { 'if-match': '1' },
    });
    expect([stale.status, stale.body.code]).toEqual([409, 'VERSION_CONFLICT']);
    await call(stack, 'PUT', '/platform-api/settings', { body: profile });
  });

  it.each([
    ['an http webhook', { webhookUrl: 'http://myplatform.example.com/hook' }, 'webhookUrl'],
    ['a webhook to an IP address', { webhookUrl: 'https://10.0.0.1/hook' }, 'webhookUrl'],
    ['a website that is no URL', { website: 'myplatform' }, 'website'],
    ['an invalid email', { contactEmail: 'support@' }, 'contactEmail'],
    ['an unknown time zone', { timezone: 'Mars/Olympus_Mons' }, 'timezone'],
    ['an offset for a time zone', { timezone: '+01:00' }, 'timezone'],
    ['an unknown currency', { defaultCurrency: 'XYZ' }, 'defaultCurrency'],
    ['a lower-case currency', { defaultCurrency: 'eur' }, 'defaultCurrency'],
    ['an unknown field', { logo: 'x.png' }, 'logo'],
    ['an oversize name', { name: 'n'.repeat(201) }, 'name'],
  ])('rejects %s with 400 and changes nothing', async (_case, change, field) => {
    const before = await call(stack, 'GET', '/platform-api/settings');
    const answer = await call(stack, 'PUT', '/platform-api/settings', { body: { ...profile, ...change } });
    expect([answer.status, answer.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(answer.body.errors.map((e: { name: string }) => e.name)).toContain(field);
    expect((await call(stack, 'GET', '/platform-api/settings')).body).toEqual(before.body);
  });

  it('needs the whole profile: a PUT without contactEmail is 400', async () => {
    const answer = await call(stack, 'PUT', '/platform-api/settings', { body: { name: 'Only a name' } });
    expect(answer.status).toBe(400);
  });
});

describe('API keys', () => {
  let keyId: string;
  let key: string;

  it('creates a key with scope and rate limits, returning the secret once', async () => {
    const created = await call(stack, 'POST', '/platform-api/keys', {
      body: {
        role: 'account',
        name: 'Storefront',
        accountId: 'acct-1',
        projectId: 'bot',
        rateLimits: { requestsPerMinute: 100, requestsPerHour: 1000, requestsPerDay: 10000 },
      },
    });
    expect(created.status).toBe(201);
    const view = apiKeyCreatedView.parse(created.body);
    expect(view).toMatchObject({
      role: 'account',
      accountId: 'acct-1',
      projectId: 'bot',
      status: 'active',
      version: 1,
    });
    expect(view.key).toMatch(/^mh_account_[0-9a-f]{16}_/);
    keyId = view.keyId;
    key = view.key;
    expect(created.headers.get('location')).toBe(`/platform-api/keys/${keyId}`);

    // the key works, for its own account only
    const own = await stack.request('/v1/developer/usage', { key });
    expect(own.status).not.toBe(401);
  });

  it('never shows the secret or its hash again', async () => {
    const one = await call(stack, 'GET', `/platform-api/keys/${keyId}`);
    expect(apiKeyView.parse(one.body).keyId).toBe(keyId);
    const list = await call(stack, 'GET', '/platform-api/keys');
    listResponse(apiKeyView).parse(list.body);
    // The secret is base64url and may itself contain '_': take it as the parser does.
    const { secret } = parseApiKey(key);
    for (const text of [JSON.stringify(one.body), JSON.stringify(list.body)]) {
      expect(text).not.toContain(secret);
      expect(text).not.toMatch(/secretHash|[0-9a-f]{64}/);
    }
    expect(list.body.items.map((k: { keyId: string }) => k.keyId)).toContain(keyId);
  });

  it('changes rate limits and name with PATCH, 409 on a stale version', async () => {
    const patched = await call(stack, 'PATCH', `/platform-api/keys/${keyId}`, {
      body: {
        rateLimits: { requestsPerMinute: 200, requestsPerHour: 5000, requestsPerDay: 50000 },
        name: null,
      },
      headers: { 'if-match': '1' },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: null, rateLimits: { requestsPerMinute: 200 }, version: 2 });
    const stale = await call(stack, 'PATCH', `/platform-api/keys/${keyId}`, {
      body: { name: 'late' },
      headers: { 'if-match': '1' },
    });
    expect([stale.status, stale.body.code]).toEqual([409, 'VERSION_CONFLICT']);
  });

  it.each([
    ['an unknown role', { role: 'admin' }, 400],
    [
      'limits out of order',
      { role: 'ingest', rateLimits: { requestsPerMinute: 10, requestsPerHour: 5, requestsPerDay: 100 } },
      400,
    ],
    [
      'a fractional limit',
      { role: 'ingest', rateLimits: { requestsPerMinute: 1.5, requestsPerHour: 5, requestsPerDay: 100 } },
      400,
    ],
    ['an account key without its account', { role: 'account' }, 400],
    ['an ingest key bound to an account', { role: 'ingest', accountId: 'acct-1' }, 400],
    ['an unknown account', { role: 'account', accountId: 'acct-none' }, 422],
    ['an unknown project', { role: 'ingest', projectId: 'nope' }, 422],
    ['a project outside the account', { role: 'account', accountId: 'acct-1', projectId: 'commerce' }, 422],
  ])('rejects %s and issues no key', async (_case, body, status) => {
    const before = (await pageIds(stack, '/platform-api/keys', 200)).flat();
    const answer = await call(stack, 'POST', '/platform-api/keys', { body });
    expect(answer.status).toBe(status);
    expect(answer.body.code).toBeDefined();
    expect((await pageIds(stack, '/platform-api/keys', 200)).flat()).toEqual(before);
  });

  it('revokes with DELETE (idempotent), after which the key no longer authenticates', async () => {
    const revoked = await call(stack, 'DELETE', `/platform-api/keys/${keyId}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ status: 'revoked', version: 3 });
    expect(revoked.body.revokedAt).toEqual(expect.any(String));
    const again = await call(stack, 'DELETE', `/platform-api/keys/${keyId}`);
    expect(again.body).toEqual(revoked.body);
    const refused = await stack.request('/v1/developer/usage', { key });
    expect(refused.status).toBe(401);
  });

  it('pages keys and rejects malformed key ids', async () => {
    for (let i = 0; i < 4; i += 1)
      await call(stack, 'POST', '/platform-api/keys', { body: { role: 'ingest', name: `ingest ${i}` } });
    const pages = await pageIds(stack, '/platform-api/keys', 3);
    const all = pages.flat();
    expect(new Set(all).size).toBe(all.length);
    expect(all.length).toBeGreaterThanOrEqual(7); // the stack's two, the account key, four new
    expect(pages.slice(0, -1).every((page) => page.length === 3)).toBe(true);
    const malformed = await call(stack, 'GET', '/platform-api/keys/not-a-key');
    expect(malformed.status).toBe(400);
    const unknown = await call(stack, 'GET', '/platform-api/keys/key_0000000000000000');
    expect([unknown.status, unknown.body.code]).toEqual([404, 'API_KEY_NOT_FOUND']);
  });
});

describe('price plans', () => {
  const plan2026 = {
    id: 'std-2026',
    name: 'Standard 2026',
    validFrom: '2026-01-01',
    validTo: '2027-01-01',
    prices: [
      { metric: 'api_call', unitPrice: '0.0004' },
      { metric: 'api_call', dimensionValue: 'payments', unitPrice: '0.001' },
      { metric: 'input_tokens_1k', dimensionValue: 'gpt-4o', unitPrice: '0.002500000001' },
      { metric: 'storage_gb_month', unitPrice: '0.023' },
    ],
  };

  it('creates a plan in the settings currency, keeping prices as exact strings', async () => {
    const created = await call(stack, 'POST', '/platform-api/price-plans', { body: plan2026 });
    expect(created.status).toBe(201);
    const view = pricePlanView.parse(created.body);
    expect(view).toMatchObject({
      currency: 'GBP',
      validFrom: '2026-01-01T00:00:00.000Z',
      validTo: '2027-01-01T00:00:00.000Z',
      description: null,
      version: 1,
    });
    expect(view.prices[2]).toEqual({
      metric: 'input_tokens_1k',
      dimensionValue: 'gpt-4o',
      unitPrice: '0.002500000001',
    });
    expect(view.prices[0]?.dimensionValue).toBeNull();
  });

  it('answers 409 PLAN_OVERLAP to an overlapping validity, and accepts an adjacent one', async () => {
    const before = await registrySnapshot(stack, tenantId());
    const overlapping = await call(stack, 'POST', '/platform-api/price-plans', {
      body: {
        ...plan2026,
        id: 'mid-2026',
        name: 'Mid 2026',
        validFrom: '2026-06-01T00:00:00Z',
        validTo: undefined,
      },
    });
    expect([overlapping.status, overlapping.body.code, overlapping.body.conflictingPlanId]).toEqual([
      409,
      'PLAN_OVERLAP',
      'std-2026',
    ]);
    const sameName = await call(stack, 'POST', '/platform-api/price-plans', {
      body: { ...plan2026, id: 'other', validFrom: '2030-01-01', validTo: undefined },
    });
    expect([sameName.status, sameName.body.code]).toEqual([409, 'NAME_TAKEN']);
    expect(await registrySnapshot(stack, tenantId())).toEqual(before);

    const adjacent = await call(stack, 'POST', '/platform-api/price-plans', {
      body: {
        ...plan2026,
        id: 'std-2027',
        name: 'Standard 2027',
        validFrom: '2027-01-01',
        validTo: undefined,
        currency: 'EUR',
      },
    });
    expect(adjacent.status).toBe(201);
    expect(adjacent.body).toMatchObject({ currency: 'EUR', validTo: null });

    const extend = await call(stack, 'PATCH', '/platform-api/price-plans/std-2026', {
      body: { validTo: '2027-02-01' },
    });
    expect([extend.status, extend.body.code]).toEqual([409, 'PLAN_OVERLAP']);
    const shorten = await call(stack, 'PATCH', '/platform-api/price-plans/std-2026', {
      body: { validTo: '2026-12-01' },
      headers: { 'if-match': '1' },
    });
    expect(shorten.body).toMatchObject({ validTo: '2026-12-01T00:00:00.000Z', version: 2 });
  });

  it('lets only one of two concurrent overlapping creates in', async () => {
    const answers = await Promise.all(
      ['race-a', 'race-b'].map((id) =>
        call(stack, 'POST', '/platform-api/price-plans', {
          body: { ...plan2026, id, name: id, validFrom: '2020-01-01', validTo: '2021-01-01' },
        }),
      ),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409]);
  });

  it.each([
    ['a number as price', { unitPrice: 0.5 }],
    ['a negative price', { unitPrice: '-0.5' }],
    ['13 decimals', { unitPrice: '0.0000000000001' }],
    ['an exponent', { unitPrice: '1e-6' }],
    ['a leading zero', { unitPrice: '01.5' }],
    ['a comma', { unitPrice: '0,5' }],
    ['an unknown metric', { metric: 'sms_sent' }],
    ['a dimension on a single-price metric', { metric: 'storage_gb_month', dimensionValue: 'ssd' }],
  ])('rejects %s with 400 and writes nothing', async (_case, price) => {
    const before = await registrySnapshot(stack, tenantId());
    const answer = await call(stack, 'POST', '/platform-api/price-plans', {
      body: {
        ...plan2026,
        id: 'bad',
        name: 'Bad',
        validFrom: '2040-01-01',
        validTo: undefined,
        prices: [{ metric: 'api_call', unitPrice: '0.1', ...price }],
      },
    });
    expect(answer.status).toBe(400);
    expect(await registrySnapshot(stack, tenantId())).toEqual(before);
  });

  it('rejects an inverted validity and a duplicate price with 400', async () => {
    const inverted = await call(stack, 'POST', '/platform-api/price-plans', {
      body: { ...plan2026, id: 'inv', name: 'Inverted', validFrom: '2041-02-01', validTo: '2041-01-01' },
    });
    expect([inverted.status, inverted.body.errors[0].name]).toEqual([400, 'validTo']);
    const duplicate = await call(stack, 'POST', '/platform-api/price-plans', {
      body: {
        ...plan2026,
        id: 'dup',
        name: 'Duplicate',
        validFrom: '2041-01-01',
        prices: [
          { metric: 'api_call', unitPrice: '0.1' },
          { metric: 'api_call', unitPrice: '0.2' },
        ],
      },
    });
    expect([duplicate.status, duplicate.body.code]).toEqual([400, 'INVALID_PRICE_PLAN']);
  });

  it('lists, reads and deletes plans', async () => {
    const list = await call(stack, 'GET', '/platform-api/price-plans?limit=1');
    expect(list.body.items).toHaveLength(1);
    expect(list.body.nextCursor).toEqual(expect.any(String));
    const all = (await pageIds(stack, '/platform-api/price-plans', 1)).flat();
    expect(all).toEqual([...all].sort());
    expect(all).toContain('std-2027');
    expect(
      (await call(stack, 'DELETE', '/platform-api/price-plans/std-2027', { headers: { 'if-match': '1' } }))
        .status,
    ).toBe(204);
    expect((await call(stack, 'GET', '/platform-api/price-plans/std-2027')).status).toBe(404);
  });
});
