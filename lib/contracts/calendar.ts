import * as z from 'zod';
import {
  type CalendarParse,
  DATE_OR_INSTANT_RULE,
  DATE_RULE,
  INVALID_TIME,
  MONTH_RULE,
  parseCalendarDate,
  parseDateOrInstant,
  parseMonth,
} from '../domain/calendar.ts';

/**
 * The zod side of lib/domain/calendar.ts: every date or time a request carries (query parameter
 * or body field) is read by one of these, so each is refused the same way. A malformed or
 * impossible value is a zod issue whose `params.code` is INVALID_TIME, the code ingest rejects an
 * event's bad `time` with; lib/http/problem.ts copies it onto the value's `errors` entry
 * (`{in, name, code: "INVALID_TIME", message}`), while the problem stays 400 VALIDATION_FAILED as
 * for any other bad parameter. A missing required value is not a bad time: its entry has no code.
 *
 * The schemas start from `unknown`, not `z.string()`, so that a JSON number or boolean sent as a
 * body date gets INVALID_TIME too; the documents still say `type: string`.
 */
function calendarValue<T>(
  rule: string,
  /** The form alone, for the documents (the calendar rules are the parser's). */
  pattern: string,
  read: (text: unknown) => { ok: true; value: T } | { ok: false; reason: string },
) {
  return z
    .unknown()
    .transform((value, ctx): T => {
      if (value === undefined) {
        ctx.issues.push({ code: 'custom', message: `is required: ${rule}`, input: value });
        return z.NEVER;
      }
      const parsed = read(value);
      if (parsed.ok) return parsed.value;
      ctx.issues.push({
        code: 'custom',
        message: `must be ${rule} (${parsed.reason})`,
        input: value,
        params: { code: INVALID_TIME },
      });
      return z.NEVER;
    })
    .meta({ type: 'string', pattern, description: `${rule[0]?.toUpperCase()}${rule.slice(1)}` });
}

const asText =
  (parse: (text: unknown) => CalendarParse) =>
  (text: unknown): { ok: true; value: string } | { ok: false; reason: string } => {
    const parsed = parse(text);
    return parsed.ok ? { ok: true, value: text as string } : parsed;
  };

/** A date (`2025-06-01`, a whole UTC day) or a date-time with a zone (`2025-06-01T10:00:00Z`). */
export interface DateParam {
  at: Date;
  dateOnly: boolean;
}

/** A window bound or validity start/end: a date (read as 00:00Z) or a date-time with a zone, as its instant. */
const DATE_FORM = String.raw`\d{4}-\d{2}-\d{2}`;
const DATE_OR_INSTANT_FORM = String.raw`^${DATE_FORM}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$`;

export const dateOrInstantParam = calendarValue(DATE_OR_INSTANT_RULE, DATE_OR_INSTANT_FORM, (text) => {
  const parsed = parseDateOrInstant(text);
  return parsed.ok ? { ok: true, value: new Date(parsed.millis) } : parsed;
});

/** The same, keeping whether it was a plain date (usage and cost: an `end_date` date is inclusive). */
export const dateOrInstantWithKindParam = calendarValue<DateParam>(
  DATE_OR_INSTANT_RULE,
  DATE_OR_INSTANT_FORM,
  (text) => {
    const parsed = parseDateOrInstant(text);
    return parsed.ok
      ? { ok: true, value: { at: new Date(parsed.millis), dateOnly: parsed.dateOnly } }
      : parsed;
  },
);

/** A calendar date `YYYY-MM-DD`, kept as written (it is the canonical form). */
export const calendarDateParam = calendarValue(DATE_RULE, `^${DATE_FORM}$`, asText(parseCalendarDate));

/** A calendar month `YYYY-MM` (budgets), kept as written. */
export const monthParam = calendarValue(MONTH_RULE, String.raw`^\d{4}-\d{2}$`, asText(parseMonth));
