import type { z } from 'zod';
import type { RouteEntry } from '../manifest-types.ts';

/** Problem statuses a route may answer; `routeStatuses` adds the ones the stack implies. */
export type ErrorStatus = 400 | 401 | 403 | 404 | 405 | 409 | 413 | 415 | 422 | 429 | 500 | 503;

/**
 * What `httpRoute` knows about a route's contract, recorded when its handler module is loaded so
 * that lib/http/openapi.ts documents the schemas the stack actually validates with.
 */
export interface RouteDoc {
  query?: z.ZodType;
  params?: z.ZodType;
  /** A JSON body the stack validates (`bodyFormat: 'json'`). */
  body?: z.ZodType;
  /** The success body (JSON); absent for text answers. */
  response?: z.ZodType;
  bodyFormat: 'json' | 'raw' | 'none';
  idempotent: boolean;
  ifMatch: boolean;
  /** The success status. */
  status: 200 | 201 | 204;
  /** Problem statuses the handler's services answer beyond those the stack implies. */
  answers: readonly ErrorStatus[];
  /** Statuses besides `status` that answer the success body itself (readiness' 503 report). */
  responseStatuses: readonly ResponseStatus[];
  /** Media types of the success answer; `application/json` when absent. */
  responseTypes?: readonly string[];
  /** A `raw` body: the media types the handler reads, and the schema it parses a JSON one with. */
  accepts?: readonly string[];
  rawBodySchema?: z.ZodType;
}

/** A status whose answer is the success body, and what that answer means. */
export interface ResponseStatus {
  status: ErrorStatus;
  description: string;
}

const docs = new Map<string, RouteDoc>();

export function recordRouteDoc(functionName: string, doc: RouteDoc): void {
  docs.set(functionName, doc);
}

/** Every route whose handler module has been loaded in this process, by function name. */
export function routeDocs(): ReadonlyMap<string, RouteDoc> {
  return docs;
}

/** Every status a route answers, ascending: with its success body, and as a problem document. */
export interface RouteStatuses {
  /** `status` first, then `responseStatuses`. */
  body: readonly number[];
  problems: readonly ErrorStatus[];
}

/**
 * The statuses a route can answer, derived from what its stack does with it and what its handler
 * declares. The OpenAPI document lists exactly these, and lib/http/documented-answers.ts checks
 * every answer the route gives against them, so the rules here are the ones the code follows:
 * - 400 when the stack validates anything (query, path, body, `Idempotency-Key`, `If-Match`);
 * - 401, 403 and 429 (the key's rate limits) unless public; 404 when the path names a resource (`{id}`);
 * - 409 for idempotent writes (a key still in progress) and `If-Match` (a stale version);
 * - 413 always: the body limit runs on every route, a bodiless one included; 415 when it reads a body;
 * - 422 for idempotent writes (a key reused for another body);
 * - 503 when it uses the time-series store (Timestream still throttling after the retries);
 * - 500 always; and whatever else the handler declares in `answers`.
 * A status the route answers with its own body (`responseStatuses`) is not also a problem status.
 */
export function routeStatuses(
  route: Pick<RouteEntry, 'path' | 'auth' | 'binds'>,
  doc: RouteDoc,
): RouteStatuses {
  const problems = new Set<ErrorStatus>(doc.answers);
  const validates =
    doc.query || doc.params || doc.body || doc.bodyFormat === 'raw' || doc.idempotent || doc.ifMatch;
  if (validates) problems.add(400);
  if (route.auth !== 'public') {
    problems.add(401);
    problems.add(403);
    problems.add(429);
  }
  if (route.path.includes('{')) problems.add(404);
  if (doc.idempotent || doc.ifMatch) problems.add(409);
  problems.add(413);
  if (doc.bodyFormat !== 'none') problems.add(415);
  if (doc.idempotent) problems.add(422);
  if (route.binds.some((binding) => binding.startsWith('timeseries:'))) problems.add(503);
  problems.add(500);
  for (const answer of doc.responseStatuses) problems.delete(answer.status);
  return {
    body: [doc.status, ...doc.responseStatuses.map((answer) => answer.status)],
    problems: [...problems].sort((a, b) => a - b),
  };
}
