/**
 * The one reader of dates and times that clients send: event `time`, every window bound
 * (`from`/`to`, `start_date`/`end_date`, the billing report's `start`/`end`), price-plan validity,
 * budget months. A value names a real instant or day exactly as written, or it is refused with
 * {@link INVALID_TIME} and a reason; it is never moved to another day. Date.parse, by contrast,
 * reads 2026-11-31 as 2026-12-01 and T24:00 as the next day's midnight, which would put usage
 * (and its billing) into the wrong day or month.
 *
 * Forms (no others: no week or ordinal dates, no basic format, no lower-case `t`/`z`, no space):
 * - instant  `YYYY-MM-DDThh:mm[:ss[.f…]]` and a zone `Z` or `±hh:mm` (RFC 3339, with the seconds
 *            optional as ISO 8601 allows). A time without a zone is refused: it names no instant.
 * - date     `YYYY-MM-DD`, a UTC calendar day.
 * - month    `YYYY-MM`, a UTC calendar month.
 * Ranges: year 0001–9999, month 01–12, day 01 to the month's real length (leap years by the
 * Gregorian rule), hour 00–23 (`24:00` is refused: it is the next day's 00:00, so write that),
 * minute and second 00–59, offset ±00:00 to ±23:59, and the instant itself within
 * 0001-01-01T00:00:00Z–9999-12-31T23:59:59.999Z after applying the offset (so that it prints back
 * in the same four-digit form). Second 60 is refused: JavaScript, DuckDB and Timestream time has no
 * leap seconds, so a leap second could only be stored by moving it to another second, which this
 * reader never does (and none has been inserted since 2016). The fraction has 1 to 9 digits
 * (nanoseconds, the finest any clock or store here writes) and is truncated to milliseconds, the
 * stores' precision: truncation never moves a time into the next second, minute or day.
 *
 * Hand-written rather than a library: Temporal is not in Node 24 by default, and its polyfill and
 * date-fns each differ from these rules somewhere (Temporal reads second 60 as 59 and takes year
 * 0000; date-fns' parseISO reads a time without a zone as local time), so either would still need
 * these checks around it; and ingest runs this once per event, where a scan of char codes costs
 * less than any regular expression.
 */

/** The problem code of a malformed or impossible date or time, everywhere: ingest rejections and `errors` entries. */
export const INVALID_TIME = 'INVALID_TIME';

/** What each form must be, for messages: "must be <rule> (<reason>)". */
export const INSTANT_RULE = 'a date-time with a zone, e.g. 2026-04-18T10:00:00Z';
export const DATE_RULE = 'a date YYYY-MM-DD, e.g. 2026-04-18';
export const DATE_OR_INSTANT_RULE = 'a date (2026-04-18) or a date-time with a zone (2026-04-18T10:00:00Z)';
export const MONTH_RULE = 'a month YYYY-MM, e.g. 2026-04';

export type CalendarParse = { ok: true; millis: number } | { ok: false; reason: string };

export interface DateOrInstant {
  /** Epoch milliseconds: the instant, or 00:00Z of the date. */
  millis: number;
  /** True when the text was a plain date (a whole UTC day). */
  dateOnly: boolean;
}
export type DateOrInstantParse = ({ ok: true } & DateOrInstant) | { ok: false; reason: string };

/** Every accepted instant lies in [MIN_MILLIS, MAX_MILLIS]: four-digit years in UTC. */
export const MIN_MILLIS = -62_135_596_800_000; // 0001-01-01T00:00:00.000Z
export const MAX_MILLIS = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z

const DAY_MS = 86_400_000;
const MAX_FRACTION_DIGITS = 9;

const HYPHEN = 0x2d;
const COLON = 0x3a;
const DOT = 0x2e;
const PLUS = 0x2b;
const LETTER_T = 0x54;
const LETTER_Z = 0x5a;

const fail = (reason: string): { ok: false; reason: string } => ({ ok: false, reason });
const pad = (value: number, width: number) => String(value).padStart(width, '0');

export const isLeapYear = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

/** Days in `month` (1–12) of `year`, by the Gregorian rule. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** The number written by `count` ASCII digits at `start`, or -1 when one of them is not a digit (or is missing). */
function digitsAt(text: string, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i++) {
    const digit = text.charCodeAt(i) - 0x30; // NaN past the end: the test below fails for it too
    if (!(digit >= 0 && digit <= 9)) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/**
 * Days from 1970-01-01 to a valid civil date (H. Hinnant's days_from_civil: years counted from
 * March, so that the leap day ends a year). Exact for every year, unlike Date.UTC, which reads
 * years 0–99 as 1900–1999.
 */
function daysSinceEpoch(year: number, month: number, day: number): number {
  const marchYear = month <= 2 ? year - 1 : year;
  const era = Math.floor(marchYear / 400);
  const yearOfEra = marchYear - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

const DATE_FORM = 'not written YYYY-MM-DD';

/** Reads `YYYY-MM` at the start of `text`: the month, or a reason. */
function readYearMonth(text: string): { year: number; month: number } | string {
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  if (year < 0 || month < 0 || text.charCodeAt(4) !== HYPHEN) return '';
  if (year === 0) return 'year 0000 does not exist (years run 0001–9999)';
  if (month < 1 || month > 12) return `month ${pad(month, 2)} does not exist (01–12)`;
  return { year, month };
}

/** Reads `YYYY-MM-DD` at the start of `text`: 00:00Z of the day in epoch millis, or a reason. */
function readDate(text: string): number | string {
  const yearMonth = readYearMonth(text);
  if (typeof yearMonth === 'string') return yearMonth;
  const { year, month } = yearMonth;
  const day = digitsAt(text, 8, 2);
  if (day < 0 || text.charCodeAt(7) !== HYPHEN) return '';
  const length = daysInMonth(year, month);
  if (day < 1 || day > length) {
    return day === 0
      ? 'day 00 does not exist'
      : `${pad(year, 4)}-${pad(month, 2)} has ${length} days, not ${day}`;
  }
  return daysSinceEpoch(year, month, day) * DAY_MS;
}

/** A calendar date `YYYY-MM-DD`: epoch millis of its 00:00Z. */
export function parseCalendarDate(text: unknown): CalendarParse {
  if (typeof text !== 'string') return fail('not a string');
  const date = text.length === 10 ? readDate(text) : '';
  if (typeof date === 'string') return fail(date || DATE_FORM);
  return { ok: true, millis: date };
}

/** A calendar month `YYYY-MM`: epoch millis of 00:00Z on its first day. */
export function parseMonth(text: unknown): CalendarParse {
  if (typeof text !== 'string') return fail('not a string');
  const yearMonth = text.length === 7 ? readYearMonth(text) : '';
  if (typeof yearMonth === 'string') return fail(yearMonth || 'not written YYYY-MM');
  return { ok: true, millis: daysSinceEpoch(yearMonth.year, yearMonth.month, 1) * DAY_MS };
}

const INSTANT_FORM = 'not written YYYY-MM-DDThh:mm:ss with a zone Z or ±hh:mm';

/** An instant: a date, `T`, a time of day and a zone (see the module comment). Epoch millis. */
export function parseInstant(text: unknown): CalendarParse {
  if (typeof text !== 'string') return fail('not a string');
  const length = text.length;
  const date = length >= 10 ? readDate(text) : '';
  if (typeof date === 'string') return fail(date || INSTANT_FORM);
  if (length === 10) return fail('a date without a time and zone');
  const hour = digitsAt(text, 11, 2);
  const minute = digitsAt(text, 14, 2);
  if (text.charCodeAt(10) !== LETTER_T || text.charCodeAt(13) !== COLON || hour < 0 || minute < 0) {
    return fail(INSTANT_FORM);
  }
  let at = 16;
  let second = 0;
  let millis = 0;
  if (text.charCodeAt(at) === COLON) {
    second = digitsAt(text, 17, 2);
    if (second < 0) return fail(INSTANT_FORM);
    at = 19;
    if (text.charCodeAt(at) === DOT) {
      let digits = 0;
      let scale = 100;
      for (at += 1; at < length; at++) {
        const digit = text.charCodeAt(at) - 0x30;
        if (digit < 0 || digit > 9) break;
        digits += 1;
        millis += digit * scale; // digits past the third add 0 (scale < 1 rounds below): truncation
        scale = scale >= 10 ? scale / 10 : 0;
      }
      if (digits === 0) return fail(INSTANT_FORM);
      if (digits > MAX_FRACTION_DIGITS) return fail(`more than ${MAX_FRACTION_DIGITS} fraction digits`);
    }
  }
  let offsetMinutes = 0;
  const zone = text.charCodeAt(at);
  if (zone === LETTER_Z) {
    if (at + 1 !== length) return fail(INSTANT_FORM);
  } else if (zone === PLUS || zone === HYPHEN) {
    const offsetHour = digitsAt(text, at + 1, 2);
    const offsetMinute = digitsAt(text, at + 4, 2);
    if (offsetHour < 0 || offsetMinute < 0 || text.charCodeAt(at + 3) !== COLON || at + 6 !== length) {
      return fail(INSTANT_FORM);
    }
    if (offsetHour > 23 || offsetMinute > 59) {
      return fail(`offset ${text.slice(at)} does not exist (±00:00 to ±23:59)`);
    }
    offsetMinutes = (zone === PLUS ? 1 : -1) * (offsetHour * 60 + offsetMinute);
  } else {
    return fail(at === length ? 'no zone: add Z or ±hh:mm' : INSTANT_FORM);
  }
  if (hour > 23) return fail(`hour ${hour} does not exist (00–23; midnight is 00:00 of the next day)`);
  if (minute > 59) return fail(`minute ${minute} does not exist (00–59)`);
  if (second > 59) {
    return fail(
      second === 60
        ? 'second 60 is a leap second, which is not accepted (00–59)'
        : `second ${second} does not exist (00–59)`,
    );
  }
  const instant = date + ((hour * 60 + minute - offsetMinutes) * 60 + second) * 1000 + millis;
  if (instant < MIN_MILLIS || instant > MAX_MILLIS) {
    return fail('outside 0001-01-01T00:00:00Z–9999-12-31T23:59:59.999Z once the offset is applied');
  }
  return { ok: true, millis: instant };
}

/** A window bound: a plain date (00:00Z of that UTC day) or an instant. */
export function parseDateOrInstant(text: unknown): DateOrInstantParse {
  if (typeof text === 'string' && text.length === 10) {
    const date = parseCalendarDate(text);
    return date.ok ? { ok: true, millis: date.millis, dateOnly: true } : date;
  }
  const instant = parseInstant(text);
  return instant.ok ? { ok: true, millis: instant.millis, dateOnly: false } : instant;
}
