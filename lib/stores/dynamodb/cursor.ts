import { ValidationError } from '../../domain/errors.ts';

/**
 * Page cursors are DynamoDB's LastEvaluatedKey, base64url-encoded: opaque to clients. A decoded
 * cursor is still only a start key inside the caller's own partition (the key condition names
 * the tenant), so a forged cursor cannot reach another tenant's items.
 */
export function encodeCursor(key: Record<string, unknown> | undefined): string | undefined {
  return key ? Buffer.from(JSON.stringify(key), 'utf8').toString('base64url') : undefined;
}

export function decodeCursor(cursor: string | undefined): Record<string, unknown> | undefined {
  if (cursor === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const entries = Object.entries(value);
      if (entries.length > 0 && entries.every(([, v]) => typeof v === 'string')) {
        return value as Record<string, unknown>;
      }
    }
  } catch {
    // fall through to the validation error
  }
  throw new ValidationError('INVALID_CURSOR', 'cursor is not a cursor this API returned', {
    parameter: 'cursor',
  });
}
