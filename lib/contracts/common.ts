import * as z from 'zod';

/** An ISO 8601 date-time query parameter with an explicit zone (or a plain date, read as 00:00 UTC). */
export const isoDateTimeParam = z
  .string()
  .refine(
    (value) =>
      /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/.test(value) &&
      !Number.isNaN(Date.parse(value)),
    {
      message: 'must be an ISO 8601 date-time with a zone (2026-04-18T00:00:00Z) or a date (2026-04-18)',
    },
  )
  .transform((value) => new Date(Date.parse(value.length === 10 ? `${value}T00:00:00Z` : value)));

/** A 6-decimal money string, as the delivery contract prints `totalCost`. */
export const moneyString = z.string().regex(/^-?\d+\.\d{6}$/);

export const windowSchema = z.object({ from: z.string(), to: z.string() });

/** A whole-number query parameter in [min, max]; the message names the accepted range. */
export const integerParam = (min: number, max: number) => {
  const range = max === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${min}` : `an integer from ${min} to ${max}`;
  return z
    .string()
    .regex(/^\d{1,15}$/, `must be ${range}`)
    .transform(Number)
    .pipe(z.number().int().min(min, `must be ${range}`).max(max, `must be ${range}`));
};
