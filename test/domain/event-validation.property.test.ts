import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type EventValidation,
  MAX_COST_MICROS,
  MAX_EVENT_AGE_MS,
  validateEvent,
} from '#lib/domain/event-validation.ts';
import {
  EVENT_TYPES,
  type EventType,
  INTEGER_MEASURES,
  MAX_DIMENSION_LENGTH,
  MAX_EVENT_FUTURE_MS,
  STRING_DIMENSIONS,
  type UsageEvent,
} from '#lib/domain/events.ts';
import { formatMicros } from '#lib/domain/money.ts';

/**
 * validateEvent is hand-tuned (fields read by name, lib/domain/calendar.ts's digit-by-digit time
 * parser, a one-pass cost scanner); this is the plain version of the same rules, written from the field lists of
 * events.ts. Any input must get the same answer from both: same event (same own keys, in the
 * same order, absent fields absent), or same rejection code and detail.
 */
const REFERENCE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:Z|([+-])(\d{2}):(\d{2}))$/;

/** Epoch millis of a strictly valid `time` (lib/domain/calendar.ts's rules, written plainly), NaN otherwise. */
function referenceTimeMillis(time: unknown): number {
  const match = typeof time === 'string' ? REFERENCE_TIME.exec(time) : null;
  if (!match) return Number.NaN;
  const [year, month, day, hour, minute, second, offsetHour, offsetMinute] = [1, 2, 3, 4, 5, 6, 9, 10].map(
    (group) => Number(match[group] ?? '0'),
  ) as [number, number, number, number, number, number, number, number];
  if (year < 1 || hour > 23 || minute > 59 || second > 59 || offsetHour > 23 || offsetMinute > 59) {
    return Number.NaN;
  }
  // setUTCFullYear, unlike Date.UTC, reads years 0–99 as written; a day past the month's end shows as a changed month.
  const midnight = new Date(0);
  midnight.setUTCFullYear(year, month - 1, day);
  if (
    midnight.getUTCFullYear() !== year ||
    midnight.getUTCMonth() !== month - 1 ||
    midnight.getUTCDate() !== day
  ) {
    return Number.NaN;
  }
  const offset = (match[8] === '-' ? -1 : 1) * (offsetHour * 60 + offsetMinute);
  const millis =
    midnight.getTime() +
    ((hour * 60 + minute - offset) * 60 + second) * 1000 +
    Number((match[7] ?? '').padEnd(3, '0').slice(0, 3));
  // Four-digit years in UTC too: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z.
  return millis < -62_135_596_800_000 || millis > 253_402_300_799_999 ? Number.NaN : millis;
}
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

const isPrintable = (value: string) =>
  value.length > 0 && value.split('').every((char) => char >= ' ' && char !== '\x7f');
const rejection = (code: string, detail: unknown) => ({ ok: false, rejection: { code, detail } });
const absent = (value: unknown) => value === undefined || value === null;

function referenceValidate(input: unknown, now: Date): unknown {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return rejection('NOT_AN_OBJECT', 'An event is a JSON object');
  }
  const raw = input as Record<string, unknown>;
  const unknown = Object.keys(raw).filter((key) => !KNOWN_FIELDS.has(key));
  if (unknown.length > 0) {
    return rejection('UNKNOWN_FIELD', `Unknown field${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`);
  }
  for (const field of ['id', 'time', 'type']) {
    if (absent(raw[field])) return rejection('MISSING_FIELD', `"${field}" is required`);
  }
  const { id, time, type } = raw;
  if (typeof id !== 'string' || !/^[\x21-\x7e]{1,128}$/.test(id)) {
    return rejection('INVALID_ID', '"id" is 1 to 128 printable ASCII characters without spaces');
  }
  const millis = referenceTimeMillis(time);
  if (Number.isNaN(millis)) {
    // The reason in parentheses varies with the fault; calendar.property.test.ts checks reasons.
    return rejection(
      'INVALID_TIME',
      expect.stringMatching(/^"time" must be a date-time with a zone, e.g. 2026-04-18T10:00:00Z \(.+\)$/),
    );
  }
  if (millis > now.getTime() + MAX_EVENT_FUTURE_MS) {
    return rejection('TIME_IN_FUTURE', '"time" is more than 15 minutes in the future');
  }
  if (millis < now.getTime() - MAX_EVENT_AGE_MS) {
    return rejection('TIME_TOO_OLD', '"time" is more than 365 days in the past');
  }
  if (typeof type !== 'string' || !(EVENT_TYPES as readonly string[]).includes(type)) {
    return rejection('UNKNOWN_TYPE', `"type" is one of ${EVENT_TYPES.join(', ')}`);
  }
  const event: Record<string, unknown> = { id, time: new Date(millis), type };
  for (const dimension of STRING_DIMENSIONS) {
    const value = raw[dimension];
    if (absent(value)) continue;
    if (typeof value !== 'string' || value.length > MAX_DIMENSION_LENGTH || !isPrintable(value)) {
      return rejection(
        'INVALID_DIMENSION',
        `"${dimension}" is a string of 1 to ${MAX_DIMENSION_LENGTH} characters without control characters`,
      );
    }
    event[dimension] = value;
  }
  const statusCode = raw.statusCode;
  if (!absent(statusCode)) {
    if (
      typeof statusCode !== 'number' ||
      !Number.isInteger(statusCode) ||
      statusCode < 100 ||
      statusCode > 599
    ) {
      return rejection('INVALID_STATUS_CODE', '"statusCode" is an integer HTTP status from 100 to 599');
    }
    event.statusCode = statusCode;
  }
  for (const measure of INTEGER_MEASURES) {
    const value = raw[measure];
    if (absent(value)) continue;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      return rejection('INVALID_MEASURE', `"${measure}" is a non-negative whole number`);
    }
    event[measure] = value;
  }
  for (const measure of FRACTIONAL_MEASURES) {
    const value = raw[measure];
    if (absent(value)) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1e12) {
      return rejection('INVALID_MEASURE', `"${measure}" is a non-negative number`);
    }
    event[measure] = value;
  }
  const cost = raw.cost;
  if (!absent(cost)) {
    const match = typeof cost === 'string' ? /^(\d+)(?:\.(\d{1,6}))?$/.exec(cost) : null;
    if (!match) {
      return rejection(
        'INVALID_COST',
        '"cost" is a non-negative decimal string with at most 6 decimal places, e.g. "0.012500"',
      );
    }
    const micros = BigInt(match[1] as string) * 1_000_000n + BigInt((match[2] ?? '').padEnd(6, '0'));
    if (micros > MAX_COST_MICROS) {
      return rejection('COST_OUT_OF_RANGE', `"cost" is at most ${formatMicros(MAX_COST_MICROS)} per event`);
    }
    event.cost = micros;
  }
  return { ok: true, event };
}

// Mostly valid values, so that most events get past the early checks to the later ones.
const mostly = <T>(valid: fc.Arbitrary<T>, ...invalid: fc.Arbitrary<unknown>[]): fc.Arbitrary<unknown> =>
  fc.oneof({ arbitrary: valid, weight: 30 }, ...invalid.map((arbitrary) => ({ arbitrary, weight: 1 })));

const nonString = fc.oneof(
  fc.constant(null),
  fc.constant(undefined),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant([]),
  fc.constant({}),
);
const anyString = fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' }));
const usually = <T>(value: T, otherwise?: T): fc.Arbitrary<T> =>
  fc.oneof({ arbitrary: fc.constant(value), weight: 9 }, fc.constant(otherwise ?? (!value as T)));
const padded = (value: number, width: number) => String(value).padStart(width, '0');

/** Times in toISOString's form with digits of any range, plus the other ISO forms and near misses. */
const timeArb = fc.oneof(
  {
    weight: 20,
    arbitrary: fc
      .record({
        year: fc.oneof(fc.integer({ min: 2024, max: 2028 }), fc.integer({ min: 0, max: 9999 })),
        month: fc.oneof(
          { arbitrary: fc.integer({ min: 1, max: 12 }), weight: 12 },
          fc.integer({ min: 0, max: 99 }),
        ),
        day: fc.oneof(
          { arbitrary: fc.integer({ min: 1, max: 31 }), weight: 12 },
          fc.integer({ min: 0, max: 99 }),
        ),
        hour: fc.oneof(
          { arbitrary: fc.integer({ min: 0, max: 23 }), weight: 12 },
          fc.integer({ min: 0, max: 99 }),
        ),
        minute: fc.oneof(
          { arbitrary: fc.integer({ min: 0, max: 59 }), weight: 12 },
          fc.integer({ min: 0, max: 99 }),
        ),
        second: fc.oneof(
          { arbitrary: fc.integer({ min: 0, max: 59 }), weight: 12 },
          fc.integer({ min: 0, max: 99 }),
        ),
        fraction: fc.oneof(
          { arbitrary: fc.integer({ min: 0, max: 999 }).map((ms) => `.${padded(ms, 3)}`), weight: 12 },
          fc.constant(''),
          fc.stringMatching(/^\.\d{1,10}$/),
        ),
        zone: fc.oneof(
          { arbitrary: fc.constant('Z'), weight: 12 },
          fc.stringMatching(/^[+-]\d\d:\d\d$/),
          fc.constant('z'),
        ),
        minutesOnly: usually(false),
      })
      .map(({ year, month, day, hour, minute, second, fraction, zone, minutesOnly }) => {
        const date = `${padded(year, 4)}-${padded(month, 2)}-${padded(day, 2)}`;
        const clock = minutesOnly
          ? `${padded(hour, 2)}:${padded(minute, 2)}`
          : `${padded(hour, 2)}:${padded(minute, 2)}:${padded(second, 2)}${fraction}`;
        return `${date}T${clock}${zone}`;
      }),
  },
  // One character of a valid time replaced: a separator, a digit turned letter or non-ASCII digit.
  fc
    .tuple(
      fc.integer({ min: 0, max: 23 }),
      fc.constantFrom('x', ' ', '/', '٣', '３', '-', ':', '.', 'Z', '9'),
    )
    .map(([index, char]) => {
      const time = '2026-04-18T10:20:30.456Z';
      return time.slice(0, index) + char + time.slice(index + 1);
    }),
  anyString,
  nonString,
);

/** `now` near the time (when it parses), so that boundaries and exact millis get exercised. */
const nowFor = (time: unknown): fc.Arbitrary<Date> => {
  const millis = typeof time === 'string' ? Date.parse(time) : Number.NaN;
  const fixed = fc.constant(new Date('2026-04-18T10:00:00.000Z'));
  if (!Number.isFinite(millis)) return fixed;
  const offsets = fc.oneof(
    fc.constantFrom(
      -MAX_EVENT_FUTURE_MS,
      -MAX_EVENT_FUTURE_MS - 1,
      -MAX_EVENT_FUTURE_MS + 1,
      MAX_EVENT_AGE_MS,
      MAX_EVENT_AGE_MS + 1,
      MAX_EVENT_AGE_MS - 1,
      0,
    ),
    fc.integer({ min: -2 * MAX_EVENT_FUTURE_MS, max: MAX_EVENT_AGE_MS + 86_400_000 }),
  );
  return fc.oneof(fixed, { arbitrary: offsets.map((offset) => new Date(millis + offset)), weight: 4 });
};

const dimensionArb = mostly(
  fc.oneof(
    fc.constantFrom('op_alpha', 'acct_1', '/v1/events', 'GET', 'DELIVERED'),
    fc.string({ minLength: 1 }),
  ),
  fc.constantFrom(
    '',
    'x'.repeat(MAX_DIMENSION_LENGTH),
    'x'.repeat(MAX_DIMENSION_LENGTH + 1),
    'a\tb',
    'a\x1f',
    '\x00',
    ' ',
    '~\x7f',
    '\x80',
    'é😀',
  ),
  anyString,
  nonString,
);
const integerArb = mostly(
  fc.nat(),
  fc.constantFrom(
    -1,
    1.5,
    Number.MAX_SAFE_INTEGER,
    Number.MAX_SAFE_INTEGER + 1,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    -0,
  ),
  nonString,
  fc.constant('12'),
);
const fractionalArb = mostly(
  fc.double({ min: 0, max: 1e12, noNaN: true }),
  fc.constantFrom(-1, -0, 1e12, 1e12 + 1e-3, Number.NaN, Number.POSITIVE_INFINITY, Number.MAX_VALUE),
  fc.double(),
  nonString,
);
const statusCodeArb = mostly(
  fc.integer({ min: 100, max: 599 }),
  fc.constantFrom(99, 100, 599, 600, 200.5, Number.NaN, '200'),
  fc.integer(),
  nonString,
);
const costArb = mostly(
  fc.stringMatching(/^\d{1,16}(\.\d{0,7})?$/),
  fc.constantFrom(
    '0.006500',
    '1',
    '123456789.123456',
    '1234567890.5',
    '999999999999999.999999',
    '9007199254.740991',
    '9007199254.740992',
    '0000000000009007199254.740991',
    '00000000000000000009007199254.740992',
    '1'.repeat(40),
    '-1',
    '.5',
    '1.',
    '1e5',
    ' 1',
    '١',
  ),
  anyString,
  fc.double(),
  nonString,
);
const idArb = mostly(
  fc.stringMatching(/^[\x21-\x7e]{1,128}$/),
  fc.constantFrom('', 'x'.repeat(128), 'x'.repeat(129), 'has space', 'é'),
  anyString,
  nonString,
);
const typeArb = mostly(fc.constantFrom<EventType>(...EVENT_TYPES), anyString, nonString);

const fieldArbs: Record<string, fc.Arbitrary<unknown>> = {
  id: idArb,
  type: typeArb,
  statusCode: statusCodeArb,
  cost: costArb,
  latencyMs: fractionalArb,
  units: fractionalArb,
  ...Object.fromEntries(STRING_DIMENSIONS.map((dimension) => [dimension, dimensionArb])),
  ...Object.fromEntries(INTEGER_MEASURES.map((measure) => [measure, integerArb])),
};

const unknownKeyArb = fc
  .oneof(fc.constantFrom('latencyMS', 'tenantId', '__proto__', 'constructor', 'toString', ''), anyString)
  .filter((key) => !KNOWN_FIELDS.has(key));

/** An object with any subset of the known fields (id/time/type usually), sometimes extra keys, in any order. */
const eventArb: fc.Arbitrary<{ input: unknown; now: Date }> = timeArb.chain((time) =>
  fc
    .tuple(
      fc.record(fieldArbs, { requiredKeys: [] }),
      usually(true),
      fc.oneof(
        { arbitrary: fc.constant([]), weight: 8 },
        fc.uniqueArray(fc.tuple(unknownKeyArb, fc.string()), { maxLength: 3, selector: ([key]) => key }),
      ),
      nowFor(time),
    )
    .chain(([fields, withTime, extra, now]) => {
      const entries: [string, unknown][] = [...Object.entries(fields), ...extra];
      if (withTime) entries.push(['time', time]);
      return fc
        .shuffledSubarray(entries, { minLength: entries.length, maxLength: entries.length })
        .map((shuffled) => ({ input: Object.fromEntries(shuffled) as unknown, now }));
    }),
);

/** Mostly events that carry the three required fields, else the checks never get past MISSING_FIELD. */
const inputArb = fc.oneof(
  {
    arbitrary: eventArb.map(({ input, now }) => {
      const entries = Object.entries(input as Record<string, unknown>);
      if (!entries.some(([key]) => key === 'id')) entries.push(['id', 'evt-1']);
      if (!entries.some(([key]) => key === 'type')) entries.push(['type', 'message']);
      return { input: Object.fromEntries(entries) as unknown, now };
    }),
    weight: 8,
  },
  { arbitrary: eventArb, weight: 2 },
  {
    arbitrary: fc
      .oneof(fc.constant(null), fc.array(fc.anything()), fc.string(), fc.integer(), fc.boolean())
      .map((input) => ({ input, now: new Date('2026-04-18T10:00:00.000Z') })),
    weight: 1,
  },
);

function expectSameAnswer(actual: EventValidation, expected: unknown): void {
  expect(actual).toStrictEqual(expected);
  if (actual.ok) {
    // toStrictEqual ignores key order; adapters iterate the event's keys, so order is part of the answer.
    expect(Object.keys(actual.event)).toEqual(Object.keys((expected as { event: UsageEvent }).event));
  }
}

describe('validateEvent against the plain reference', () => {
  it('gives the same answer for any input, as built and after a JSON round trip', () => {
    fc.assert(
      fc.property(inputArb, ({ input, now }) => {
        expectSameAnswer(validateEvent(input, now), referenceValidate(input, now));
        if (input === undefined) return;
        const parsed: unknown = JSON.parse(JSON.stringify(input));
        expectSameAnswer(validateEvent(parsed, now), referenceValidate(parsed, now));
      }),
      { numRuns: 5000 },
    );
  });

  it('generates inputs that reach every outcome, so the comparison covers every check', () => {
    const outcomes = new Set(
      fc.sample(inputArb, { numRuns: 5000, seed: 1 }).map(({ input, now }) => {
        const result = validateEvent(input, now);
        return result.ok ? 'accepted' : result.rejection.code;
      }),
    );
    const codes = [
      'NOT_AN_OBJECT',
      'MISSING_FIELD',
      'UNKNOWN_FIELD',
      'INVALID_ID',
      'INVALID_TIME',
      'TIME_IN_FUTURE',
    ];
    codes.push('TIME_TOO_OLD', 'UNKNOWN_TYPE', 'INVALID_DIMENSION', 'INVALID_STATUS_CODE', 'INVALID_MEASURE');
    codes.push('INVALID_COST', 'COST_OUT_OF_RANGE', 'accepted');
    expect([...outcomes].sort()).toEqual(codes.sort());
  });
});
