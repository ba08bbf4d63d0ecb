import { formatMicros } from '../domain/money.ts';
import { type TimeWindow, isoSeconds, ratio } from '../domain/windows.ts';
import type { Condition, MeasureSpec, QueryRow } from '../query/spec.ts';
import type { TimeSeriesStore } from '../stores/time-series.ts';
import type { DeliverySummaryResponse } from '../contracts/delivery-analytics.ts';

/**
 * Delivery analytics read `message` events. How a message's `status` counts:
 * - delivered: `DELIVERED`
 * - failed: `FAILED` or `UNDELIVERABLE` (DESIGN.md's failure rule)
 * - pending: everything else — `PENDING`, an interim status such as `SENT`, or none yet.
 * So delivered + failed + pending = total, and deliveryRate = delivered / total.
 */
export const DELIVERED: Condition = { dimension: 'status', op: 'eq', value: 'DELIVERED' };
export const FAILED: Condition = { dimension: 'status', op: 'in', values: ['FAILED', 'UNDELIVERABLE'] };

export const deliveryMeasures: readonly MeasureSpec[] = [
  { as: 'total', kind: 'count' },
  { as: 'delivered', kind: 'count', where: DELIVERED },
  { as: 'failed', kind: 'count', where: FAILED },
  { as: 'cost', kind: 'sum', field: 'cost' },
  { as: 'peakTps', kind: 'peakRate', per: 'second' },
  { as: 'avgLatency', kind: 'avg', field: 'latencyMs' },
  { as: 'p95Latency', kind: 'percentile', field: 'latencyMs', p: 0.95 },
];

const count = (row: QueryRow | undefined, key: string): number => Number(row?.[key] ?? 0);
const micros = (row: QueryRow | undefined, key: string): bigint => {
  const value = row?.[key];
  return typeof value === 'bigint' ? value : BigInt(Number(value ?? 0));
};
const wholeMs = (row: QueryRow | undefined, key: string): number => Math.round(Number(row?.[key] ?? 0));

/** The platform-wide delivery summary of a window: one query. */
export async function deliverySummary(
  store: TimeSeriesStore,
  tenantId: string,
  window: TimeWindow,
): Promise<DeliverySummaryResponse> {
  const [row] = await store.query({
    tenantId,
    window,
    types: ['message'],
    measures: [...deliveryMeasures, { as: 'activeAccounts', kind: 'distinctCount', dimension: 'accountId' }],
  });
  const total = count(row, 'total');
  const delivered = count(row, 'delivered');
  const failed = count(row, 'failed');
  return {
    window: { from: isoSeconds(window.from), to: isoSeconds(window.to) },
    totalMessages: total,
    deliveredMessages: delivered,
    failedMessages: failed,
    pendingMessages: total - delivered - failed,
    deliveryRate: ratio(delivered, total),
    totalCost: formatMicros(micros(row, 'cost')),
    activeAccounts: count(row, 'activeAccounts'),
    peakTps: count(row, 'peakTps'),
    avgLatencyMs: wholeMs(row, 'avgLatency'),
    p95LatencyMs: wholeMs(row, 'p95Latency'),
  };
}
