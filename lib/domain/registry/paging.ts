import { createHash } from 'node:crypto';
import { ValidationError } from '../errors.ts';

/** Every list endpoint pages the same way: `limit` 1..200 (default 50) and an opaque `cursor`. */
export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_PAGE_LIMIT = 200;

export interface PageQuery {
  limit: number;
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/**
 * A cursor is a position in one list of one tenant, sealed with a tag of that list (tenant, list
 * name, filters). A cursor from another list, tenant or filter is rejected with 400 instead of
 * silently paging somewhere else. The tag is not a secret: a forged cursor still only positions a
 * query inside the caller's own partition, so it can reach nothing the caller may not list.
 */
function scopeTag(scope: string): string {
  return createHash('sha256').update(scope, 'utf8').digest('base64url').slice(0, 16);
}

export function sealCursor(scope: string, position: string): string {
  return Buffer.from(JSON.stringify({ s: scopeTag(scope), p: position }), 'utf8').toString('base64url');
}

/** The position a cursor holds; `valid` checks its form (a forged position must not reach the store). */
export function openCursor(
  scope: string,
  cursor: string | undefined,
  valid: (position: string) => boolean = () => true,
): string | undefined {
  if (cursor === undefined) return undefined;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  const { s, p } = (decoded ?? {}) as { s?: unknown; p?: unknown };
  if (typeof p !== 'string' || p.length === 0 || s !== scopeTag(scope) || !valid(p)) {
    throw new ValidationError('INVALID_CURSOR', 'cursor is not a cursor of this list', {
      errors: [{ in: 'query', name: 'cursor', message: 'not a cursor of this list' }],
    });
  }
  return p;
}
