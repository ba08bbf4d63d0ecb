import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../support/local-stack.ts';
import { captureLogs } from '../support/log-capture.ts';
import { rawRequest } from '../support/raw-http.ts';

let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack();
});
afterAll(() => stack.close());

const until = async (condition: () => boolean, ms = 3_000) => {
  const deadline = Date.now() + ms;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
};

describe("errors of Node's HTTP layer", () => {
  it.each([
    [
      'headers larger than the server takes',
      `GET /health/live HTTP/1.1\r\nhost: 127.0.0.1\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`,
      431,
      'HEADERS_TOO_LARGE',
    ],
    ['a malformed request line', 'GARBAGE\r\n\r\n', 400, 'MALFORMED_REQUEST'],
    [
      'a Content-Length that is not a number',
      'POST /v1/events HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-length: ten\r\n\r\n',
      400,
      'MALFORMED_REQUEST',
    ],
    [
      'a malformed chunk',
      'POST /v1/events HTTP/1.1\r\nhost: 127.0.0.1\r\ntransfer-encoding: chunked\r\n\r\nzz\r\nabc\r\n',
      400,
      'MALFORMED_REQUEST',
    ],
  ])('answers %s with problem+json and closes the connection', async (_name, request, status, code) => {
    const answer = await rawRequest(stack.url, [request]);
    expect(answer.status).toBe(status);
    expect(answer.headers['content-type']).toBe('application/problem+json');
    expect(JSON.parse(answer.body)).toMatchObject({ status, code });
    expect(answer.closed).toBe(true);
  });

  it('logs a client that goes away mid-request as info, never as an error, and answers nothing', async () => {
    const logs = captureLogs();
    try {
      const socket = connect({ host: '127.0.0.1', port: Number(new URL(stack.url).port) });
      await new Promise<void>((resolve) => socket.on('connect', resolve));
      socket.write(
        `POST /v1/events HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer ${stack.tenant.keys.ingest}\r\n` +
          'content-type: application/json\r\ncontent-length: 1000\r\n\r\n{"events": [',
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
      socket.resetAndDestroy();
      // And one that resets before sending a whole request line.
      const early = connect({ host: '127.0.0.1', port: Number(new URL(stack.url).port) });
      await new Promise<void>((resolve) => early.on('connect', resolve));
      early.write('GET /health/li');
      await new Promise((resolve) => setTimeout(resolve, 50));
      early.resetAndDestroy();
      await until(() => logs.lines.some((line) => line.message === 'client disconnected before the answer'));
      await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      logs.stop();
    }
    expect(logs.lines.filter((line) => line.level === 'ERROR' || line.level === 'WARN')).toEqual([]);
    expect(logs.lines.find((line) => line.message === 'client disconnected before the answer')).toMatchObject(
      {
        level: 'INFO',
        path: '/v1/events',
      },
    );
  });
});
