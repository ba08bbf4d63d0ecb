import * as z from 'zod';

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
