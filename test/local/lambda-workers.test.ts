import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putSettings } from '#lib/domain/registry/settings.ts';
import { type CreatedTenant, createTenant } from '#lib/domain/tenants.ts';
import type { RouteEntry } from '#lib/manifest-types.ts';
import { routes } from '#lib/routes.ts';
import type { EmbeddedStores } from '../../infra/local/embedded-stores.ts';
import { type LambdaWorkers, startLambdaWorkers } from '../../infra/local/lambda-workers.ts';
import type { LocalServer } from '../../infra/local/server.ts';
import { readProblem } from '../support/local-stack.ts';
import { startWorkerStack, type WorkerStack } from '../support/worker-stack.ts';

/** A job handler behind an HTTP route: the API Gateway event has no schedule time, so the job throws. */
const throwingRoute: RouteEntry = {
  method: 'POST',
  path: '/test/sweep',
  function: 'job-expired-items-sweep',
  auth: 'public',
  binds: [],
};
let stack: WorkerStack;
let stores: EmbeddedStores;
let tenant: CreatedTenant;
let workers: LambdaWorkers;
let server: LocalServer;

beforeAll(async () => {
  stack = await startWorkerStack({ count: 2, routes: [throwingRoute, ...routes] });
  ({ stores, tenant, workers, server } = stack);
});

afterAll(() => stack?.close());

function request(path: string, init: RequestInit & { key?: string } = {}): Promise<Response> {
  const { key, headers, ...rest } = init;
  return fetch(`${server.url}${path}`, {
    ...rest,
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(headers as Record<string, string>) },
  });
}

const spread = (before: readonly number[]) => workers.invocations().map((n, i) => n - (before[i] ?? 0));

describe('Lambda handlers in worker threads', () => {
  it('creates a registry operator and reads it back through the workers', async () => {
    const created = await request('/platform-api/operators', {
      method: 'POST',
      key: tenant.keys.platform,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Carrier Worker' }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };

    const read = await request(`/platform-api/operators/${id}`, { key: tenant.keys.platform });
    expect(read.status).toBe(200);
    expect(await read.json()).toMatchObject({ id, name: 'Carrier Worker' });
  });

  it('ingests events over HTTP into the main thread DuckDB store and reads them back', async () => {
    const time = new Date(Date.now() - 60_000);
    const events = ['w1', 'w2', 'w3'].map((id, i) => ({
      id,
      time: time.toISOString(),
      type: 'message',
      operatorId: 'op_worker',
      accountId: 'acct_worker',
      status: i === 2 ? 'FAILED' : 'DELIVERED',
      segments: 1,
      cost: '0.010000',
      latencyMs: 100,
    }));
    const ingested = await request('/v1/events', {
      method: 'POST',
      key: tenant.keys.ingest,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ events }),
    });
    expect(await ingested.json()).toEqual({ accepted: 3, duplicates: 0, rejected: [] });

    const from = new Date(time.getTime() - 60_000).toISOString();
    const to = new Date(time.getTime() + 60_000).toISOString();
    const summary = await request(`/v1/internal/analytics/summary?from=${from}&to=${to}`, {
      key: tenant.keys.platform,
    });
    expect(summary.status).toBe(200);
    expect(await summary.json()).toMatchObject({
      totalMessages: 3,
      deliveredMessages: 2,
      failedMessages: 1,
      totalCost: '0.030000',
    });
  });

  it('spreads concurrent requests over both workers', async () => {
    const before = workers.invocations();
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => request('/platform-api/operators', { key: tenant.keys.platform })),
    );
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200, 200]);
    const perWorker = spread(before);
    expect(perWorker.reduce((a, b) => a + b)).toBe(6);
    expect(perWorker.every((n) => n > 0)).toBe(true);
  });

  it('refuses ?__proto__= in a worker as it does in-thread: the event keeps it as an own key', async () => {
    const response = await request('/platform-api/operators?__proto__=x', { key: tenant.keys.platform });
    expect(response.status).toBe(400);
    expect((await readProblem(response)).errors).toEqual([
      { in: 'query', name: '__proto__', message: 'unknown parameter' },
    ]);
  });

  it("holds a key's rate limit across the workers: they share the main thread's buckets", async () => {
    const limited = await createTenant(stores.runtime, 'Limited Worker Platform', new Date());
    await putSettings(stores.runtime, limited.tenantId, {
      name: 'Limited Worker Platform',
      contactEmail: 'ops@limited.example.com',
      rateLimits: { platform: { requestsPerSecond: 0.01, burst: 3 } },
    });
    const before = workers.invocations();
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => request('/platform-api/operators', { key: limited.keys.platform })),
    );
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 200, 200, 429, 429, 429, 429, 429]);
    expect(spread(before).every((n) => n > 0)).toBe(true);
    const refused = answers.find((answer) => answer.status === 429);
    expect(Number(refused?.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('dispatches each invocation to the worker with the fewest in flight', async () => {
    const before = workers.invocations();
    const event = { requestContext: { requestId: 'direct' }, rawPath: '/health/live' };
    const results = await Promise.all(
      Array.from({ length: 4 }, () => workers.invoke('health-live', event, 3)),
    );
    expect(results).toEqual(Array.from({ length: 4 }, () => expect.objectContaining({ statusCode: 200 })));
    expect(spread(before)).toEqual([2, 2]);
  });

  it('answers 500 problem+json when a handler throws', async () => {
    const response = await request('/test/sweep', { method: 'POST' });
    expect(response.status).toBe(500);
    expect(await readProblem(response)).toMatchObject({ code: 'INTERNAL', instance: '/test/sweep' });
    await expect(workers.invoke('job-expired-items-sweep', {}, 3)).rejects.toThrow(/NaN is not allowed/);
  });

  it('fails the invocations of a worker that dies, and replaces the worker', async () => {
    // Readiness needs dynalite and DuckDB, both served by this thread: no answer can come back
    // before the worker is terminated below, in the same tick.
    const event = JSON.parse(readFileSync('events/apigw/health-ready.json', 'utf8')) as unknown;
    const before = workers.invocations();
    const inFlight = [workers.invoke('health-ready', event, 3), workers.invoke('health-ready', event, 3)];
    expect(spread(before)).toEqual([1, 1]);
    const [first] = workers.threads();
    await first?.terminate();

    const [onFirst, onSecond] = await Promise.allSettled(inFlight);
    expect(onFirst).toMatchObject({
      status: 'rejected',
      reason: { message: expect.stringMatching(/^Lambda worker 0 stopped before answering: it exited/) },
    });
    expect(onSecond).toMatchObject({ status: 'fulfilled', value: { statusCode: 200 } });

    const replacement = workers.threads()[0];
    expect(replacement).not.toBe(first);
    expect(replacement?.threadId).not.toBe(-1);
    const answers = await Promise.all(
      Array.from({ length: 4 }, () => workers.invoke('health-ready', event, 3)),
    );
    expect(answers).toEqual(Array.from({ length: 4 }, () => expect.objectContaining({ statusCode: 200 })));
  });
});

describe('startLambdaWorkers', () => {
  it('rejects when a worker fails to load its handlers', async () => {
    await expect(
      startLambdaWorkers({
        count: 2,
        dynamodbEndpoint: stores.dynamo.endpoint,
        dynamodbAccessKeyId: stores.dynamo.accessKeyId,
        connectTimeSeries: stores.connectTimeSeries,
        functions: ['health-live', 'no-such-function'],
      }),
    ).rejects.toThrow(/no-such-function/);
  });

  it('close() stops every worker; later invocations reject', async () => {
    const own = await startLambdaWorkers({
      count: 2,
      dynamodbEndpoint: stores.dynamo.endpoint,
      dynamodbAccessKeyId: stores.dynamo.accessKeyId,
      connectTimeSeries: stores.connectTimeSeries,
      functions: ['health-live'],
    });
    const threads = own.threads();
    await own.close();
    expect(threads.map((thread) => thread.threadId)).toEqual([-1, -1]);
    await expect(own.invoke('health-live', {}, 3)).rejects.toThrow(/closed/);
  });
});
