import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { z } from 'zod';
import { authenticate, authorize } from '../domain/authenticate.ts';
import { PayloadTooLargeError, UnsupportedMediaTypeError } from '../domain/errors.ts';
import { type RateDecision, RateLimitedError, rateLimitHeaders } from '../domain/rate-limit.ts';
import type { Principal } from '../domain/roles.ts';
import { DEFAULT_MAX_BODY_BYTES, type RouteEntry } from '../manifest-types.ts';
import { type RouteFunctionName, routes } from '../routes.ts';
import { type Runtime, runtime } from '../wiring/index.ts';
import { checkingDocumentedAnswers } from './documented-answers.ts';
import { idempotency } from './idempotency.ts';
import { logger } from './logger.ts';
import {
  problemResponse,
  RequestValidationError,
  toProblem,
  type ValidationIssue,
  zodIssues,
} from './problem.ts';
import {
  type ErrorStatus,
  type ResponseStatus,
  type RouteDoc,
  recordRouteDoc,
  routeStatuses,
} from './route-docs.ts';

type AnySchema = z.ZodType;
type Infer<S> = S extends z.ZodType ? z.output<S> : Record<string, never>;

export interface RouteOptions<Q, P, B> {
  query?: Q;
  params?: P;
  /** JSON body schema. The body must be `application/json`. */
  body?: B;
  /** `raw`: the handler reads `rawBody` itself (e.g. NDJSON ingest). */
  bodyFormat?: 'json' | 'raw' | 'none';
  /** Writes: honour an `Idempotency-Key` header (lib/http/idempotency.ts); runs after auth. */
  idempotent?: boolean;

  /**
   * Problem statuses the handler's services answer beyond those the stack implies (route-docs.ts
   * `routeStatuses`). Checked, not only documented: an answer whose status its route does not
   * list is logged as an error and recorded for the tests (lib/http/documented-answers.ts).
   */
  answers?: readonly ErrorStatus[];
  /** Statuses besides `status` that answer the success body itself (readiness: 503 with its report). */
  responseStatuses?: readonly ResponseStatus[];

  // Documentation only (lib/http/openapi.ts): none of these changes how a request is served.
  /** The success body's schema (lib/contracts/); none for text answers. */
  response?: AnySchema;
  /** The success status when it is not 200: 201 for a create, 204 for an answer without a body. */
  status?: 201 | 204;
  /** The handler reads `If-Match: <version>` (lib/http/resources.ts `ifMatchVersion`). */
  ifMatch?: boolean;
  /** Media types of the success answer when it is not (only) `application/json`. */
  responseTypes?: readonly string[];
  /** `raw` bodies: the media types the handler reads. */
  accepts?: readonly string[];
  /** `raw` bodies: the schema the handler parses a JSON body with. */
  rawBodySchema?: AnySchema;
}

export interface RouteRequest<Q, P, B> {
  query: Infer<Q>;
  params: Infer<P>;
  body: Infer<B>;
  /** Absent only on public routes. */
  principal: Principal;
  runtime: Runtime;
  requestId: string;
  method: string;
  path: string;
  headers: Record<string, string | undefined>;
  rawBody: string;
}

export interface RouteResult {
  status?: number;
  /** Serialized as JSON unless `text` is given. */
  body?: unknown;
  text?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

interface RequestState {
  principal?: Principal;
  /** The key's rate limit after this request, for the RateLimit headers. */
  rateLimit?: RateDecision;
  query?: unknown;
  params?: unknown;
  body?: unknown;
  rawBody: string;
}

type Event = APIGatewayProxyEventV2 & { meterhouse?: RequestState };

function requestIdOf(event: APIGatewayProxyEventV2): string {
  return event.requestContext?.requestId ?? 'unknown';
}

/** JSON with bigint allowed where it is a safe integer: exact money is formatted by services as strings. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v !== 'bigint') return v;
    if (v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER)) return Number(v);
    return v.toString();
  });
}

const errorMapper = (): MiddlewareObj<Event, APIGatewayProxyStructuredResultV2> => ({
  onError: async (request) => {
    const event = request.event;
    const requestId = requestIdOf(event);
    const body = toProblem(request.error, event.rawPath ?? '/', requestId);
    if (body.status >= 500) {
      logger.error('request failed', { error: request.error as Error, status: body.status });
    } else {
      logger.info('request rejected', { status: body.status, code: body.code });
    }
    const headers: Record<string, string> = {};
    const allow = (request.error as { allow?: string } | null)?.allow;
    if (allow) headers.allow = allow;
    if (request.error instanceof RateLimitedError) Object.assign(headers, request.error.headers);
    request.response = problemResponse(body, headers);
  },
});

/**
 * The keys every line of a request carries (the Lambda context comes from Powertools'
 * injectLambdaContext, which also resets them when the invocation ends), and the line for an
 * answered request; a refused one is logged by the error mapper, inside these keys.
 */
const requestKeys = (): MiddlewareObj<Event, APIGatewayProxyStructuredResultV2> => ({
  before: async (request) => {
    logger.appendKeys({
      requestId: requestIdOf(request.event),
      route: request.event.routeKey,
      path: request.event.rawPath,
    });
  },
  after: async (request) => {
    logger.info('request completed', { status: request.response?.statusCode });
  },
});

/** Content codings other than `identity`: no route decodes them (a gzip body would be read as bytes). */
function refuseEncodedBody(event: Event): void {
  const codings = (event.headers?.['content-encoding'] ?? '')
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity');
  if (codings.length > 0) {
    throw new UnsupportedMediaTypeError(
      `Send the body uncompressed: Content-Encoding ${codings.join(', ')} is not accepted`,
    );
  }
}

const bodyLimit = (maxBytes: number, takesBody: boolean): MiddlewareObj<Event> => ({
  before: async ({ event }) => {
    if (takesBody) refuseEncodedBody(event);
    const raw = event.body ?? '';
    // A text body is measured, not copied: encoding it to a Buffer and back (twice ~1 MB per ingest
    // batch) gave the same string, except that lone surrogates become U+FFFD as toWellFormed does.
    const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : null;
    const size = bytes ? bytes.length : Buffer.byteLength(raw, 'utf8');
    if (size > maxBytes) {
      throw new PayloadTooLargeError(
        'PAYLOAD_TOO_LARGE',
        `The request body is ${size} bytes; this endpoint accepts at most ${maxBytes}`,
        { maxBytes },
      );
    }
    event.meterhouse = { rawBody: bytes ? bytes.toString('utf8') : raw.toWellFormed() };
  },
});

const auth = (role: string): MiddlewareObj<Event> => ({
  before: async ({ event }) => {
    const state = event.meterhouse ?? { rawBody: '' };
    if (role !== 'public') {
      const principal = await authenticate(event.headers?.authorization, runtime().authKeyLookup);
      authorize(principal, role as Principal['role']);
      state.principal = principal;
      logger.appendKeys({ tenantId: principal.tenantId, keyId: principal.keyId });
    }
    event.meterhouse = state;
  },
});

/**
 * Per-key request rate limit, after auth (the limit is the key's) and before anything is parsed
 * or stored: a refused request costs one token lookup. 429 carries Retry-After.
 */
const rateLimiting = (): MiddlewareObj<Event, APIGatewayProxyStructuredResultV2> => ({
  before: async ({ event }) => {
    const principal = event.meterhouse?.principal;
    if (!principal) return;
    const { rateLimiter, tenantRateLimits } = runtime();
    const limit = await tenantRateLimits.limitFor(principal);
    const decision = await rateLimiter.take(principal.keyId, limit);
    if (!decision.allowed) throw new RateLimitedError(principal, limit, decision);
    (event.meterhouse as RequestState).rateLimit = decision;
  },
  after: async ({ event, response }) => {
    const decision = event.meterhouse?.rateLimit;
    if (decision && response) response.headers = { ...response.headers, ...rateLimitHeaders(decision) };
  },
});

const validation = (schemas: {
  query?: AnySchema;
  params?: AnySchema;
  body?: AnySchema;
}): MiddlewareObj<Event> => ({
  before: async ({ event }) => {
    const state = event.meterhouse ?? { rawBody: '' };
    const issues: ValidationIssue[] = [];
    const parse = (schema: AnySchema | undefined, input: unknown, where: ValidationIssue['in']) => {
      if (!schema) return undefined;
      const result = schema.safeParse(input);
      if (result.success) return result.data;
      issues.push(...zodIssues(result.error, where));
      return undefined;
    };
    state.params = parse(schemas.params, event.pathParameters ?? {}, 'path');
    state.query = parse(schemas.query, event.queryStringParameters ?? {}, 'query');
    state.body = parse(schemas.body, event.body, 'body');
    if (issues.length > 0) throw new RequestValidationError(issues);
    event.meterhouse = state;
  },
});

const bodyFormatOf = (options: RouteOptions<unknown, unknown, unknown>) =>
  options.bodyFormat ?? (options.body ? 'json' : 'none');

/**
 * Builds the Lambda handler for one manifest route: the middy stack in the documented order
 * (Lambda context and request keys for the logs, the error mapper, header normalization, body
 * encoding and limit, bearer-key auth, the key's rate limit, JSON body parsing, idempotency, zod
 * validation) around `fn`. The role comes from the route manifest, so it is
 * declared in exactly one place; the schemas are recorded for the OpenAPI document (route-docs.ts),
 * and every answer is checked against the statuses that document lists (documented-answers.ts).
 */
export function httpRoute<
  Q extends AnySchema | undefined = undefined,
  P extends AnySchema | undefined = undefined,
  B extends AnySchema | undefined = undefined,
>(
  functionName: RouteFunctionName,
  options: RouteOptions<Q, P, B>,
  fn: (request: RouteRequest<Q, P, B>) => Promise<RouteResult>,
) {
  const entry = routes.find((route) => route.function === functionName);
  if (!entry) throw new Error(`Route ${functionName} is not in lib/routes.ts`);
  const doc: RouteDoc = {
    ...(options.query ? { query: options.query } : {}),
    ...(options.params ? { params: options.params } : {}),
    ...(options.body ? { body: options.body } : {}),
    ...(options.response ? { response: options.response } : {}),
    bodyFormat: bodyFormatOf(options),
    idempotent: options.idempotent ?? false,
    ifMatch: options.ifMatch ?? false,
    status: options.status ?? 200,
    answers: options.answers ?? [],
    responseStatuses: options.responseStatuses ?? [],
    ...(options.responseTypes ? { responseTypes: options.responseTypes } : {}),
    ...(options.accepts ? { accepts: options.accepts } : {}),
    ...(options.rawBodySchema ? { rawBodySchema: options.rawBodySchema } : {}),
  };
  recordRouteDoc(functionName, doc);
  return checkingDocumentedAnswers(
    functionName,
    routeStatuses(entry, doc),
    buildHttpHandler(entry, options, fn),
  );
}

/** The stack behind `httpRoute`, for any route entry (tests build handlers for synthetic routes). */
export function buildHttpHandler<
  Q extends AnySchema | undefined = undefined,
  P extends AnySchema | undefined = undefined,
  B extends AnySchema | undefined = undefined,
>(
  entry: Pick<RouteEntry, 'auth' | 'maxBodyBytes'>,
  options: RouteOptions<Q, P, B>,
  fn: (request: RouteRequest<Q, P, B>) => Promise<RouteResult>,
) {
  const bodyFormat = bodyFormatOf(options);

  // Logging wraps the error mapper: its onError runs first (middy runs onError innermost first),
  // so the line for a refused request still carries the request's keys, which are reset after it.
  const stack = middy<Event, APIGatewayProxyStructuredResultV2>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(requestKeys())
    .use(errorMapper())
    .use(httpHeaderNormalizer())
    .use(bodyLimit(entry.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES, bodyFormat !== 'none'));
  stack.use(auth(entry.auth));
  if (entry.auth !== 'public') stack.use(rateLimiting());
  // Parsed after auth and the rate limit: an anonymous or throttled caller costs no JSON parse.
  if (bodyFormat === 'json') stack.use(httpJsonBodyParser());
  if (options.idempotent) {
    stack.use(
      idempotency<Event>((event) =>
        event.meterhouse?.principal
          ? { tenantId: event.meterhouse.principal.tenantId, rawBody: event.meterhouse.rawBody }
          : undefined,
      ),
    );
  }
  stack.use(
    validation({
      ...(options.query ? { query: options.query } : {}),
      ...(options.params ? { params: options.params } : {}),
      ...(options.body ? { body: options.body } : {}),
    }),
  );

  return stack.handler(async (event) => {
    const state = event.meterhouse ?? { rawBody: '' };
    const result = await fn({
      query: (state.query ?? {}) as Infer<Q>,
      params: (state.params ?? {}) as Infer<P>,
      body: (state.body ?? {}) as Infer<B>,
      principal: state.principal as Principal,
      runtime: runtime(),
      requestId: requestIdOf(event),
      method: event.requestContext?.http?.method ?? 'GET',
      path: event.rawPath,
      headers: event.headers ?? {},
      rawBody: state.rawBody,
    });
    const isText = result.text !== undefined;
    return {
      statusCode: result.status ?? 200,
      headers: {
        'content-type':
          result.contentType ?? (isText ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8'),
        ...result.headers,
      },
      body: isText ? result.text : result.body === undefined ? '' : toJson(result.body),
    };
  });
}
