import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';

/** Content types API Gateway passes through as text; anything else arrives base64-encoded. */
const TEXT_TYPES =
  /^(text\/|application\/(json|x-ndjson|problem\+json|xml|x-www-form-urlencoded|csv)|.*\+json)/i;

/**
 * Turns a Node HTTP request into the API Gateway HTTP API payload-2.0 event the same handler
 * receives in AWS: lower-cased headers with repeated ones comma-joined, cookies split out,
 * query parameters comma-joined when repeated, URL-decoded path parameters, binary bodies base64.
 */
export function toApiGatewayEvent(
  request: IncomingMessage,
  body: Buffer,
  route: { routeKey: string; pathParameters: Record<string, string> },
  now: Date = new Date(),
): APIGatewayProxyEventV2 {
  return withApiGatewayBody(bodilessApiGatewayEvent(request, route, now), body);
}

/**
 * The request's body as API Gateway puts it in the event: text as is, anything else base64. Kept
 * apart so the local runtime can move the raw bytes to the Lambda worker thread and decode there.
 */
export function withApiGatewayBody(event: APIGatewayProxyEventV2, body: Buffer): APIGatewayProxyEventV2 {
  const isText = body.length === 0 || TEXT_TYPES.test(event.headers['content-type'] ?? '');
  return {
    ...event,
    ...(body.length > 0 ? { body: isText ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: body.length > 0 && !isText,
  };
}

/**
 * The request target's path as sent, as API Gateway's `rawPath`: dot segments are not resolved
 * and nothing is decoded (WHATWG URL parsing would turn `/operators/.` and `/operators/%2e` into
 * `/operators/`, another route).
 */
export function rawPathOf(target: string | undefined): string {
  const url = target ?? '/';
  if (!url.startsWith('/')) return new URL(url, 'http://localhost').pathname;
  const end = url.search(/[?#]/);
  return end === -1 ? url : url.slice(0, end);
}

/** toApiGatewayEvent without the body (withApiGatewayBody adds it). */
export function bodilessApiGatewayEvent(
  request: IncomingMessage,
  route: { routeKey: string; pathParameters: Record<string, string> },
  now: Date = new Date(),
): APIGatewayProxyEventV2 {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const rawPath = rawPathOf(request.url);
  // Collected in Maps, then made own data properties (as JSON.parse does in AWS): assigning to a
  // plain object would drop `__proto__` and read `constructor` from Object.prototype.
  const headerValues = new Map<string, string>();
  for (let i = 0; i < request.rawHeaders.length; i += 2) {
    const name = (request.rawHeaders[i] ?? '').toLowerCase();
    const value = request.rawHeaders[i + 1] ?? '';
    if (name === 'cookie') continue;
    const seen = headerValues.get(name);
    headerValues.set(name, seen === undefined ? value : `${seen},${value}`);
  }
  const headers: Record<string, string> = Object.fromEntries(headerValues);
  const cookies = request.headers.cookie
    ?.split(';')
    .map((c) => c.trim())
    .filter(Boolean);

  const queryValues = new Map<string, string>();
  for (const [name, value] of url.searchParams) {
    const seen = queryValues.get(name);
    queryValues.set(name, seen === undefined ? value : `${seen},${value}`);
  }
  const query: Record<string, string> = Object.fromEntries(queryValues);

  const requestId = randomUUID();
  const method = (request.method ?? 'GET').toUpperCase();
  const sourceIp = request.socket.remoteAddress ?? '127.0.0.1';

  return {
    version: '2.0',
    routeKey: route.routeKey,
    rawPath,
    rawQueryString: url.search.startsWith('?') ? url.search.slice(1) : url.search,
    ...(cookies && cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    ...(Object.keys(route.pathParameters).length > 0 ? { pathParameters: route.pathParameters } : {}),
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: (headers.host ?? 'localhost').split('.')[0] ?? 'localhost',
      http: {
        method,
        path: rawPath,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: route.routeKey,
      stage: '$default',
      time: formatClf(now),
      timeEpoch: now.getTime(),
    },
    isBase64Encoded: false,
  };
}

/** API Gateway's `requestContext.time` format: `12/Mar/2020:19:03:58 +0000`. */
function formatClf(date: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(date.getUTCDate())}/${months[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}

/** A Lambda context for local invocations (the handler reads the request id and remaining time). */
export function localLambdaContext(functionName: string, timeoutSeconds: number): Context {
  const deadline = Date.now() + timeoutSeconds * 1000;
  const awsRequestId = randomUUID();
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/**
 * Writes a handler's result the way API Gateway does for payload 2.0: a structured result is
 * used as is (base64 bodies decoded, `cookies` as Set-Cookie); anything else is JSON with 200.
 */
export function writeApiGatewayResult(
  response: ServerResponse,
  result: APIGatewayProxyResultV2,
  requestId: string,
): void {
  response.setHeader('apigw-requestid', requestId);
  if (typeof result !== 'object' || result === null || !('statusCode' in result)) {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(result));
    return;
  }
  for (const [name, value] of Object.entries(result.headers ?? {})) response.setHeader(name, String(value));
  if (result.cookies && result.cookies.length > 0) response.setHeader('set-cookie', result.cookies);
  response.statusCode = result.statusCode ?? 200;
  const body = result.body ?? '';
  response.end(result.isBase64Encoded ? Buffer.from(body, 'base64') : body);
}
