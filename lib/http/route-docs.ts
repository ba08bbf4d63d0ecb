import type { z } from 'zod';

/** Problem statuses a route may answer; see lib/http/openapi.ts for the ones the stack implies. */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 500 | 503;

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
  /** Error statuses beyond those the stack implies. */
  errors: readonly ErrorStatus[];
  /** Media types of the success answer; `application/json` when absent. */
  responseTypes?: readonly string[];
  /** A `raw` body: the media types the handler reads, and the schema it parses a JSON one with. */
  accepts?: readonly string[];
  rawBodySchema?: z.ZodType;
}

const docs = new Map<string, RouteDoc>();

export function recordRouteDoc(functionName: string, doc: RouteDoc): void {
  docs.set(functionName, doc);
}

/** Every route whose handler module has been loaded in this process, by function name. */
export function routeDocs(): ReadonlyMap<string, RouteDoc> {
  return docs;
}
