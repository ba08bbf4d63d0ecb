import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { toApiGatewayEvent } from '../../infra/local/api-gateway-event.ts';

/** Sends one raw request to a throwaway server and returns the event the local runtime would build. */
async function capture(options: {
  method: string;
  path: string;
  headers?: [string, string][];
  body?: Buffer;
}): Promise<APIGatewayProxyEventV2> {
  let event: APIGatewayProxyEventV2 | undefined;
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    event = toApiGatewayEvent(req, Buffer.concat(chunks), {
      routeKey: 'POST /v1/things/{id}',
      pathParameters: { id: 'a b/c' },
    });
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, method: options.method, path: options.path },
      (res) => {
        res.resume();
        res.on('end', resolve);
      },
    );
    for (const [name, value] of options.headers ?? []) {
      const existing = req.getHeader(name);
      req.setHeader(name, existing === undefined ? value : [...[existing].flat().map(String), value]);
    }
    req.on('error', reject);
    req.end(options.body);
  });
  server.close();
  if (!event) throw new Error('no event captured');
  return event;
}

describe('the local runtime builds API Gateway HTTP API payload 2.0 events', () => {
  it('carries method, path, query, headers, cookies and path parameters as API Gateway does', async () => {
    const event = await capture({
      method: 'POST',
      path: '/v1/things/a%20b%2Fc?tag=x&tag=y&q=%C3%A9t%C3%A9',
      headers: [
        ['X-Custom', 'one'],
        ['X-Custom', 'two'],
        ['Cookie', 'a=1; b=2'],
        ['Content-Type', 'application/json'],
      ],
      body: Buffer.from('{"n":1}'),
    });
    expect(event.version).toBe('2.0');
    expect(event.routeKey).toBe('POST /v1/things/{id}');
    expect(event.rawPath).toBe('/v1/things/a%20b%2Fc');
    expect(event.rawQueryString).toBe('tag=x&tag=y&q=%C3%A9t%C3%A9');
    expect(event.queryStringParameters).toEqual({ tag: 'x,y', q: 'été' });
    expect(event.headers['x-custom']).toBe('one,two');
    expect(event.headers.cookie).toBeUndefined();
    expect(event.cookies).toEqual(['a=1', 'b=2']);
    expect(event.pathParameters).toEqual({ id: 'a b/c' });
    expect(event.body).toBe('{"n":1}');
    expect(event.isBase64Encoded).toBe(false);
    expect(event.requestContext.http.method).toBe('POST');
    expect(event.requestContext.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(event.requestContext.time).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    expect(typeof event.requestContext.timeEpoch).toBe('number');
  });

  it('base64-encodes binary bodies and omits absent parts', async () => {
    const binary = Buffer.from([0, 1, 2, 255]);
    const event = await capture({
      method: 'PUT',
      path: '/v1/things/1',
      headers: [['Content-Type', 'application/octet-stream']],
      body: binary,
    });
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body ?? '', 'base64')).toEqual(binary);
    expect(event.queryStringParameters).toBeUndefined();
    expect(event.cookies).toBeUndefined();
  });
});
