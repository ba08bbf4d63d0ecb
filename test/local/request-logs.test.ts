import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedTenant } from '#lib/domain/tenants.ts';
import type { LocalServer } from '../../infra/local/server.ts';
import { captureLogs, type LogLine } from '../support/log-capture.ts';
import { startWorkerStack, type WorkerStack } from '../support/worker-stack.ts';

let stack: WorkerStack;
let tenant: CreatedTenant;
let server: LocalServer;

beforeAll(async () => {
  // One worker thread, so the concurrent requests below are concurrent invocations in one thread.
  stack = await startWorkerStack({ count: 1, logLevel: 'INFO' });
  ({ tenant, server } = stack);
});

afterAll(() => stack?.close());

interface Sent {
  requestId: string;
  status: number;
  route: string;
  authenticated: boolean;
}

const event = (id: string) => ({
  id,
  time: new Date(Date.now() - 60_000).toISOString(),
  type: 'message',
  operatorId: 'op_log',
  accountId: 'acct_log',
  status: 'DELIVERED',
  segments: 1,
});

/** One of four kinds of request, by `i`: a read, a write, one refused at auth, one refused by validation. */
async function send(i: number): Promise<Sent> {
  const kind = i % 4;
  const init: RequestInit =
    kind === 1
      ? {
          method: 'POST',
          headers: { authorization: `Bearer ${tenant.keys.ingest}`, 'content-type': 'application/json' },
          body: JSON.stringify({ events: [event(`log-${i}`)] }),
        }
      : {
          headers: { authorization: `Bearer ${kind === 2 ? 'mh_platform_not_a_key' : tenant.keys.platform}` },
        };
  const path =
    kind === 1 ? '/v1/events' : kind === 3 ? '/platform-api/operators?limit=0' : '/platform-api/operators';
  const response = await fetch(`${server.url}${path}`, init);
  await response.arrayBuffer();
  return {
    requestId: response.headers.get('apigw-requestid') ?? '',
    status: response.status,
    route: kind === 1 ? 'POST /v1/events' : 'GET /platform-api/operators',
    authenticated: kind !== 2,
  };
}

const REQUEST_LINES = new Set(['request completed', 'request rejected', 'request failed']);

describe('request logs of concurrent invocations in one worker thread', () => {
  it('give every request exactly one line with its own requestId, route and, after auth, tenantId', async () => {
    const logs = captureLogs();
    let sent: Sent[];
    let lines: LogLine[];
    try {
      sent = await Promise.all(Array.from({ length: 40 }, (_, i) => send(i)));
      const deadline = Date.now() + 5_000;
      const requestLines = () => logs.lines.filter((line) => REQUEST_LINES.has(line.message));
      while (requestLines().length < sent.length && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
      lines = requestLines();
    } finally {
      logs.stop();
    }
    expect(sent.map((s) => s.status).sort()).toEqual(
      [...Array(10).fill(200), ...Array(10).fill(200), ...Array(10).fill(400), ...Array(10).fill(401)].sort(),
    );
    expect(lines).toHaveLength(sent.length);
    const byId = new Map(lines.map((line) => [line.requestId, line]));
    expect(byId.size).toBe(sent.length);
    for (const request of sent) {
      const line = byId.get(request.requestId);
      expect(line, `no line for ${request.requestId}`).toBeDefined();
      expect(line).toMatchObject({
        requestId: request.requestId,
        route: request.route,
        status: request.status,
        // Powertools' Lambda context, injected per invocation.
        function_name: expect.any(String),
        function_request_id: expect.any(String),
      });
      if (request.authenticated) expect(line?.tenantId).toBe(tenant.tenantId);
      else expect(line).not.toHaveProperty('tenantId');
    }
    // Each invocation's Lambda context is its own, too.
    expect(new Set(lines.map((line) => line.function_request_id)).size).toBe(sent.length);
    expect(
      lines.filter((line) => line.status === 401).every((line) => line.message === 'request rejected'),
    ).toBe(true);
  });
});
