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

// ISO 8601 date-time with an explicit zone; a time without one would be ambiguous.
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
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
const KNOWN_TYPES = new Set<string>(EVENT_TYPES);
const MAX_ID_LENGTH = 128;
/** Whole parts up to this many digits make micros below 2^53: exact as a number. */
const SAFE_WHOLE_DIGITS = 9;

const reject = (code: EventRejection['code'], detail: string): EventValidation => ({
  ok: false,
  rejection: { code, detail },
});

/** 1 to 128 printable ASCII characters without spaces (0x21–0x7e). */
function isValidId(id: string): boolean {
  const length = id.length;
  if (length === 0 || length > MAX_ID_LENGTH) return false;
  for (let i = 0; i < length; i++) {
    const code = id.charCodeAt(i);
    if (code < 0x21 || code > 0x7e) return false;
  }
  return true;
}

/** Control characters (U+0000–U+001F, U+007F) have no place in a dimension value; anything else is stored verbatim. */
function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

const digitsAt = (text: string, start: number, count: number): number => {
  let value = 0;
  for (let i = start; i < start + count; i++) value = value * 10 + (text.charCodeAt(i) - 0x30);
  return value;
};

/**
 * Date.parse of a time that matched ISO_TIME. The form toISOString writes
 * (YYYY-MM-DDTHH:MM:SS.sssZ, what most clients send) is read digit by digit, with the ranges
 * Date.parse accepts (a day up to 31 rolls over into the next month, as it does there); any
 * other form, and hour 24, go to Date.parse itself.
 */
function parseIsoTime(time: string): number {
  if (time.length === 24 && time.charCodeAt(19) === 0x2e && time.charCodeAt(23) === 0x5a) {
    const year = digitsAt(time, 0, 4);
    const month = digitsAt(time, 5, 2);
    const day = digitsAt(time, 8, 2);
    const hour = digitsAt(time, 11, 2);
    const minute = digitsAt(time, 14, 2);
    const second = digitsAt(time, 17, 2);
    if (year >= 1000 && month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour <= 23) {
      if (minute <= 59 && second <= 59) {
        return Date.UTC(year, month - 1, day, hour, minute, second, digitsAt(time, 20, 3));
      }
      return Number.NaN;
    }
  }
  return Date.parse(time);
}

/** Micros of a string that passed isDecimalString: exact number arithmetic when it fits, else parseMicros. */
function microsOf(cost: string): bigint {
  const dot = cost.indexOf('.');
  const whole = dot < 0 ? cost : cost.slice(0, dot);
  if (whole.length > SAFE_WHOLE_DIGITS) return parseMicros(cost);
  const fraction = dot < 0 ? 0 : Number(cost.slice(dot + 1).padEnd(6, '0'));
  return BigInt(Number(whole) * 1_000_000 + fraction);
}

function unknownFieldsRejection(raw: Record<string, unknown>): EventValidation | null {
  const unknown = Object.keys(raw).filter((key) => !KNOWN_FIELDS.has(key));
  if (unknown.length === 0) return null;
  return reject('UNKNOWN_FIELD', `Unknown field${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`);
}

/**
 * Validates one incoming event on its own, so one bad event never affects the rest of its batch.
 * Unknown fields are rejected, not dropped: a misspelt `latencyMS` silently lost would corrupt
 * every latency figure downstream, so the client hears about it. It runs once per ingested event,
 * so it avoids per-event allocations beyond the event itself (no key arrays, one Date.parse).
 */
export function validateEvent(input: unknown, now: Date): EventValidation {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return reject('NOT_AN_OBJECT', 'An event is a JSON object');
  }
  const raw = input as Record<string, unknown>;
  for (const key in raw) {
    if (!KNOWN_FIELDS.has(key)) {
      // for…in also walks inherited keys: the own keys alone decide, as they always did.
      const rejection = unknownFieldsRejection(raw);
      if (rejection) return rejection;
    }
  }
  const { id, time: rawTime, type } = raw;
  if (id === undefined || id === null) return reject('MISSING_FIELD', '"id" is required');
  if (rawTime === undefined || rawTime === null) return reject('MISSING_FIELD', '"time" is required');
  if (type === undefined || type === null) return reject('MISSING_FIELD', '"type" is required');
  if (typeof id !== 'string' || !isValidId(id)) {
    return reject('INVALID_ID', '"id" is 1 to 128 printable ASCII characters without spaces');
  }
  const millis = typeof rawTime === 'string' && ISO_TIME.test(rawTime) ? parseIsoTime(rawTime) : Number.NaN;
  if (Number.isNaN(millis)) {
    return reject('INVALID_TIME', '"time" is an ISO 8601 date-time with a zone, e.g. 2026-04-18T10:00:00Z');
  }
  const nowMillis = now.getTime();
  if (millis > nowMillis + MAX_EVENT_FUTURE_MS) {
    return reject('TIME_IN_FUTURE', '"time" is more than 15 minutes in the future');
  }
  if (millis < nowMillis - MAX_EVENT_AGE_MS) {
    return reject('TIME_TOO_OLD', '"time" is more than 365 days in the past');
  }
  if (typeof type !== 'string' || !KNOWN_TYPES.has(type)) {
    return reject('UNKNOWN_TYPE', `"type" is one of ${EVENT_TYPES.join(', ')}`);
  }
  const event: UsageEvent = { id, time: new Date(millis), type: type as EventType };

  for (const dimension of STRING_DIMENSIONS) {
    const value = raw[dimension];
    if (value === undefined || value === null) continue;
    if (
      typeof value !== 'string' ||
      value.length === 0 ||
      value.length > MAX_DIMENSION_LENGTH ||
      hasControlCharacter(value)
    ) {
      return reject(
        'INVALID_DIMENSION',
        `"${dimension}" is a string of 1 to ${MAX_DIMENSION_LENGTH} characters without control characters`,
      );
    }
    event[dimension] = value;
  }
  const statusCode = raw.statusCode;
  if (statusCode !== undefined && statusCode !== null) {
    if (
      typeof statusCode !== 'number' ||
      !Number.isInteger(statusCode) ||
      statusCode < 100 ||
      statusCode > 599
    ) {
      return reject('INVALID_STATUS_CODE', '"statusCode" is an integer HTTP status from 100 to 599');
    }
    event.statusCode = statusCode;
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
  const cost = raw.cost;
  if (cost !== undefined && cost !== null) {
    if (typeof cost !== 'string' || !isDecimalString(cost)) {
      return reject(
        'INVALID_COST',
        '"cost" is a non-negative decimal string with at most 6 decimal places, e.g. "0.012500"',
      );
    }
    event.cost = microsOf(cost);
  }
  return { ok: true, event };
}
