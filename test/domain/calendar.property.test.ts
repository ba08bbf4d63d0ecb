import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  daysInMonth,
  MAX_MILLIS,
  MIN_MILLIS,
  parseCalendarDate,
  parseDateOrInstant,
  parseInstant,
  parseMonth,
} from '#lib/domain/calendar.ts';

/**
 * lib/domain/calendar.ts against references built from components: a valid text must give the
 * instant Date.UTC-style arithmetic gives for its components, and a text with one impossible
 * component must be refused (never read as some other instant).
 */

const pad = (value: number, width: number) => String(value).padStart(width, '0');

/** 00:00Z of a civil date; setUTCFullYear reads years 0–99 as written, unlike Date.UTC. */
function utcMidnight(year: number, month: number, day: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return date.getTime();
}

interface Components {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number | undefined;
  fraction: string;
  /** Minutes east of UTC, or undefined for Z. */
  offset: number | undefined;
}

function write(c: Components): string {
  const date = `${pad(c.year, 4)}-${pad(c.month, 2)}-${pad(c.day, 2)}`;
  const seconds = c.second === undefined ? '' : `:${pad(c.second, 2)}${c.fraction}`;
  const zone =
    c.offset === undefined
      ? 'Z'
      : `${c.offset < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(c.offset) / 60), 2)}:${pad(Math.abs(c.offset) % 60, 2)}`;
  return `${date}T${pad(c.hour, 2)}:${pad(c.minute, 2)}${seconds}${zone}`;
}

function referenceMillis(c: Components): number {
  const millis = Number(c.fraction.slice(1).padEnd(3, '0').slice(0, 3));
  return (
    utcMidnight(c.year, c.month, c.day) +
    ((c.hour * 60 + c.minute - (c.offset ?? 0)) * 60 + (c.second ?? 0)) * 1000 +
    millis
  );
}

const yearArb = fc.oneof(
  fc.integer({ min: 1, max: 9999 }),
  fc.integer({ min: 1896, max: 2104 }), // the leap years around 1900, 2000 and 2100
  fc.constantFrom(1, 4, 99, 100, 400, 1600, 1900, 2000, 2100, 2400, 9999),
);
const validArb: fc.Arbitrary<Components> = fc
  .record({
    year: yearArb,
    month: fc.integer({ min: 1, max: 12 }),
    dayIndex: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
    hour: fc.integer({ min: 0, max: 23 }),
    minute: fc.integer({ min: 0, max: 59 }),
    second: fc.option(fc.integer({ min: 0, max: 59 }), { nil: undefined }),
    fraction: fc.oneof(fc.constant(''), fc.stringMatching(/^\.\d{1,9}$/)),
    offset: fc.option(fc.integer({ min: -(23 * 60 + 59), max: 23 * 60 + 59 }), { nil: undefined }),
  })
  .map(({ dayIndex, second, fraction, ...rest }) => ({
    ...rest,
    day: 1 + Math.floor(dayIndex * daysInMonth(rest.year, rest.month)),
    second,
    fraction: second === undefined ? '' : fraction,
  }))
  .filter((c) => {
    const millis = referenceMillis(c);
    return millis >= MIN_MILLIS && millis <= MAX_MILLIS;
  });

describe('parseInstant', () => {
  it('reads every valid instant as the instant of its components', () => {
    fc.assert(
      fc.property(validArb, (c) => {
        const text = write(c);
        expect(parseInstant(text)).toEqual({ ok: true, millis: referenceMillis(c) });
        // Date.parse agrees on every valid text (it is only too lenient on invalid ones).
        expect(Date.parse(text)).toBe(referenceMillis(c));
      }),
      { numRuns: 3000 },
    );
  });

  it('prints a Z instant back as written (toISOString, to the millisecond)', () => {
    fc.assert(
      fc.property(
        validArb.filter((c) => c.offset === undefined),
        (c) => {
          const parsed = parseInstant(write(c));
          if (!parsed.ok) throw new Error(parsed.reason);
          const iso = new Date(parsed.millis).toISOString();
          const fraction = c.fraction.slice(1).padEnd(3, '0').slice(0, 3);
          expect(iso).toBe(write({ ...c, second: c.second ?? 0, fraction: `.${fraction}` }));
        },
      ),
      { numRuns: 1000 },
    );
  });

  /** One component of a valid instant made impossible, with the words the refusal must give. */
  const brokenArb: fc.Arbitrary<{ text: string; reason: string }> = validArb.chain((c) =>
    fc.oneof(
      fc.integer({ min: daysInMonth(c.year, c.month) + 1, max: 99 }).map((day) => ({
        text: write({ ...c, day }),
        reason: `has ${daysInMonth(c.year, c.month)} days, not ${day}`,
      })),
      fc.constant({ text: write({ ...c, day: 0 }), reason: 'day 00' }),
      fc
        .integer({ min: 13, max: 99 })
        .map((month) => ({ text: write({ ...c, month }), reason: `month ${month}` })),
      fc.constant({ text: write({ ...c, month: 0 }), reason: 'month 00' }),
      fc.constant({ text: write({ ...c, year: 0 }), reason: 'year 0000' }),
      fc
        .integer({ min: 24, max: 99 })
        .map((hour) => ({ text: write({ ...c, hour }), reason: `hour ${hour}` })),
      fc
        .integer({ min: 60, max: 99 })
        .map((minute) => ({ text: write({ ...c, minute }), reason: `minute ${minute}` })),
      fc.integer({ min: 60, max: 99 }).map((second) => ({
        text: write({ ...c, second }),
        reason: second === 60 ? 'leap second' : `second ${second}`,
      })),
      fc.constant({ text: write(c).replace(/(Z|[+-]\d\d:\d\d)$/, ''), reason: 'no zone' }),
      fc.integer({ min: 24, max: 99 }).map((hours) => ({
        text: `${write(c).replace(/(Z|[+-]\d\d:\d\d)$/, '')}+${hours}:00`,
        reason: 'offset',
      })),
      fc.constant({ text: write(c).slice(0, 10), reason: 'a date without a time' }),
    ),
  );

  it('refuses an impossible component with its reason, never reading another instant', () => {
    fc.assert(
      fc.property(brokenArb, ({ text, reason }) => {
        const parsed = parseInstant(text);
        expect(parsed.ok, text).toBe(false);
        if (!parsed.ok) expect(parsed.reason).toContain(reason);
      }),
      { numRuns: 3000 },
    );
  });

  it('accepts any text only as the instant Date.parse gives it, and only in its own calendar', () => {
    const nearMiss = fc.oneof(
      fc.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{0,10})?)?(Z|[+-]\d{2}:\d{2})?$/),
      fc.string(),
    );
    fc.assert(
      fc.property(nearMiss, (text) => {
        const parsed = parseInstant(text);
        if (!parsed.ok) return;
        expect(parsed.millis).toBe(Date.parse(text));
        // The written date is the date of the instant in the written offset: nothing rolled over.
        const offset = /([+-])(\d\d):(\d\d)$/.exec(text);
        const shift = offset
          ? (offset[1] === '-' ? -1 : 1) * (Number(offset[2]) * 60 + Number(offset[3]))
          : 0;
        expect(new Date(parsed.millis + shift * 60_000).toISOString().slice(0, 16)).toBe(text.slice(0, 16));
      }),
      { numRuns: 3000 },
    );
  });

  it('truncates fractions past the millisecond, so that no time moves to the next second', () => {
    expect(parseInstant('2026-12-31T23:59:59.999999999Z')).toEqual({
      ok: true,
      millis: Date.UTC(2026, 11, 31, 23, 59, 59, 999),
    });
    expect(parseInstant('9999-12-31T23:59:59.9999Z')).toEqual({ ok: true, millis: MAX_MILLIS });
    expect(parseInstant('0001-01-01T00:00:00Z')).toEqual({ ok: true, millis: MIN_MILLIS });
    expect(parseInstant('0001-01-01T00:30:00+01:00').ok).toBe(false);
    expect(parseInstant('9999-12-31T23:30:00-01:00').ok).toBe(false);
    for (const text of [
      '2026-04-18t10:00:00z',
      '2026-04-18 10:00:00Z',
      '2026-04-18T10:00:00+0100',
      '+002026-04-18T10:00:00Z',
    ]) {
      expect(parseInstant(text).ok, text).toBe(false);
    }
  });
});

const dateArb = fc
  .record({ year: yearArb, month: fc.integer({ min: 1, max: 12 }), day: fc.integer({ min: 1, max: 31 }) })
  .filter(({ year, month, day }) => day <= daysInMonth(year, month));

describe('parseCalendarDate, parseMonth and parseDateOrInstant', () => {
  it('read every real date and month as its 00:00Z, and print it back as written', () => {
    fc.assert(
      fc.property(dateArb, ({ year, month, day }) => {
        const text = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
        const millis = utcMidnight(year, month, day);
        expect(parseCalendarDate(text)).toEqual({ ok: true, millis });
        expect(parseDateOrInstant(text)).toEqual({ ok: true, millis, dateOnly: true });
        expect(new Date(millis).toISOString().slice(0, 10)).toBe(text);
        expect(parseMonth(text.slice(0, 7))).toEqual({ ok: true, millis: utcMidnight(year, month, 1) });
      }),
      { numRuns: 3000 },
    );
  });

  it('refuse a day past the month, day 00, month 00 or 13+ and year 0000', () => {
    const badDate = fc.oneof(
      dateArb.chain(({ year, month }) =>
        fc.integer({ min: daysInMonth(year, month) + 1, max: 99 }).map((day) => ({ year, month, day })),
      ),
      dateArb.map((date) => ({ ...date, day: 0 })),
      dateArb.chain((date) => fc.constantFrom(0, 13, 99).map((month) => ({ ...date, month }))),
      dateArb.map((date) => ({ ...date, year: 0 })),
    );
    fc.assert(
      fc.property(badDate, ({ year, month, day }) => {
        const text = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
        expect(parseCalendarDate(text).ok, text).toBe(false);
        expect(parseDateOrInstant(text).ok, text).toBe(false);
        if (month < 1 || month > 12 || year === 0) expect(parseMonth(text.slice(0, 7)).ok, text).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('take only their own forms', () => {
    expect(parseCalendarDate('2026-04-18T00:00:00Z').ok).toBe(false);
    expect(parseCalendarDate('2026-4-18').ok).toBe(false);
    expect(parseMonth('2026-04-01').ok).toBe(false);
    expect(parseDateOrInstant('2026-04-18T10:00:00Z')).toEqual({
      ok: true,
      millis: Date.UTC(2026, 3, 18, 10),
      dateOnly: false,
    });
    expect(parseDateOrInstant(20260418).ok).toBe(false);
  });
});
