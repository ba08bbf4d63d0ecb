import { PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildHttpHandler } from '#lib/http/route.ts';
import type { RouteEntry } from '#lib/manifest-types.ts';
import type { LambdaHandler } from '../../infra/local/handlers.ts';
import { type LocalStack, readProblem, startLocalStack } from '../support/local-stack.ts';

// A synthetic route that writes one item per request, so each bad request can be shown to
// have written nothing. It runs through the same middleware stack as every real route.
const thingsRoute: RouteEntry = {
  method: 'POST',
  path: '/test/things/{group}',
  function: 'test-create-thing',
  auth: 'platform',
  binds: ['config:write'],
  maxBodyBytes: 1024,
};
const explodeRoute: RouteEntry = {
  method: 'GET',
  path: '/test/explode',
  function: 'test-explode',
  auth: 'public',
  binds: [],
};
const notFoundRoute: RouteEntry = {
  method: 'ANY',
  path: '$default',
  function: 'route-not-found',
  auth: 'public',
  binds: [],
};

const createThing = buildHttpHandler(
  thingsRoute,
  {
    params: z.object({ group: z.string().regex(/^[a-z]+$/) }),
    query: z.object({ dryRun: z.enum(['true', 'false']).optional() }),
    body: z.strictObject({ name: z.string().min(1).max(20), size: z.number().int().positive() }),
  },
  async ({ body, params, principal, runtime }) => {
    const { doc, tableName } = runtime.configTable;
    await doc.send(
      new PutCommand({
        TableName: tableName,
        Item: { pk: `T#${principal.tenantId}`, sk: `THING#${params.group}#${body.name}`, size: body.size },
      }),
    );
    return { status: 201, body: { group: params.group, ...body } };
  },
);
const explode = buildHttpHandler(explodeRoute, {}, async () => {
  throw new Error('connection to db-internal.corp:5432 refused (password=hunter2)');
});

let stack: LocalStack;

async function storedThings(): Promise<number> {
  const { doc, tableName } = stack.stores.runtime.configTable;
  const { Items = [] } = await doc.send(new ScanCommand({ TableName: tableName }));
  return Items.filter((item) => String(item.sk).startsWith('THING#')).length;
}

beforeAll(async () => {
  const { handler: notFound } = await import('#functions/route-not-found.ts');
  stack = await startLocalStack({
    routes: [thingsRoute, explodeRoute, notFoundRoute],
    handlers: new Map<string, LambdaHandler>([
      ['test-create-thing', createThing as LambdaHandler],
      ['test-explode', explode as LambdaHandler],
      ['route-not-found', notFound as LambdaHandler],
    ]),
  });
});
afterAll(() => stack.close());

const json = { 'content-type': 'application/json' };

describe('problem+json for bad input, with nothing written', () => {
  it('accepts a good request (the baseline the failures are measured against)', async () => {
    const response = await stack.request('/test/things/tools', {
      method: 'POST',
      key: stack.tenant.keys.platform,
      headers: json,
      body: JSON.stringify({ name: 'hammer', size: 3 }),
    });
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ group: 'tools', name: 'hammer', size: 3 });
    expect(await storedThings()).toBe(1);
  });

  it.each([
    ['malformed JSON', { headers: json, body: '{"name": "saw",' }, 400, 'MALFORMED_JSON'],
    ['an empty JSON body', { headers: json, body: '' }, 400, 'MALFORMED_JSON'],
    [
      'a wrong content type',
      { headers: { 'content-type': 'text/plain' }, body: 'name=saw' },
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    [
      'an unknown field',
      { headers: json, body: '{"name":"saw","size":1,"colour":"red"}' },
      400,
      'VALIDATION_FAILED',
    ],
    ['a wrong type', { headers: json, body: '{"name":"saw","size":"big"}' }, 400, 'VALIDATION_FAILED'],
    [
      'an oversize body',
      { headers: json, body: JSON.stringify({ name: 'x'.repeat(2000), size: 1 }) },
      413,
      'PAYLOAD_TOO_LARGE',
    ],
  ])('%s', async (_name, init, status, code) => {
    const response = await stack.request('/test/things/tools', {
      method: 'POST',
      key: stack.tenant.keys.platform,
      ...init,
    });
    const problem = await readProblem(response);
    expect(response.status).toBe(status);
    expect(problem.code).toBe(code);
    expect(problem.instance).toBe('/test/things/tools');
    expect(await storedThings()).toBe(1);
  });

  it('names every offending parameter, wherever it is', async () => {
    const response = await stack.request('/test/things/TOOLS?dryRun=maybe', {
      method: 'POST',
      key: stack.tenant.keys.platform,
      headers: json,
      body: JSON.stringify({ name: '', size: -1 }),
    });
    const problem = await readProblem(response);
    expect(response.status).toBe(400);
    expect(problem.detail).toMatch(/'group'/);
    const errors = problem.errors as { in: string; name: string }[];
    expect(errors.map((e) => `${e.in}:${e.name}`).sort()).toEqual([
      'body:name',
      'body:size',
      'path:group',
      'query:dryRun',
    ]);
    expect(await storedThings()).toBe(1);
  });

  it.each([
    ['no key', undefined, 401, 'MISSING_API_KEY'],
    ['a malformed key', 'not-a-key', 401, 'INVALID_API_KEY'],
    ['an unknown key', `mh_platform_0123456789abcdef_${'A'.repeat(43)}`, 401, 'INVALID_API_KEY'],
  ])('rejects %s with 401', async (_name, key, status, code) => {
    const response = await stack.request('/test/things/tools', {
      method: 'POST',
      ...(key ? { key } : {}),
      headers: json,
      body: JSON.stringify({ name: 'saw', size: 1 }),
    });
    const problem = await readProblem(response);
    expect([response.status, problem.code]).toEqual([status, code]);
    expect(await storedThings()).toBe(1);
  });

  it('rejects a key of the right id with the wrong secret', async () => {
    const [prefix] = stack.tenant.keys.platform.split(/_(?=[^_]{43}$)/);
    const response = await stack.request('/test/things/tools', {
      method: 'POST',
      key: `${prefix}_${'B'.repeat(43)}`,
      headers: json,
      body: JSON.stringify({ name: 'saw', size: 1 }),
    });
    expect((await readProblem(response)).code).toBe('INVALID_API_KEY');
  });

  it('rejects the wrong role with 403', async () => {
    const response = await stack.request('/test/things/tools', {
      method: 'POST',
      key: stack.tenant.keys.ingest,
      headers: json,
      body: JSON.stringify({ name: 'saw', size: 1 }),
    });
    const problem = await readProblem(response);
    expect([response.status, problem.code]).toEqual([403, 'INSUFFICIENT_ROLE']);
    expect(await storedThings()).toBe(1);
  });

  it('rejects a revoked key with 401', async () => {
    const { createApiKey } = await import('#lib/domain/tenants.ts');
    const issued = await createApiKey(
      stack.stores.runtime,
      { tenantId: stack.tenant.tenantId, role: 'platform' },
      new Date(),
    );
    await stack.stores.runtime.apiKeys.revoke(issued.record.keyId, new Date());
    const response = await stack.request('/test/things/tools', {
      method: 'POST',
      key: issued.key,
      headers: json,
      body: JSON.stringify({ name: 'saw', size: 1 }),
    });
    expect((await readProblem(response)).code).toBe('REVOKED_API_KEY');
    expect(await storedThings()).toBe(1);
  });

  it('answers an unknown path with 404 and an unknown method with 405 and Allow', async () => {
    const missing = await stack.request('/nowhere');
    expect([missing.status, (await readProblem(missing)).code]).toEqual([404, 'ROUTE_NOT_FOUND']);
    // The catch-all knows the real manifest: /v1/events exists, for POST only.
    const wrongMethod = await stack.request('/v1/events', { method: 'DELETE' });
    expect([wrongMethod.status, (await readProblem(wrongMethod)).code]).toEqual([405, 'METHOD_NOT_ALLOWED']);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
  });

  it('answers an unexpected failure with a 500 that leaks nothing but the request id', async () => {
    const response = await stack.request('/test/explode');
    const problem = await readProblem(response);
    expect([response.status, problem.code]).toEqual([500, 'INTERNAL']);
    const text = JSON.stringify(problem);
    expect(text).not.toMatch(/hunter2|db-internal|5432|stack|Error:/);
    expect(problem.detail).toContain(String(problem.requestId));
    expect(response.headers.get('apigw-requestid')).toBe(problem.requestId);
  });
});
