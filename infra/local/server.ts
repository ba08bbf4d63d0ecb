import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { logger } from '#lib/http/logger.ts';
import { problem, problemResponse } from '#lib/http/problem.ts';
import { RouteMatcher } from '#lib/http/route-match.ts';
import type { RouteEntry } from '#lib/manifest-types.ts';
import { routes as manifestRoutes } from '#lib/routes.ts';
import {
  bodilessApiGatewayEvent,
  localLambdaContext,
  withApiGatewayBody,
  writeApiGatewayResult,
} from './api-gateway-event.ts';
import { type LambdaHandler, loadHandlers } from './handlers.ts';

/** API Gateway HTTP APIs refuse payloads over 10 MB before any Lambda runs; so does the local runtime. */
const GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024;

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

async function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
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
  const path = new URL(request.url ?? '/', 'http://localhost').pathname;
  try {
    const body = await readBody(request, GATEWAY_MAX_BODY_BYTES);
    if (!body) {
      const tooLarge = problem(
        413,
        'PAYLOAD_TOO_LARGE',
        `Request bodies are limited to ${GATEWAY_MAX_BODY_BYTES} bytes`,
        path,
      );
      writeApiGatewayResult(response.setHeader('connection', 'close'), problemResponse(tooLarge), 'gateway');
      return;
    }
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
    const { function: functionName, timeoutSeconds = 10 } = match.route;
    const result = (await invoke(functionName, event, timeoutSeconds, body)) as APIGatewayProxyResultV2;
    writeApiGatewayResult(response, result, event.requestContext.requestId);
  } catch (error) {
    // API Gateway answers 500 when the integration itself fails; handlers map their own errors.
    logger.error('local runtime failed to serve a request', { error: error as Error, path });
    if (!response.headersSent) {
      writeApiGatewayResult(
        response,
        problemResponse(problem(500, 'INTERNAL', 'Internal server error', path)),
        'gateway',
      );
    }
  }
}
