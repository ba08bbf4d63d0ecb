import type { EventType } from '../events.ts';
import type { PriceMetric } from '../registry/price-plans.ts';
import { DAY_MS } from '../windows.ts';
import { AMOUNT_DECIMALS, divideFraction, type Fraction, fraction, roundFraction } from './money.ts';

/**
 * Billable units. Counted usage is one unit per event of a type, billed per value of one
 * dimension; storage is billed in GB-months (GB = 10⁹ bytes, month = 30 days), each UTC day (or
 * the part of it inside a pricing period) counting with the mean of the day's samples, so an
 * operator that starts or stops mid-window is billed only for the days it stored something.
 */
export interface CountedUsage {
  type: EventType;
  /** The event dimension the metric's prices may depend on (METRIC_DIMENSIONS of the metric). */
  dimension: 'category' | 'connectorId';
  metric: PriceMetric;
}

export const API_CALLS: CountedUsage = { type: 'api.request', dimension: 'category', metric: 'api_call' };
export const GATEWAY_REQUESTS: CountedUsage = {
  type: 'gateway.request',
  dimension: 'connectorId',
  metric: 'gateway_request',
};
export const EVENTS_INGESTED: CountedUsage = {
  type: 'event.ingested',
  dimension: 'category',
  metric: 'event_ingested',
};
export const COUNTED_USAGE = [API_CALLS, GATEWAY_REQUESTS, EVENTS_INGESTED] as const;

export const STORAGE_METRIC: PriceMetric = 'storage_gb_month';
const GB_MONTH_BYTE_MS = 30n * BigInt(DAY_MS) * 1_000_000_000n;

/**
 * Byte-milliseconds of one UTC day's storage inside a period: the day's mean bytes × the
 * milliseconds of the day [dayStart, dayStart + 1 day) that lie inside [period.from, period.to).
 */
export function storageByteMs(dayMean: Fraction, dayStart: Date, period: { from: Date; to: Date }): Fraction {
  const from = Math.max(dayStart.getTime(), period.from.getTime());
  const to = Math.min(dayStart.getTime() + DAY_MS, period.to.getTime());
  return fraction(dayMean.n * BigInt(to - from), dayMean.d);
}

/** Byte-milliseconds as GB-months, rounded half-up to 6 decimals. */
export function gbMonths(byteMs: Fraction): string {
  return roundFraction(divideFraction(byteMs, GB_MONTH_BYTE_MS), AMOUNT_DECIMALS);
}

/** The mean bytes stored over `ms` milliseconds, rounded half-up to whole bytes. */
export function averageBytes(byteMs: Fraction, ms: number): number {
  return Number(roundFraction(divideFraction(byteMs, BigInt(ms)), 0));
}
