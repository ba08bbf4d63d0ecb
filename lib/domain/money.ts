import { ValidationError } from './errors.ts';
import { divideRounded, MAX_EXACT_NUMBER } from './exact-integers.ts';

/**
 * Money is held as integer micro-units (1 unit = 1,000,000 micros) in bigint, so sums are exact
 * whatever their size; it crosses the wire as a decimal string or, where a contract shows a
 * number, converted from that exact string once at the edge.
 */
export type Micros = bigint;

export const MICROS_PER_UNIT = 1_000_000n;
const DECIMAL = /^(\d{1,15})(?:\.(\d{1,6}))?$/;

/** Parses a non-negative decimal string with at most 6 fraction digits ("0.0125") into micros. */
export function parseMicros(value: string): Micros {
  const match = DECIMAL.exec(value);
  if (!match) {
    throw new ValidationError(
      'INVALID_DECIMAL',
      `"${value}" is not a non-negative decimal with at most 6 decimal places`,
    );
  }
  const whole = match[1] ?? '0';
  const fraction = (match[2] ?? '').padEnd(6, '0');
  return BigInt(whole) * MICROS_PER_UNIT + BigInt(fraction);
}

export function isDecimalString(value: string): boolean {
  return DECIMAL.test(value);
}

/** Formats micros as a decimal string with exactly `places` decimals (≤ 6), rounding half away from zero. */
export function formatMicros(micros: Micros, places = 6): string {
  const negative = micros < 0n;
  let abs = negative ? -micros : micros;
  if (places < 6) {
    const step = 10n ** BigInt(6 - places);
    abs = ((abs + step / 2n) / step) * step;
  }
  const whole = abs / MICROS_PER_UNIT;
  const fraction = (abs % MICROS_PER_UNIT).toString().padStart(6, '0').slice(0, places);
  const body = places > 0 ? `${whole}.${fraction}` : `${whole}`;
  return negative && abs !== 0n ? `-${body}` : body;
}

/**
 * For contracts that show money as a JSON number (usage-cost analytics): the exact 6-decimal
 * string → number once, while micros ≤ 2^53 − 1, so that the number reads back as the same
 * decimal; above that, the exact decimal string itself (lib/domain/exact-integers.ts).
 */
export function microsToWireNumber(micros: Micros): number | string {
  const text = formatMicros(micros, 6);
  return micros <= MAX_EXACT_NUMBER && micros >= -MAX_EXACT_NUMBER ? Number(text) : text;
}

/** Divides micros by a count, rounding half away from zero to a whole micro (e.g. average cost per message). */
export function divideMicros(micros: Micros, divisor: bigint): Micros {
  return divideRounded(micros, divisor);
}
