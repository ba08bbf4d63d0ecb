import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BATCH_BYTES } from '#lib/domain/ingest.ts';
import { DEFAULT_MAX_BODY_BYTES } from '#lib/manifest-types.ts';
import { routes } from '#lib/routes.ts';
import { registrySnapshot } from '../registry/support.ts';
import { type LocalStack, readProblem, startLocalStack, storedMessageCount } from '../support/local-stack.ts';
import { rawRequest } from '../support/raw-http.ts';

let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack();
});
afterAll(() => stack.close());

/** Every event the tenant has stored: a refused request must leave it as it was. */
const storedEvents = () => storedMessageCount(stack);

const head = (method: string, path: string, headers: Record<string, string | number>) =>
  `${method} ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\n${Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('')}\r\n`;

describe('body limits from the route manifest', () => {
  it('declares ingest at its batch limit and leaves every other route at the default', () => {
    const ingest = routes.find((route) => route.function === 'ingest-events');
    expect(ingest?.maxBodyBytes).toBe(MAX_BATCH_BYTES);
    expect(routes.filter((route) => route.maxBodyBytes !== undefined)).toEqual([ingest]);
    expect(DEFAULT_MAX_BODY_BYTES).toBe(256 * 1024);
  });

  it('refuses a declared 20 MB body with 413 before reading it or checking the key, and closes', async () => {
    const before = await storedEvents();
    const started = Date.now();
    // Headers only: the 20 MB never come, so an answer proves nothing waited for them.
    const answer = await rawRequest(stack.url, [
      head('POST', '/v1/events', { 'content-type': 'application/json', 'content-length': 20_000_000 }),
    ]);
    expect(answer.status).toBe(413);
    expect(answer.headers['content-type']).toBe('application/problem+json');
    expect(JSON.parse(answer.body)).toMatchObject({
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
      maxBytes: MAX_BATCH_BYTES,
      instance: '/v1/events',
    });
    expect(answer.closed).toBe(true);
    expect(Date.now() - started).toBeLessThan(2_900);
    expect(await storedEvents()).toBe(before);
  });

  it("refuses a body over a registry route's 256 KiB with a valid key, writing nothing", async () => {
    const before = await registrySnapshot(stack, stack.tenant.tenantId);
    const response = await stack.request('/platform-api/operators', {
      method: 'POST',
      key: stack.tenant.keys.platform,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Carrier', pad: 'x'.repeat(DEFAULT_MAX_BODY_BYTES) }),
    });
    const problem = await readProblem(response);
    expect([response.status, problem.code, problem.maxBytes]).toEqual([
      413,
      'PAYLOAD_TOO_LARGE',
      DEFAULT_MAX_BODY_BYTES,
    ]);
    expect(await registrySnapshot(stack, stack.tenant.tenantId)).toEqual(before);
  });

  it('stops reading a chunked body at the route limit, answers 413 and closes the connection', async () => {
    const before = await storedEvents();
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const chunked = `${chunk.length.toString(16)}\r\n`;
    const parts: (string | Buffer)[] = [
      head('POST', '/v1/events', {
        authorization: `Bearer ${stack.tenant.keys.ingest}`,
        'content-type': 'application/x-ndjson',
        'transfer-encoding': 'chunked',
      }),
    ];
    // 1.5 MiB announced in 64 KiB chunks, never terminated: the server must not wait for the end.
    for (let i = 0; i < 24; i += 1) parts.push(chunked, chunk, '\r\n');
    const answer = await rawRequest(stack.url, parts);
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', maxBytes: MAX_BATCH_BYTES });
    expect(answer.closed).toBe(true);
    expect(await storedEvents()).toBe(before);
  });

  it('lets a client that sends the whole oversized body still read the 413', async () => {
    const before = await storedEvents();
    const response = await stack.request('/v1/events', {
      method: 'POST',
      key: stack.tenant.keys.ingest,
      headers: { 'content-type': 'application/x-ndjson' },
      body: 'x'.repeat(2 * MAX_BATCH_BYTES),
    });
    expect((await readProblem(response)).code).toBe('PAYLOAD_TOO_LARGE');
    expect(await storedEvents()).toBe(before);
  });
});
