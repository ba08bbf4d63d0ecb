import { ValidationError } from '../domain/errors.ts';

/**
 * The one escaping helper for generated SQL. Timestream has no bind parameters, so every
 * identifier and literal the query compiler emits passes through here, and user input reaches
 * SQL only as a literal these functions have validated. Both dialects (DuckDB, Timestream) use
 * standard SQL quoting: identifiers in double quotes, strings in single quotes, the quote
 * character doubled; neither treats a backslash as an escape inside a string.
 */

const INVALID_SQL_VALUE = 'INVALID_QUERY';

function refuse(detail: string): never {
  throw new ValidationError(INVALID_SQL_VALUE, detail);
}

/** Text that may appear inside a quoted token: well-formed UTF-16, no NUL or other C0 control. */
function assertSafeText(text: string, what: string): void {
  if (!text.isWellFormed()) refuse(`${what} is not well-formed Unicode`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text)) {
    refuse(`${what} contains a control character`);
  }
}

/** `name` → `"name"`, with any `"` doubled. */
export function quoteIdentifier(name: string): string {
  if (name.length === 0 || name.length > 128) refuse('an identifier must have 1 to 128 characters');
  assertSafeText(name, `identifier ${JSON.stringify(name)}`);
  return `"${name.replaceAll('"', '""')}"`;
}

/** `it's` → `'it''s'`. Tabs and line breaks are kept verbatim; other control characters are refused. */
export function stringLiteral(value: string): string {
  if (typeof value !== 'string') refuse('a string literal must be a string');
  assertSafeText(value, 'a string value');
  return `'${value.replaceAll("'", "''")}'`;
}

/** A finite number or a bigint, written so both dialects parse it back to the same value. */
export function numberLiteral(value: number | bigint): string {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'number' || !Number.isFinite(value)) refuse(`${String(value)} is not a finite number`);
  // String() prints the shortest round-tripping form; an exponent ("1e-7", "1e+21") is a DOUBLE
  // literal in both dialects, and -0 prints as "0".
  return String(value);
}

/**
 * A UTC instant as a timestamp literal, millisecond precision:
 * - `sql`: `TIMESTAMP '2026-04-18 00:00:00.000'` (DuckDB; the column is a TIMESTAMP holding UTC);
 * - `iso8601`: `from_iso8601_timestamp('2026-04-18T00:00:00.000Z')` (Timestream).
 */
export function timestampLiteral(at: Date, form: 'sql' | 'iso8601'): string {
  if (!(at instanceof Date) || !Number.isFinite(at.getTime())) refuse('a timestamp must be a valid Date');
  const year = at.getUTCFullYear();
  if (year < 1 || year > 9999) refuse('a timestamp must lie between the years 1 and 9999');
  const iso = at.toISOString(); // YYYY-MM-DDTHH:mm:ss.sssZ for years 0000–9999
  if (form === 'sql') return `TIMESTAMP ${stringLiteral(`${iso.slice(0, 10)} ${iso.slice(11, 23)}`)}`;
  return `from_iso8601_timestamp(${stringLiteral(iso)})`;
}
