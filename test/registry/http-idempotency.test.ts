import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseApiKey } from '#lib/domain/api-keys.ts';
import { buildHttpHandler } from '#lib/http/route.ts';
import type { RouteEntry } from '#lib/manifest-types.ts';
import { routes } from '#lib/routes.ts';
import { type LambdaHandler, loadHandlers } from '../../infra/local/handlers.ts';
import { type LocalStack, startLocalStack } from '../support/local-stack.ts';
import { call, registrySnapshot } from './support.ts';

// Synthetic idempotent routes through the real middleware stack: one that fails with a 500 on
// demand, one that waits until the test lets it finish.
const flakyRoute: RouteEntry = {
  method: 'POST',
  path: '/test/flaky',
  function: 'test-flaky',
  auth: 'platform',
  binds: ['config:write'],
};
const slowRoute: RouteEntry = {
  method: 'POST',
  path: '/test/slow',
  function: 'test-slow',
  auth: 'platform',
  binds: [],
};

let failNext = false;
let runs = 0;
const flaky = buildHttpHandler(
  flakyRoute,
  { body: z.strictObject({ n: z.number() }), idempotent: true },
  async ({ body }) => {
    runs += 1;
    if (failNext) {
      failNext = false;
      throw new Error('the database went away');
    }
    return { status: 201, body: { n: body.n, run: runs } };
  },
);

let release: () => void = () => undefined;
let entered: () => void = () => undefined;
const slowEntered = new Promise<void>((resolve) => {
  entered = resolve;
});
const slow = buildHttpHandler(slowRoute, { idempotent: true }, async () => {
  const finish = new Promise<void>((resolve) => {
    release = resolve;
  });
  entered();
  await finish;
  return { status: 202, body: { done: true } };
});

let stack: LocalStack;
beforeAll(async () => {
  const manifest = routes.filter((route) => route.path !== '$default');
  const fallback = routes.filter((route) => route.path === '$default');
  const all = [...manifest, flakyRoute, slowRoute, ...fallback];
  const handlers = await loadHandlers([...manifest, ...fallback]);
  handlers.set('test-flaky', flaky as LambdaHandler);
  handlers.set('test-slow', slow as LambdaHandler);
  stack = await startLocalStack({ routes: all, handlers });
});
afterAll(() => stack.close());

const withKey = (key: string) => ({ 'idempotency-key': key });

describe('Idempotency-Key', () => {
  it('replays a create: same status, body and headers, one operator stored', async () => {
    const body = { name: 'Carrier Alpha UK' };
    const first = await call(stack, 'POST', '/platform-api/operators', {
      body,
      headers: withKey('create-1'),
    });
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const before = await registrySnapshot(stack, stack.tenant.tenantId);

    const replay = await call(stack, 'POST', '/platform-api/operators', {
      body,
      headers: withKey('create-1'),
    });
    expect(replay.status).toBe(201);
    expect(replay.body).toEqual(first.body);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.headers.get('location')).toBe(first.headers.get('location'));
    expect(replay.headers.get('etag')).toBe(first.headers.get('etag'));
    expect(await registrySnapshot(stack, stack.tenant.tenantId)).toEqual(before);
  });

  it('answers 422 when the key is reused for another body, path or method', async () => {
    await call(stack, 'POST', '/platform-api/operators', {
      body: { name: 'Reuse Telecom' },
      headers: withKey('reuse-1'),
    });
    const otherBody = await call(stack, 'POST', '/platform-api/operators', {
      body: { name: 'Another Telecom' },
      headers: withKey('reuse-1'),
    });
    expect([otherBody.status, otherBody.body.code]).toEqual([422, 'IDEMPOTENCY_KEY_REUSED']);
    const otherPath = await call(stack, 'POST', '/platform-api/projects', {
      body: { name: 'Reuse Telecom' },
      headers: withKey('reuse-1'),
    });
    expect([otherPath.status, otherPath.body.code]).toEqual([422, 'IDEMPOTENCY_KEY_REUSED']);
    expect((await call(stack, 'GET', '/platform-api/projects')).body.items).toHaveLength(0);
  });

  it('stores and replays 4xx answers too', async () => {
    await call(stack, 'POST', '/platform-api/operators', { body: { id: 'taken', name: 'Taken Telecom' } });
    const conflict = await call(stack, 'POST', '/platform-api/operators', {
      body: { name: 'Taken Telecom' },
      headers: withKey('conflict-1'),
    });
    expect(conflict.status).toBe(409);
    // the conflict goes away, but the key still answers what it answered
    expect((await call(stack, 'DELETE', '/platform-api/operators/taken')).status).toBe(204);
    const replay = await call(stack, 'POST', '/platform-api/operators', {
      body: { name: 'Taken Telecom' },
      headers: withKey('conflict-1'),
    });
    expect([replay.status, replay.body.code, replay.headers.get('idempotent-replayed')]).toEqual([
      409,
      'NAME_TAKEN',
      'true',
    ]);
    expect(replay.headers.get('content-type')).toMatch(/^application\/problem\+json/);

    const invalid = await call(stack, 'POST', '/platform-api/operators', {
      body: { name: '' },
      headers: withKey('invalid-1'),
    });
    const invalidAgain = await call(stack, 'POST', '/platform-api/operators', {
      body: { name: '' },
      headers: withKey('invalid-1'),
    });
    expect([invalid.status, invalidAgain.status, invalidAgain.headers.get('idempotent-replayed')]).toEqual([
      400,
      400,
      'true',
    ]);
  });

  it('replays a DELETE instead of answering 404 the second time', async () => {
    await call(stack, 'POST', '/platform-api/operators', { body: { id: 'to-delete', name: 'Delete Me' } });
    const first = await call(stack, 'DELETE', '/platform-api/operators/to-delete', {
      headers: withKey('delete-1'),
    });
    const again = await call(stack, 'DELETE', '/platform-api/operators/to-delete', {
      headers: withKey('delete-1'),
    });
    expect([first.status, again.status, again.headers.get('idempotent-replayed')]).toEqual([
      204,
      204,
      'true',
    ]);
    const fresh = await call(stack, 'DELETE', '/platform-api/operators/to-delete');
    expect(fresh.status).toBe(404);
  });

  it('releases the key after a 5xx so that a retry runs again', async () => {
    failNext = true;
    const failed = await call(stack, 'POST', '/test/flaky', { body: { n: 1 }, headers: withKey('flaky-1') });
    expect([failed.status, failed.body.code]).toEqual([500, 'INTERNAL']);
    const retried = await call(stack, 'POST', '/test/flaky', { body: { n: 1 }, headers: withKey('flaky-1') });
    expect(retried.status).toBe(201);
    expect(retried.headers.get('idempotent-replayed')).toBeNull();
    const replayed = await call(stack, 'POST', '/test/flaky', {
      body: { n: 1 },
      headers: withKey('flaky-1'),
    });
    expect(replayed.body).toEqual(retried.body);
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
  });

  it('answers 409 to a duplicate while the first is still running', async () => {
    const first = call(stack, 'POST', '/test/slow', { headers: withKey('slow-1') });
    await slowEntered; // the first request holds the key and sits in the handler
    const duplicate = await call(stack, 'POST', '/test/slow', { headers: withKey('slow-1') });
    expect([duplicate.status, duplicate.body.code]).toEqual([409, 'IDEMPOTENCY_IN_PROGRESS']);
    release();
    expect((await first).status).toBe(202);
    const after = await call(stack, 'POST', '/test/slow', { headers: withKey('slow-1') });
    expect([after.status, after.headers.get('idempotent-replayed')]).toEqual([202, 'true']);
  });

  it('replays a new API key, but keeps neither the secret nor the client key readable in the table', async () => {
    const idempotencyKey = 'f3b1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
    const first = await call(stack, 'POST', '/platform-api/keys', {
      body: { role: 'ingest' },
      headers: withKey(idempotencyKey),
    });
    const replay = await call(stack, 'POST', '/platform-api/keys', {
      body: { role: 'ingest' },
      headers: withKey(idempotencyKey),
    });
    expect(first.status).toBe(201);
    expect(replay.body).toEqual(first.body);
    const { doc, tableName } = stack.stores.runtime.configTable;
    const { Items = [] } = await doc.send(new ScanCommand({ TableName: tableName }));
    const records = Items.filter((item) => String(item.pk).includes('#IDEM#'));
    expect(records.length).toBeGreaterThan(0);
    const text = JSON.stringify(records);
    expect(text).not.toContain(first.body.key);
    expect(text).not.toContain(parseApiKey(first.body.key).secret);
    expect(text).not.toContain(idempotencyKey);
    for (const record of records) {
      expect(record.sk).toBe('IDEM');
      expect(record.pk).toMatch(new RegExp(`^T#${stack.tenant.tenantId}#IDEM#`));
      expect(Number(record.expiresAt) - Date.now() / 1000).toBeGreaterThan(23.9 * 3600);
    }
  });

  it('rejects a malformed Idempotency-Key with 400', async () => {
    const answer = await call(stack, 'POST', '/platform-api/operators', {
      body: { name: 'Key Telecom' },
      headers: withKey('x'.repeat(256)),
    });
    expect([answer.status, answer.body.errors?.[0]?.name]).toEqual([400, 'Idempotency-Key']);
  });

  it('leaves writes without the header alone', async () => {
    const a = await call(stack, 'POST', '/test/flaky', { body: { n: 2 } });
    const b = await call(stack, 'POST', '/test/flaky', { body: { n: 2 } });
    expect(b.body.run).toBe(a.body.run + 1);
  });
});
