import { INSTANT_RULE, INVALID_TIME, parseInstant } from './calendar.ts';
import {
  EVENT_TYPES,
  type EventType,
  type IntegerMeasure,
  MAX_DIMENSION_LENGTH,
  MAX_EVENT_FUTURE_MS,
  type StringDimension,
  type UsageEvent,
} from './events.ts';
import { MAX_EXACT_NUMBER } from './exact-integers.ts';
import { formatMicros } from './money.ts';

/** Events older than this are refused: the time-series store's retention ends there. */
export const MAX_EVENT_AGE_MS = 365 * 24 * 3600 * 1000;

export interface EventRejection {
  code:
    | typeof INVALID_TIME
    | 'NOT_AN_OBJECT'
    | 'MALFORMED_JSON'
    | 'MISSING_FIELD'
    | 'UNKNOWN_FIELD'
    | 'INVALID_ID'
    | 'TIME_IN_FUTURE'
    | 'TIME_TOO_OLD'
    | 'UNKNOWN_TYPE'
    | 'INVALID_DIMENSION'
    | 'INVALID_STATUS_CODE'
    | 'INVALID_MEASURE'
    | 'INVALID_COST'
    | 'COST_OUT_OF_RANGE';
  detail: string;
}

export type EventValidation = { ok: true; event: UsageEvent } | { ok: false; rejection: EventRejection };

const FRACTIONAL_MEASURES = ['latencyMs', 'units'] as const;
const MAX_ID_LENGTH = 128;
/** Whole parts up to this many digits make micros below 2^53: exact as a number. */
const SAFE_WHOLE_DIGITS = 9;
/**
 * The largest cost one event may carry, in micros: 2^53 − 1, i.e. 9,007,199,254.740991. The
 * stored column (BIGINT) would hold more, but this bound is the integer measures' own (a JSON
 * number is exact up to it), keeps one event's cost exact where a contract shows money as a
 * number, and leaves Timestream's BIGINT sums room for 1,024 events at the bound before they
 * could overflow. No real charge comes near it; a cost above it is a unit mistake worth hearing.
 */
export const MAX_COST_MICROS = MAX_EXACT_NUMBER;
/** costMicros's answer for a well-formed cost above MAX_COST_MICROS. */
const COST_TOO_LARGE = -1n;
/** Significant whole digits past which a cost is above MAX_COST_MICROS without parsing it. */
const MAX_COST_WHOLE_DIGITS = String(MAX_COST_MICROS / 1_000_000n).length;

const reject = (code: EventRejection['code'], detail: string): EventValidation => ({
  ok: false,
  rejection: { code, detail },
});

const invalidDimension = (dimension: StringDimension): EventValidation =>
  reject(
    'INVALID_DIMENSION',
    `"${dimension}" is a string of 1 to ${MAX_DIMENSION_LENGTH} characters without control characters`,
  );
const invalidIntegerMeasure = (measure: IntegerMeasure): EventValidation =>
  reject('INVALID_MEASURE', `"${measure}" is a non-negative whole number`);
const invalidFractionalMeasure = (measure: (typeof FRACTIONAL_MEASURES)[number]): EventValidation =>
  reject('INVALID_MEASURE', `"${measure}" is a non-negative number`);

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

/** 1 to 256 characters, none of them a control character (U+0000–U+001F, U+007F); anything else is stored verbatim. */
function isDimensionValue(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const length = value.length;
  if (length === 0 || length > MAX_DIMENSION_LENGTH) return false;
  for (let i = 0; i < length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return false;
  }
  return true;
}

/**
 * A whole number from 0 to 2^53 − 1: past that a JSON number may already have been rounded by the
 * parser, so the value the client meant is unknown. Sums of them are exact (bigint) whatever their
 * size; one event's value is exact as a number.
 */
const isIntegerMeasure = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

const isFractionalMeasure = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 1e12;

const KNOWN_TYPES = new Set<string>(EVENT_TYPES);
const isKnownType = (type: string): type is EventType => KNOWN_TYPES.has(type);

/**
 * Micros of a non-negative decimal string with at most 6 decimal places (money.ts's
 * isDecimalString, with any number of whole digits), COST_TOO_LARGE when that is above
 * MAX_COST_MICROS, undefined for anything else. Whole parts up to 9 digits are exact as numbers;
 * longer ones are read as bigint, once they are short enough to be in range at all.
 */
function costMicros(cost: unknown): bigint | undefined {
  if (typeof cost !== 'string') return undefined;
  const length = cost.length;
  let whole = 0;
  let i = 0;
  for (; i < length; i++) {
    const digit = cost.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) break;
    whole = whole * 10 + digit;
  }
  const wholeDigits = i;
  if (wholeDigits === 0 || (i < length && cost.charCodeAt(i) !== 0x2e)) return undefined;
  let fraction = 0;
  let scale = 1_000_000;
  if (i < length) {
    const places = length - i - 1;
    if (places < 1 || places > 6) return undefined;
    for (i += 1; i < length; i++) {
      const digit = cost.charCodeAt(i) - 0x30;
      if (digit < 0 || digit > 9) return undefined;
      fraction = fraction * 10 + digit;
      scale /= 10;
    }
  }
  if (wholeDigits <= SAFE_WHOLE_DIGITS) return BigInt(whole * 1_000_000 + fraction * scale);
  let leadingZeros = 0;
  while (leadingZeros < wholeDigits - 1 && cost.charCodeAt(leadingZeros) === 0x30) leadingZeros++;
  if (wholeDigits - leadingZeros > MAX_COST_WHOLE_DIGITS) return COST_TOO_LARGE;
  const micros = BigInt(cost.slice(0, wholeDigits)) * 1_000_000n + BigInt(fraction * scale);
  return micros > MAX_COST_MICROS ? COST_TOO_LARGE : micros;
}

/**
 * The fields validateEvent reads: a switch on the key beats a Set lookup in its per-key loop.
 * Written out like the reads themselves; test/domain/event-validation.property.test.ts holds both
 * to the field lists of events.ts.
 */
function isKnownField(key: string): boolean {
  switch (key) {
    case 'id':
    case 'time':
    case 'type':
    case 'statusCode':
    case 'cost':
    case 'operatorId':
    case 'accountId':
    case 'projectId':
    case 'apiKeyId':
    case 'connectorId':
    case 'service':
    case 'endpoint':
    case 'category':
    case 'method':
    case 'model':
    case 'status':
    case 'bytes':
    case 'inputTokens':
    case 'outputTokens':
    case 'segments':
    case 'storageBytes':
    case 'latencyMs':
    case 'units':
      return true;
    default:
      return false;
  }
}

function unknownFieldsRejection(raw: Record<string, unknown>): EventValidation | null {
  const unknown = Object.keys(raw).filter((key) => !isKnownField(key));
  if (unknown.length === 0) return null;
  return reject('UNKNOWN_FIELD', `Unknown field${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`);
}

/**
 * Validates one incoming event on its own, so one bad event never affects the rest of its batch.
 * Unknown fields are rejected, not dropped: a misspelt `latencyMS` silently lost would corrupt
 * every latency figure downstream, so the client hears about it. It runs once per ingested event
 * (its cost is a ceiling on ingest throughput), so fields are read by name, one at a time: keyed
 * reads and writes in a loop over field names are several times slower. Absent fields stay absent
 * on the event, which adapters iterate.
 */
export function validateEvent(input: unknown, now: Date): EventValidation {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return reject('NOT_AN_OBJECT', 'An event is a JSON object');
  }
  const raw = input as Record<string, unknown>;
  for (const key in raw) {
    if (!isKnownField(key)) {
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
  const time = parseInstant(rawTime);
  if (!time.ok) return reject(INVALID_TIME, `"time" must be ${INSTANT_RULE} (${time.reason})`);
  const millis = time.millis;
  const nowMillis = now.getTime();
  if (millis > nowMillis + MAX_EVENT_FUTURE_MS) {
    return reject('TIME_IN_FUTURE', '"time" is more than 15 minutes in the future');
  }
  if (millis < nowMillis - MAX_EVENT_AGE_MS) {
    return reject('TIME_TOO_OLD', '"time" is more than 365 days in the past');
  }
  if (typeof type !== 'string' || !isKnownType(type)) {
    return reject('UNKNOWN_TYPE', `"type" is one of ${EVENT_TYPES.join(', ')}`);
  }
  const event: UsageEvent = { id, time: new Date(millis), type };

  // `!= null`: a null field counts as absent, like a missing one.
  const operatorId = raw.operatorId;
  if (operatorId != null) {
    if (!isDimensionValue(operatorId)) return invalidDimension('operatorId');
    event.operatorId = operatorId;
  }
  const accountId = raw.accountId;
  if (accountId != null) {
    if (!isDimensionValue(accountId)) return invalidDimension('accountId');
    event.accountId = accountId;
  }
  const projectId = raw.projectId;
  if (projectId != null) {
    if (!isDimensionValue(projectId)) return invalidDimension('projectId');
    event.projectId = projectId;
  }
  const apiKeyId = raw.apiKeyId;
  if (apiKeyId != null) {
    if (!isDimensionValue(apiKeyId)) return invalidDimension('apiKeyId');
    event.apiKeyId = apiKeyId;
  }
  const connectorId = raw.connectorId;
  if (connectorId != null) {
    if (!isDimensionValue(connectorId)) return invalidDimension('connectorId');
    event.connectorId = connectorId;
  }
  const service = raw.service;
  if (service != null) {
    if (!isDimensionValue(service)) return invalidDimension('service');
    event.service = service;
  }
  const endpoint = raw.endpoint;
  if (endpoint != null) {
    if (!isDimensionValue(endpoint)) return invalidDimension('endpoint');
    event.endpoint = endpoint;
  }
  const category = raw.category;
  if (category != null) {
    if (!isDimensionValue(category)) return invalidDimension('category');
    event.category = category;
  }
  const method = raw.method;
  if (method != null) {
    if (!isDimensionValue(method)) return invalidDimension('method');
    event.method = method;
  }
  const model = raw.model;
  if (model != null) {
    if (!isDimensionValue(model)) return invalidDimension('model');
    event.model = model;
  }
  const status = raw.status;
  if (status != null) {
    if (!isDimensionValue(status)) return invalidDimension('status');
    event.status = status;
  }
  const statusCode = raw.statusCode;
  if (statusCode != null) {
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
  const bytes = raw.bytes;
  if (bytes != null) {
    if (!isIntegerMeasure(bytes)) return invalidIntegerMeasure('bytes');
    event.bytes = bytes;
  }
  const inputTokens = raw.inputTokens;
  if (inputTokens != null) {
    if (!isIntegerMeasure(inputTokens)) return invalidIntegerMeasure('inputTokens');
    event.inputTokens = inputTokens;
  }
  const outputTokens = raw.outputTokens;
  if (outputTokens != null) {
    if (!isIntegerMeasure(outputTokens)) return invalidIntegerMeasure('outputTokens');
    event.outputTokens = outputTokens;
  }
  const segments = raw.segments;
  if (segments != null) {
    if (!isIntegerMeasure(segments)) return invalidIntegerMeasure('segments');
    event.segments = segments;
  }
  const storageBytes = raw.storageBytes;
  if (storageBytes != null) {
    if (!isIntegerMeasure(storageBytes)) return invalidIntegerMeasure('storageBytes');
    event.storageBytes = storageBytes;
  }
  const latencyMs = raw.latencyMs;
  if (latencyMs != null) {
    if (!isFractionalMeasure(latencyMs)) return invalidFractionalMeasure('latencyMs');
    event.latencyMs = latencyMs;
  }
  const units = raw.units;
  if (units != null) {
    if (!isFractionalMeasure(units)) return invalidFractionalMeasure('units');
    event.units = units;
  }
  const cost = raw.cost;
  if (cost != null) {
    const micros = costMicros(cost);
    if (micros === undefined) {
      return reject(
        'INVALID_COST',
        '"cost" is a non-negative decimal string with at most 6 decimal places, e.g. "0.012500"',
      );
    }
    if (micros === COST_TOO_LARGE) {
      return reject('COST_OUT_OF_RANGE', `"cost" is at most ${formatMicros(MAX_COST_MICROS)} per event`);
    }
    event.cost = micros;
  }
  return { ok: true, event };
}
