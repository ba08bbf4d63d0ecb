import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { classifyAttempt } from '#lib/domain/notifications/delivery-outcome.ts';
import { guardedLookup, postJson, type Resolver, type SendOptions } from '#lib/notify/sender.ts';

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** One receiver on 127.0.0.1 whose paths answer as real receivers do. */
const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
  '/ok': (_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'),
  '/accepted': (_req, res) =>
    res
      .writeHead(202, { 'content-type': 'application/json' })
      .end('{"status":"success","message":"Event processed"}'),
  '/throttled': (_req, res) => res.writeHead(429, { 'retry-after': '7' }).end('rate_limited'),
  '/broken': (_req, res) => res.writeHead(500).end('rollup_error'),
  '/gone': (_req, res) => res.writeHead(410).end('channel_is_archived'),
  '/redirect': (_req, res) => res.writeHead(302, { location: '/ok' }).end(),
  '/hang': () => {},
  '/close': (req) => req.socket.destroy(),
  '/large': (_req, res) => res.writeHead(200).end('x'.repeat(100_000)),
};

let server: Server;
let base: string;
const received: Received[] = [];
let connections = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = req.url ?? '';
      received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      (routes[path] ?? ((_q, r) => r.writeHead(404).end('no route')))(req, res);
    });
  });
  server.on('connection', () => {
    connections += 1;
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  server.close();
  await once(server, 'close');
});

beforeEach(() => {
  received.length = 0;
  connections = 0;
});

const local: SendOptions = { policy: { allowPrivate: true }, channel: 'webhook', timeoutMs: 2_000 };
const post = (path: string, options: Partial<SendOptions> = {}, headers: Record<string, string> = {}) =>
  postJson({ url: `${base}${path}`, body: '{"hello":"world"}', headers }, { ...local, ...options });

describe('sender against real receivers on 127.0.0.1', () => {
  it('POSTs the JSON body with its headers and reports 200 and what the receiver said', async () => {
    const result = await post('/ok', {}, { 'webhook-id': 'ntf_abc' });
    expect(result).toMatchObject({ status: 200, headers: {}, bodySnippet: 'ok' });
    expect(result.error).toBeUndefined();
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({
      path: '/ok',
      body: '{"hello":"world"}',
      headers: {
        'content-type': 'application/json',
        'webhook-id': 'ntf_abc',
        'user-agent': 'Meterhouse-Notify/1.0',
      },
    });
  });

  it('reports 202 with its JSON answer', async () => {
    const result = await post('/accepted', { channel: 'pagerduty' });
    expect(result).toMatchObject({
      status: 202,
      bodySnippet: '{"status":"success","message":"Event processed"}',
    });
    expect(classifyAttempt('pagerduty', result)).toEqual({ result: 'delivered' });
  });

  it("reports 429 with the receiver's Retry-After", async () => {
    const result = await post('/throttled', { channel: 'slack' });
    expect(result).toMatchObject({
      status: 429,
      headers: { 'retry-after': '7' },
      bodySnippet: 'rate_limited',
    });
    expect(classifyAttempt('slack', result)).toEqual({
      result: 'retry',
      reason: 'HTTP 429 rate_limited',
      retryAfter: '7',
    });
  });

  it('reports 500 and 410 as answered', async () => {
    expect(await post('/broken')).toMatchObject({ status: 500, bodySnippet: 'rollup_error' });
    const gone = await post('/gone', { channel: 'slack' });
    expect(gone).toMatchObject({ status: 410, bodySnippet: 'channel_is_archived' });
    expect(classifyAttempt('slack', gone)).toMatchObject({ result: 'failed', channel: { state: 'broken' } });
  });

  it('never follows a redirect: the 302 is the answer and its target is never asked', async () => {
    const result = await post('/redirect');
    expect(result.status).toBe(302);
    expect(received.map((r) => r.path)).toEqual(['/redirect']);
  });

  it('gives up on a receiver that hangs past the timeout', async () => {
    const result = await post('/hang', { timeoutMs: 150 });
    expect(result).toMatchObject({
      status: null,
      error: { kind: 'timeout', message: 'no answer within 150 ms' },
    });
    expect(result.durationMs).toBeGreaterThanOrEqual(140);
    expect(result.durationMs).toBeLessThan(1_500);
  });

  it('reports a connection the receiver closes without answering as a network error', async () => {
    const result = await post('/close');
    expect(result.status).toBeNull();
    expect(result.error?.kind).toBe('network');
    expect(result.error?.message).toMatch(/ECONNRESET|socket hang up/);
    expect(classifyAttempt('webhook', result).result).toBe('retry');
  });

  it('reads at most maxAnswerBytes of the answer', async () => {
    const result = await post('/large', { maxAnswerBytes: 1_024 });
    expect(result.status).toBe(200);
    expect(result.bodySnippet).toBe('x'.repeat(1_024));
  });

  it('reports a port nobody listens on as a network error', async () => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const port = (probe.address() as AddressInfo).port;
    probe.close();
    await once(probe, 'close');
    const result = await postJson({ url: `http://127.0.0.1:${port}/`, body: '{}' }, local);
    expect(result.error).toMatchObject({ kind: 'network', message: expect.stringMatching(/ECONNREFUSED/) });
  });
});

describe('SSRF guard in the sender', () => {
  const cloud = { policy: { allowPrivate: false }, channel: 'webhook', timeoutMs: 2_000 } as const;
  const resolvingTo =
    (...addresses: string[]): Resolver =>
    async () =>
      addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

  it('refuses 127.0.0.1 when private destinations are not allowed, without connecting', async () => {
    const result = await postJson({ url: `${base}/ok`, body: '{}' }, cloud);
    expect(result).toEqual({
      status: null,
      headers: {},
      bodySnippet: '',
      error: { kind: 'refused', message: 'URL must be https' },
      durationMs: 0,
    });
    const https = await postJson({ url: base.replace('http:', 'https:'), body: '{}' }, cloud);
    expect(https.error).toEqual({ kind: 'refused', message: '127.0.0.1 is a loopback address' });
    expect(connections).toBe(0);
  });

  it('refuses a host name that resolves to a private address, at connect time', async () => {
    let lookups = 0;
    const resolve: Resolver = async (hostname) => {
      lookups += 1;
      expect(hostname).toBe('hooks.example.com');
      return [{ address: '10.0.0.1', family: 4 }];
    };
    const result = await postJson({ url: 'https://hooks.example.com/in', body: '{}' }, { ...cloud, resolve });
    expect(result.error).toEqual({
      kind: 'refused',
      message: 'hooks.example.com resolves to 10.0.0.1 is a private address',
    });
    expect(lookups).toBe(1);
    expect(classifyAttempt('webhook', result)).toMatchObject({
      result: 'failed',
      channel: { state: 'broken' },
    });
  });

  it('refuses a name whose answers mix a public and a private address', async () => {
    const result = await postJson(
      { url: 'https://hooks.example.com/in', body: '{}' },
      { ...cloud, resolve: resolvingTo('93.184.215.14', '::ffff:169.254.169.254') },
    );
    expect(result.error).toEqual({
      kind: 'refused',
      message: 'hooks.example.com resolves to ::ffff:169.254.169.254 is a cloud metadata service address',
    });
  });

  it('refuses the metadata address even when private destinations are allowed', async () => {
    const result = await postJson(
      { url: 'http://metadata.test/latest', body: '{}' },
      { ...local, resolve: resolvingTo('169.254.169.254') },
    );
    expect(result.error).toEqual({
      kind: 'refused',
      message: 'metadata.test resolves to 169.254.169.254 is a cloud metadata service address',
    });
  });

  it('connects to exactly the address it checked, keeping the host name in the Host header', async () => {
    const port = new URL(base).port;
    const result = await postJson(
      { url: `http://receiver.test:${port}/ok`, body: '{}' },
      { ...local, resolve: resolvingTo('127.0.0.1') },
    );
    expect(result.status).toBe(200);
    expect(received[0]?.headers.host).toBe(`receiver.test:${port}`);
  });

  it('reports a name that does not resolve as a network error, retried later', async () => {
    const resolve: Resolver = async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND nowhere.test'), { code: 'ENOTFOUND' });
    };
    const result = await postJson({ url: 'http://nowhere.test/', body: '{}' }, { ...local, resolve });
    expect(result.error).toMatchObject({ kind: 'network', message: expect.stringMatching(/^ENOTFOUND/) });
    expect(connections).toBe(0);
  });
});

describe('guarded lookup', () => {
  const resolve: Resolver = async () => [
    { address: '2606:4700::1111', family: 6 },
    { address: '93.184.215.14', family: 4 },
  ];
  const lookup = (options: { family?: number; all?: boolean }) =>
    new Promise<unknown[]>((done) => {
      guardedLookup({ allowPrivate: false }, resolve)('hooks.example.com', options, (...args) => done(args));
    });

  it('answers one address of the asked family, or all of them, as node:net asks', async () => {
    expect(await lookup({ family: 4 })).toEqual([null, '93.184.215.14', 4]);
    expect(await lookup({})).toEqual([null, '2606:4700::1111', 6]);
    expect(await lookup({ all: true })).toEqual([null, await resolve('hooks.example.com')]);
  });
});
