import DecimalModule from 'decimal.js';

// decimal.js's ESM build exports the constructor as default, while its CommonJS typings make a
// default import the module object: this names the runtime value with its real type.
const Decimal = DecimalModule as unknown as typeof DecimalModule.default;

/**
 * Exact arithmetic of billing (the usage report and the billing run). Unit prices are decimal strings with up to 12
 * decimals and units are whole numbers (or GB-months with 6 decimals), so every product is a
 * finite decimal that decimal.js holds exactly at this precision; only the final rounding to 6
 * decimals (half-up, i.e. half away from zero, as ../money.ts rounds) loses anything.
 * Storage means are ratios of integers, kept as exact bigint fractions until they are rounded.
 */
const Exact = Decimal.clone({ precision: 80, rounding: Decimal.ROUND_HALF_UP });
export const AMOUNT_DECIMALS = 6;

/** units × unitPrice, exact, rounded half-up to 6 decimals: "0.000045" for 3 × "0.000015". */
export function lineAmount(units: number | bigint | string, unitPrice: string): string {
  return new Exact(units.toString())
    .times(unitPrice)
    .toDecimalPlaces(AMOUNT_DECIMALS, Decimal.ROUND_HALF_UP)
    .toFixed(AMOUNT_DECIMALS);
}

/** The exact sum of 6-decimal strings, as a 6-decimal string. */
export function sumDecimals(values: readonly string[]): string {
  let total = new Exact(0);
  for (const value of values) total = total.plus(value);
  return total.toFixed(AMOUNT_DECIMALS);
}

/** Σ of amounts, or null when any is null (an amount without a plan is unknown). */
export function totalAmount(amounts: readonly (string | null)[]): string | null {
  const known = amounts.filter((amount): amount is string => amount !== null);
  return known.length === amounts.length ? sumDecimals(known) : null;
}

/** A non-negative fraction n / d, d > 0. */
export interface Fraction {
  n: bigint;
  d: bigint;
}

export const ZERO: Fraction = { n: 0n, d: 1n };

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

export function fraction(n: bigint, d: bigint): Fraction {
  if (d <= 0n) throw new RangeError('a fraction needs a positive denominator');
  const g = gcd(n, d);
  return g > 1n ? { n: n / g, d: d / g } : { n, d };
}

export function addFractions(a: Fraction, b: Fraction): Fraction {
  return fraction(a.n * b.d + b.n * a.d, a.d * b.d);
}

/** a / divisor, exact. */
export function divideFraction(a: Fraction, divisor: bigint): Fraction {
  return fraction(a.n, a.d * divisor);
}

/** Rounds a non-negative fraction half-up to `places` decimals, as a decimal string. */
export function roundFraction(value: Fraction, places: number): string {
  const scale = 10n ** BigInt(places);
  const scaled = (value.n * scale * 2n + value.d) / (value.d * 2n);
  if (places === 0) return scaled.toString();
  const digits = scaled.toString().padStart(places + 1, '0');
  return `${digits.slice(0, -places)}.${digits.slice(-places)}`;
}
