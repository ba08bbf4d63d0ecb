import type { Page } from '../domain/registry/paging.ts';
import { RequestValidationError } from './problem.ts';
import type { RouteResult } from './route.ts';

/**
 * Answers of versioned resources: the version is the ETag, a write that must not overwrite a
 * newer version sends it back as `If-Match`.
 */

/** The version in `If-Match` (`3`, `"3"` or `W/"3"`); undefined when absent or `*`. */
export function ifMatchVersion(headers: Record<string, string | undefined>): number | undefined {
  const raw = headers['if-match'];
  if (raw === undefined || raw.trim() === '*') return undefined;
  const match = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(raw);
  if (!match) {
    throw new RequestValidationError([
      { in: 'header', name: 'If-Match', message: 'must be the version of the resource, e.g. "3"' },
    ]);
  }
  return Number(match[1]);
}

export function resource<V extends { version: number }>(view: V, status = 200): RouteResult {
  return { status, body: view, headers: { etag: `"${view.version}"` } };
}

/** 201 with the new resource and where it lives. */
export function created<V extends { version: number }>(location: string, view: V): RouteResult {
  return { status: 201, body: view, headers: { etag: `"${view.version}"`, location } };
}

export function page<T, V>(result: Page<T>, view: (item: T) => V): RouteResult {
  return { body: { items: result.items.map(view), nextCursor: result.nextCursor } };
}

export const noContent: RouteResult = { status: 204 };
