import { ValidationError } from './errors.ts';

export interface TimeWindow {
  /** Inclusive. */
  from: Date;
  /** Exclusive. */
  to: Date;
}

export const DAY_MS = 86_400_000;
export const MAX_WINDOW_DAYS = 90;

export function startOfUtcDay(date: Date): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
}

/** ISO 8601 without milliseconds when they are zero, as the contracts print times. */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace('.000Z', 'Z');
}

/**
 * The window of a read: UTC, `from` inclusive, `to` exclusive, at most `maxDays` long.
 * Defaults as the delivery-analytics contract gives them: today 00:00 UTC until now.
 */
export function resolveWindow(
  input: { from?: Date | undefined; to?: Date | undefined },
  now: Date,
  options: { maxDays?: number; defaultFrom?: (to: Date) => Date } = {},
): TimeWindow {
  const maxDays = options.maxDays ?? MAX_WINDOW_DAYS;
  const to = input.to ?? now;
  const from = input.from ?? (options.defaultFrom ?? (() => startOfUtcDay(now)))(to);
  if (from.getTime() >= to.getTime() || to.getTime() - from.getTime() > maxDays * DAY_MS) {
    throw new ValidationError(
      'INVALID_WINDOW',
      `'from' must be before 'to' and window must be ≤ ${maxDays} days`,
      { parameter: 'from' },
    );
  }
  return { from, to };
}

/** Rounds a ratio to `places` decimals (contracts print rates with 4). */
export function roundTo(value: number, places: number): number {
  const factor = 10 ** places;
  return Math.round(value * factor) / factor;
}

export function ratio(part: number, whole: number, places = 4): number {
  return whole === 0 ? 0 : roundTo(part / whole, places);
}
