import { z } from 'zod';

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

/**
 * An exact sum (tokens, bytes, segments) where a contract shows a whole number: a JSON number up
 * to 2^53 − 1, the decimal string above (lib/domain/exact-integers.ts), so that no client reads a
 * rounded figure.
 */
export const exactCount = z
  .union([z.number().int().nonnegative(), z.string().regex(/^[1-9]\d{15,}$/)])
  .describe('A whole number; above 2^53 − 1 its exact decimal string');

/** Money where a contract shows a number: a JSON number up to 2^53 − 1 micros, the exact 6-decimal string above. */
export const exactMoneyNumber = z
  .union([z.number().nonnegative(), z.string().regex(/^[1-9]\d{9,}\.\d{6}$/)])
  .describe('An amount with at most 6 decimals; above 9007199254.740991 its exact 6-decimal string');
