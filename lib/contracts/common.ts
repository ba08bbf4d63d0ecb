import { z } from 'zod';

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
