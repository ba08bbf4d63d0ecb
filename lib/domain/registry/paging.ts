import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
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
 * Port: the server-side key that seals cursors, 32 random bytes, the same in every container of
 * one deployment (a cursor made by one Lambda container is opened by another).
 */
export interface CursorKeySource {
  cursorKey(): Promise<Uint8Array>;
}

export const CURSOR_KEY_BYTES = 32;
const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + IV_BYTES;

/**
 * A cursor is a position in one list of one tenant (`scope`: tenant, list name, filters),
 * encrypted and authenticated with AES-256-GCM under the server's key, the scope as associated
 * data: `version ‖ iv ‖ ciphertext ‖ tag`, base64url. So a client can neither read it (it shows
 * no tenant id and no table key) nor forge or alter one, and a cursor of another tenant, list or
 * filter fails to open: each is a 400, never a position that reaches the store unchecked. The
 * IV is random: 2^32 cursors per key keep GCM's collision bound, far beyond any registry's paging.
 */
export async function sealCursor(keys: CursorKeySource, scope: string, position: string): Promise<string> {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', await keys.cursorKey(), iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(scope, 'utf8'));
  const sealed = Buffer.concat([
    Buffer.of(VERSION),
    iv,
    cipher.update(position, 'utf8'),
    cipher.final(),
    cipher.getAuthTag(),
  ]);
  return sealed.toString('base64url');
}

const invalidCursor = () =>
  new ValidationError('INVALID_CURSOR', 'cursor is not a cursor of this list', {
    errors: [{ in: 'query', name: 'cursor', message: 'not a cursor of this list' }],
  });

/** The position a cursor holds; `valid` checks its form (a forged position must not reach the store). */
export async function openCursor(
  keys: CursorKeySource,
  scope: string,
  cursor: string | undefined,
  valid: (position: string) => boolean = () => true,
): Promise<string | undefined> {
  if (cursor === undefined) return undefined;
  const bytes = Buffer.from(cursor, 'base64url');
  // Node's decoder skips what is not base64url and ignores spare bits: only the canonical
  // spelling of the sealed bytes is a cursor, so no altered character slips through as the same one.
  if (bytes.toString('base64url') !== cursor || bytes.length <= HEADER_BYTES + TAG_BYTES)
    throw invalidCursor();
  if (bytes[0] !== VERSION) throw invalidCursor();
  const key = await keys.cursorKey();
  let position: string;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(1, HEADER_BYTES), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(Buffer.from(scope, 'utf8'));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    position = Buffer.concat([
      decipher.update(bytes.subarray(HEADER_BYTES, bytes.length - TAG_BYTES)),
      decipher.final(),
    ]).toString('utf8');
  } catch {
    throw invalidCursor();
  }
  if (position.length === 0 || !valid(position)) throw invalidCursor();
  return position;
}
