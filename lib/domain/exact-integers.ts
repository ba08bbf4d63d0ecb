/**
 * Sums of integer measures (tokens, bytes, segments) and of cost micros are bigint from the store
 * to the response, so they stay exact whatever their size. A contract that shows such a figure as
 * a JSON number gets the number while a double holds it exactly (up to 2^53 − 1), and the exact
 * decimal string above: a client parsing JSON into doubles would otherwise read a rounded figure
 * without knowing it.
 */
export const MAX_EXACT_NUMBER = BigInt(Number.MAX_SAFE_INTEGER);

/** A whole number for a contract field shown as a JSON number: the number up to 2^53 − 1, else its decimal string. */
export type WireInteger = number | string;

export function wireInteger(value: bigint): WireInteger {
  return value <= MAX_EXACT_NUMBER && value >= -MAX_EXACT_NUMBER ? Number(value) : value.toString();
}

/** `dividend / divisor` rounded half away from zero to a whole number; 0 for a zero divisor. */
export function divideRounded(dividend: bigint, divisor: bigint): bigint {
  if (divisor === 0n) return 0n;
  const negative = dividend < 0n !== divisor < 0n;
  const [n, d] = [dividend < 0n ? -dividend : dividend, divisor < 0n ? -divisor : divisor];
  const q = n / d;
  const rounded = (n % d) * 2n >= d ? q + 1n : q;
  return negative ? -rounded : rounded;
}
