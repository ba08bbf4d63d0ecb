import {
  EVENT_TYPES,
  type EventType,
  INTEGER_MEASURES,
  MAX_DIMENSION_LENGTH,
  MAX_EVENT_FUTURE_MS,
  STRING_DIMENSIONS,
  type UsageEvent,
} from './events.ts';
import { isDecimalString, parseMicros } from './money.ts';

/** Events older than this are refused: the time-series store's retention ends there. */
export const MAX_EVENT_AGE_MS = 365 * 24 * 3600 * 1000;

export interface EventRejection {
  code:
    | 'NOT_AN_OBJECT'
    | 'MALFORMED_JSON'
    | 'MISSING_FIELD'
    | 'UNKNOWN_FIELD'
    | 'INVALID_ID'
    | 'INVALID_TIME'
    | 'TIME_IN_FUTURE'
    | 'TIME_TOO_OLD'
    | 'UNKNOWN_TYPE'
    | 'INVALID_DIMENSION'
    | 'INVALID_STATUS_CODE'
    | 'INVALID_MEASURE'
    | 'INVALID_COST';
  detail: string;
}

export type EventValidation = { ok: true; event: UsageEvent } | { ok: false; rejection: EventRejection };

const ID_PATTERN = /^[\x21-\x7e]{1,128}$/;
// ISO 8601 date-time with an explicit zone; a time without one would be ambiguous.
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
// Control characters have no place in a dimension value; anything else is stored verbatim.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL = /[\u0000-\u001f\u007f]/;
const FRACTIONAL_MEASURES = ['latencyMs', 'units'] as const;
const KNOWN_FIELDS = new Set<string>([
  'id',
  'time',
  'type',
  'statusCode',
  'cost',
  ...STRING_DIMENSIONS,
  ...INTEGER_MEASURES,
  ...FRACTIONAL_MEASURES,
]);

const reject = (code: EventRejection['code'], detail: string): EventValidation => ({
  ok: false,
  rejection: { code, detail },
});

/**
 * Validates one incoming event on its own, so one bad event never affects the rest of its batch.
 * Unknown fields are rejected, not dropped: a misspelt `latencyMS` silently lost would corrupt
 * every latency figure downstream, so the client hears about it.
 */
export function validateEvent(input: unknown, now: Date): EventValidation {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return reject('NOT_AN_OBJECT', 'An event is a JSON object');
  }
  const raw = input as Record<string, unknown>;
  const unknown = Object.keys(raw).filter((key) => !KNOWN_FIELDS.has(key));
  if (unknown.length > 0) {
    return reject('UNKNOWN_FIELD', `Unknown field${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`);
  }
  for (const field of ['id', 'time', 'type'] as const) {
    if (raw[field] === undefined || raw[field] === null)
      return reject('MISSING_FIELD', `"${field}" is required`);
  }
  if (typeof raw.id !== 'string' || !ID_PATTERN.test(raw.id)) {
    return reject('INVALID_ID', '"id" is 1 to 128 printable ASCII characters without spaces');
  }
  if (typeof raw.time !== 'string' || !ISO_TIME.test(raw.time) || Number.isNaN(Date.parse(raw.time))) {
    return reject('INVALID_TIME', '"time" is an ISO 8601 date-time with a zone, e.g. 2026-04-18T10:00:00Z');
  }
  const time = new Date(Date.parse(raw.time));
  if (time.getTime() > now.getTime() + MAX_EVENT_FUTURE_MS) {
    return reject('TIME_IN_FUTURE', '"time" is more than 15 minutes in the future');
  }
  if (time.getTime() < now.getTime() - MAX_EVENT_AGE_MS) {
    return reject('TIME_TOO_OLD', '"time" is more than 365 days in the past');
  }
  if (typeof raw.type !== 'string' || !(EVENT_TYPES as readonly string[]).includes(raw.type)) {
    return reject('UNKNOWN_TYPE', `"type" is one of ${EVENT_TYPES.join(', ')}`);
  }
  const event: UsageEvent = { id: raw.id, time, type: raw.type as EventType };

  for (const dimension of STRING_DIMENSIONS) {
    const value = raw[dimension];
    if (value === undefined || value === null) continue;
    if (
      typeof value !== 'string' ||
      value.length === 0 ||
      value.length > MAX_DIMENSION_LENGTH ||
      CONTROL.test(value)
    ) {
      return reject(
        'INVALID_DIMENSION',
        `"${dimension}" is a string of 1 to ${MAX_DIMENSION_LENGTH} characters without control characters`,
      );
    }
    event[dimension] = value;
  }
  if (raw.statusCode !== undefined && raw.statusCode !== null) {
    const code = raw.statusCode;
    if (typeof code !== 'number' || !Number.isInteger(code) || code < 100 || code > 599) {
      return reject('INVALID_STATUS_CODE', '"statusCode" is an integer HTTP status from 100 to 599');
    }
    event.statusCode = code;
  }
  for (const measure of INTEGER_MEASURES) {
    const value = raw[measure];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      return reject('INVALID_MEASURE', `"${measure}" is a non-negative whole number`);
    }
    event[measure] = value;
  }
  for (const measure of FRACTIONAL_MEASURES) {
    const value = raw[measure];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1e12) {
      return reject('INVALID_MEASURE', `"${measure}" is a non-negative number`);
    }
    event[measure] = value;
  }
  if (raw.cost !== undefined && raw.cost !== null) {
    if (typeof raw.cost !== 'string' || !isDecimalString(raw.cost)) {
      return reject(
        'INVALID_COST',
        '"cost" is a non-negative decimal string with at most 6 decimal places, e.g. "0.012500"',
      );
    }
    event.cost = parseMicros(raw.cost);
  }
  return { ok: true, event };
}
