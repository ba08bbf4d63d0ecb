import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RouteMatcher } from '#lib/http/route-match.ts';
import { routes } from '#lib/routes.ts';
import { call, registrySnapshot } from '../registry/support.ts';
import { type LocalStack, startLocalStack, storedMessageCount } from '../support/local-stack.ts';
import { rawRequest } from '../support/raw-http.ts';

let stack: LocalStack;
let operatorId: string;
beforeAll(async () => {
  stack = await startLocalStack();
  const created = await call(stack, 'POST', '/platform-api/operators', { body: { name: 'Carrier Edge' } });
  operatorId = created.body.id as string;
});
afterAll(() => stack.close());

const snapshot = () => registrySnapshot(stack, stack.tenant.tenantId);

const storedEvents = () => storedMessageCount(stack);

const batch = JSON.stringify({
  events: [
    {
      id: 'edge-1',
      time: new Date(Date.now() - 60_000).toISOString(),
      type: 'message',
      operatorId: 'op_edge',
      accountId: 'acct_edge',
      status: 'DELIVERED',
      segments: 1,
    },
  ],
});

describe('prototype keys in the query', () => {
  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', '__defineGetter__'])(
    '?%s=… is refused like any unknown parameter',
    async (name) => {
      const before = await snapshot();
      const answer = await call(stack, 'GET', `/platform-api/operators?${name}=x&limit=5`);
      expect([answer.status, answer.body.code]).toEqual([400, 'VALIDATION_FAILED']);
      expect(answer.body.errors).toEqual([{ in: 'query', name, message: 'unknown parameter' }]);
      expect(await snapshot()).toEqual(before);
    },
  );

  it('refuses them beside good parameters on an analytics read too', async () => {
    const answer = await call(
      stack,
      'GET',
      '/v1/internal/analytics/summary?__proto__[polluted]=1&constructor=x',
    );
    expect([answer.status, answer.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect((answer.body.errors as { name: string }[]).map((issue) => issue.name).sort()).toEqual([
      '__proto__[polluted]',
      'constructor',
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('dot segments', () => {
  // Sent raw: fetch would resolve them on the client before sending.
  it.each([
    ['GET', '/platform-api/operators/.'],
    ['GET', '/platform-api/operators/..'],
    ['GET', '/platform-api/operators/%2e'],
    ['GET', '/platform-api/operators/%2E%2e'],
    ['GET', '/platform-api/operators/.%2E'],
    ['GET', '/platform-api/./operators'],
    ['GET', `/platform-api/operators/x/../${'OPERATOR'}`],
    ['DELETE', '/platform-api/operators/..'],
    ['POST', '/platform-api/operators/.'],
  ])('%s %s answers 404, not another route', async (method, template) => {
    const path = template.replace('OPERATOR', operatorId);
    const before = await snapshot();
    const answer = await rawRequest(stack.url, [
      `${method} ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer ${stack.tenant.keys.platform}\r\n` +
        'content-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}',
    ]);
    expect(answer.status).toBe(404);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'ROUTE_NOT_FOUND', instance: path });
    expect(await snapshot()).toEqual(before);
  });

  it('are never matched by the router, which the catch-all shares', () => {
    const matcher = new RouteMatcher(routes);
    expect(matcher.match('GET', '/platform-api/operators/.')?.route.function).toBe('route-not-found');
    expect(matcher.allowedMethods('/platform-api/operators/%2e')).toEqual([]);
    // A dot inside a segment is an ordinary character.
    expect(matcher.match('GET', '/platform-api/operators/a.b')?.route.function).toBe(
      'registry-operators-get',
    );
  });
});

describe('a key whose text claims another role than it was issued with', () => {
  const claiming = (key: string, role: string) => key.replace(/^mh_[a-z]+_/, `mh_${role}_`);

  it('is refused with 401 on ingest (a platform key posing as ingest), storing nothing', async () => {
    const before = await storedEvents();
    const response = await stack.request('/v1/events', {
      method: 'POST',
      key: claiming(stack.tenant.keys.platform, 'ingest'),
      headers: { 'content-type': 'application/json' },
      body: batch,
    });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { code: string }).code).toBe('INVALID_API_KEY');
    expect(await storedEvents()).toBe(before);
  });

  it('is refused with 401, not 403, on a platform route (an ingest key posing as platform)', async () => {
    const before = await snapshot();
    const answer = await call(stack, 'POST', '/platform-api/operators', {
      key: claiming(stack.tenant.keys.ingest, 'platform'),
      body: { name: 'Carrier Impostor' },
    });
    expect([answer.status, answer.body.code]).toEqual([401, 'INVALID_API_KEY']);
    const asAccount = await call(stack, 'GET', '/platform-api/operators', {
      key: claiming(stack.tenant.keys.platform, 'account'),
    });
    expect(asAccount.status).toBe(401);
    expect(await snapshot()).toEqual(before);
  });
});

describe('compressed bodies', () => {
  it('answers 415 to a gzip ingest batch and stores nothing', async () => {
    const before = await storedEvents();
    const response = await stack.request('/v1/events', {
      method: 'POST',
      key: stack.tenant.keys.ingest,
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: gzipSync(batch),
    });
    expect(response.status).toBe(415);
    expect(await response.json()).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
    expect(await storedEvents()).toBe(before);
  });

  it.each(['gzip', 'br', 'identity, deflate'])(
    'answers 415 to a %s registry write and writes nothing',
    async (coding) => {
      const before = await snapshot();
      const answer = await call(stack, 'POST', '/platform-api/operators', {
        rawBody: JSON.stringify({ name: 'Carrier Zipped' }),
        headers: { 'content-encoding': coding },
      });
      expect([answer.status, answer.body.code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
      expect(await snapshot()).toEqual(before);
    },
  );

  it('takes a body sent as identity', async () => {
    const answer = await call(stack, 'POST', '/platform-api/operators', {
      rawBody: JSON.stringify({ name: 'Carrier Plain' }),
      headers: { 'content-encoding': 'identity' },
    });
    expect(answer.status).toBe(201);
  });
});
