import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
  STATUS_CODES,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { logger } from '#lib/http/logger.ts';
import { PROBLEM_CONTENT_TYPE, problem, problemResponse } from '#lib/http/problem.ts';
import { RouteMatcher } from '#lib/http/route-match.ts';
import { DEFAULT_MAX_BODY_BYTES, type RouteEntry } from '#lib/manifest-types.ts';
import { routes as manifestRoutes } from '#lib/routes.ts';
import {
  bodilessApiGatewayEvent,
  localLambdaContext,
  rawPathOf,
  withApiGatewayBody,
  writeApiGatewayResult,
} from './api-gateway-event.ts';
import { type LambdaHandler, loadHandlers } from './handlers.ts';

/**
 * How long a connection whose body was refused stays open to drain what the client still sends
 * (discarded, never buffered), so the client reads the 413 instead of a reset; then it is closed.
 */
const REFUSED_BODY_LINGER_MS = 1_000;

/**
 * Runs one invocation of a function, in this thread or elsewhere (lambda-workers.ts). With `body`,
 * the event is an API Gateway event still without its body, which withApiGatewayBody adds where the
 * handler runs: the raw bytes move to a worker thread without a copy and are decoded there.
 */
export type InvokeFunction = (
  functionName: string,
  event: unknown,
  timeoutSeconds: number,
  body?: Buffer,
) => Promise<unknown>;

export interface LocalServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

function routeKey(route: RouteEntry): string {
  return route.path === '$default' ? '$default' : `${route.method} ${route.path}`;
}

/** The body, or `undefined` once it grows past `limit`: the rest is then discarded, never buffered. */
function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = () => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        stop();
        // Still flowing, with no listener: what else arrives is dropped as it comes.
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      stop();
      resolve(Buffer.concat(chunks));
    };
    const onError = (error: Error) => {
      stop();
      reject(error);
    };
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onError);
  });
}

/**
 * Answers 413 without reading the body (further): after the answer the connection drains for a
 * moment, so the client can read it, and is then closed whatever the client still sends.
 */
function refuseBody(
  request: IncomingMessage,
  response: ServerResponse,
  { limit, path, requestId }: { limit: number; path: string; requestId: string },
): void {
  const tooLarge = problem(
    413,
    'PAYLOAD_TOO_LARGE',
    `The request body is larger than this endpoint accepts (${limit} bytes)`,
    path,
    { maxBytes: limit, requestId },
  );
  const socket = request.socket;
  response.once('finish', () => {
    if (request.complete) {
      socket.end();
      return;
    }
    request.resume();
    request.once('end', () => socket.end());
    setTimeout(() => socket.destroy(), REFUSED_BODY_LINGER_MS).unref();
  });
  writeApiGatewayResult(response, problemResponse(tooLarge), requestId);
}

/** Errors that mean the client went away (closed or reset the connection), not that we failed. */
export function isClientDisconnect(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    code === 'ECONNRESET' ||
    code === 'ECONNABORTED' ||
    code === 'EPIPE' ||
    code === 'ERR_STREAM_PREMATURE_CLOSE' ||
    (error as Error | null)?.message === 'aborted'
  );
}

/**
 * Serves every manifest route by handing the route's Lambda handler an API Gateway v2 event, as
 * API Gateway does in AWS. Nothing is routed here that the manifest does not declare.
 */
export async function startLocalServer(options: {
  port?: number;
  host?: string;
  routes?: readonly RouteEntry[];
  /** Handlers by function name, run in this thread; loaded from `functions/` when neither this nor `invoke` is given. */
  handlers?: Map<string, LambdaHandler>;
  /** Runs the route's function elsewhere (the Lambda worker threads) instead of `handlers`. */
  invoke?: InvokeFunction;
}): Promise<LocalServer> {
  if (options.handlers && options.invoke)
    throw new Error('startLocalServer takes handlers or invoke, not both');
  const routes = options.routes ?? manifestRoutes;
  const invoke = options.invoke ?? inThisThread(options.handlers ?? (await loadHandlers(routes)));
  const matcher = new RouteMatcher(routes);

  const server = createServer((request, response) => {
    void serve(request, response, matcher, invoke);
  });
  server.keepAliveTimeout = 30_000;
  server.on('clientError', answerClientError);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    server,
    url: `http://${address.address}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Node's HTTP parser errors, as API Gateway would answer them. */
const CLIENT_ERROR_STATUS: Record<string, number> = {
  HPE_HEADER_OVERFLOW: 431,
  ERR_HTTP_REQUEST_TIMEOUT: 408,
};

/**
 * A request Node's HTTP layer refused before any route saw it (headers too large, a malformed
 * request line or chunk): answered as problem+json where the socket can still take an answer,
 * then closed. A client that reset or closed the connection is no error of ours.
 */
function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (isClientDisconnect(error) || !socket.writable) {
    logger.debug('client connection closed', { code: error.code, reason: error.message });
    socket.destroy();
    return;
  }
  const status = CLIENT_ERROR_STATUS[error.code ?? ''] ?? 400;
  logger.info('request refused by the HTTP parser', { status, code: error.code });
  const detail =
    status === 431
      ? 'The request headers are larger than the server accepts'
      : status === 408
        ? 'The request did not arrive in time'
        : `The request is not valid HTTP/1.1 (${error.code ?? 'parse error'})`;
  const code =
    status === 431 ? 'HEADERS_TOO_LARGE' : status === 408 ? 'REQUEST_TIMEOUT' : 'MALFORMED_REQUEST';
  const body = JSON.stringify(problem(status, code, detail, '/'));
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: ${PROBLEM_CONTENT_TYPE}\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
  setTimeout(() => socket.destroy(), REFUSED_BODY_LINGER_MS).unref();
}

function inThisThread(handlers: Map<string, LambdaHandler>): InvokeFunction {
  return (functionName, event, timeoutSeconds, body) => {
    const handler = handlers.get(functionName);
    if (!handler) return Promise.reject(new Error(`No handler loaded for ${functionName}`));
    const withBody = body ? withApiGatewayBody(event as APIGatewayProxyEventV2, body) : event;
    return handler(withBody, localLambdaContext(functionName, timeoutSeconds));
  };
}

async function serve(
  request: IncomingMessage,
  response: ServerResponse,
  matcher: RouteMatcher<RouteEntry>,
  invoke: InvokeFunction,
): Promise<void> {
  const path = rawPathOf(request.url);
  // What this runtime's own lines say about the request, as the handler's lines do.
  const keys: { requestId?: string; route?: string; path: string } = { path };
  try {
    const match = matcher.match((request.method ?? 'GET').toUpperCase(), path);
    if (!match) {
      writeApiGatewayResult(
        response,
        problemResponse(problem(404, 'ROUTE_NOT_FOUND', `No endpoint at ${path}`, path)),
        'gateway',
      );
      return;
    }
    const event = bodilessApiGatewayEvent(request, {
      routeKey: routeKey(match.route),
      pathParameters: match.pathParameters,
    });
    const { requestId } = event.requestContext;
    keys.requestId = requestId;
    keys.route = event.routeKey;
    // The route's own limit, before anything is read: a declared length over it is refused at
    // once, whatever the key (so 413 comes before 401); a chunked body is cut off at the limit.
    const limit = match.route.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    const declared = Number(request.headers['content-length'] ?? 0);
    const body = declared > limit ? undefined : await readBody(request, limit);
    if (!body) {
      logger.info('request rejected', { ...keys, status: 413, code: 'PAYLOAD_TOO_LARGE' });
      refuseBody(request, response, { limit, path, requestId });
      return;
    }
    const { function: functionName, timeoutSeconds = 10 } = match.route;
    const result = (await invoke(functionName, event, timeoutSeconds, body)) as APIGatewayProxyResultV2;
    writeApiGatewayResult(response, result, requestId);
  } catch (error) {
    if (isClientDisconnect(error)) {
      logger.info('client disconnected before the answer', { ...keys, reason: (error as Error).message });
      return;
    }
    // API Gateway answers 500 when the integration itself fails; handlers map their own errors.
    logger.error('local runtime failed to serve a request', { ...keys, error: error as Error });
    if (!response.headersSent) {
      writeApiGatewayResult(
        response,
        problemResponse(
          problem(
            500,
            'INTERNAL',
            'Internal server error',
            path,
            keys.requestId ? { requestId: keys.requestId } : {},
          ),
        ),
        keys.requestId ?? 'gateway',
      );
    }
  }
}
