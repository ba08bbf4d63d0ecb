import { ValidationError } from '../../domain/errors.ts';

/**
 * A repository's page cursor: DynamoDB's LastEvaluatedKey, base64url-encoded JSON. It shows the
 * table's keys, so it never reaches a client as it is: the API seals it (domain/registry/paging.ts),
 * and only the admin CLI, which holds the table itself, sees it bare. A decoded cursor must be a
 * start key of exactly the list's key attributes: DynamoDB rejects any other ExclusiveStartKey with
 * a ValidationException, which would otherwise surface as a 500 instead of this 400.
 */
export function encodeCursor(key: Record<string, unknown> | undefined): string | undefined {
  return key ? Buffer.from(JSON.stringify(key), 'utf8').toString('base64url') : undefined;
}

export function decodeCursor(
  cursor: string | undefined,
  attributes: readonly string[],
): Record<string, string> | undefined {
  if (cursor === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const entries = Object.entries(value);
      if (
        entries.length === attributes.length &&
        entries.every(([name, v]) => attributes.includes(name) && typeof v === 'string' && v.length > 0)
      ) {
        return value as Record<string, string>;
      }
    }
  } catch {
    // fall through to the validation error
  }
  throw invalidCursor();
}

export const invalidCursor = () =>
  new ValidationError('INVALID_CURSOR', 'cursor is not a cursor this API returned', {
    errors: [{ in: 'query', name: 'cursor', message: 'not a cursor of this list' }],
  });
