import type { EntityRepository } from '#lib/domain/ports/registry-repository.ts';
import type { TimeSeriesStore } from '#lib/domain/ports/time-series.ts';
import type {
  AccountUsageResponse,
  DeliveryBreakdownResponse,
  DeliverySummaryResponse,
  OperatorPerformanceResponse,
} from '../contracts/delivery-analytics.ts';
import { NotFoundError } from '../domain/errors.ts';
import { FAILURE_RULE, MESSAGE_STATUSES } from '../domain/events.ts';
import { wireInteger } from '../domain/exact-integers.ts';
import { divideMicros, formatMicros } from '../domain/money.ts';
import type { Operator, Stored } from '../domain/registry/types.ts';
import { DAY_MS, isoSeconds, ratio, startOfUtcDay, type TimeWindow } from '../domain/windows.ts';
import type { Condition, MeasureSpec, QueryRow, QuerySpec } from '../query/spec.ts';

/**
 * Delivery analytics read `message` events. How a message's `status` counts:
 * - delivered: `DELIVERED`
 * - failed: `FAILED` or `UNDELIVERABLE` (the failed statuses of the domain's FAILURE_RULE)
 * - pending: everything else — `PENDING`, an interim status such as `SENT`, or none yet.
 * So delivered + failed + pending = total, and deliveryRate = delivered / total.
 */
export const DELIVERED: Condition = { dimension: 'status', op: 'eq', value: 'DELIVERED' };
export const FAILED: Condition = { dimension: 'status', op: 'in', values: FAILURE_RULE.failedStatuses };

/** Counts and cost: what every delivery figure is made of (usage rows, breakdown rows, metrics). */
export const deliveryCountMeasures: readonly MeasureSpec[] = [
  { as: 'total', kind: 'count' },
  { as: 'delivered', kind: 'count', where: DELIVERED },
  { as: 'failed', kind: 'count', where: FAILED },
  { as: 'cost', kind: 'sum', field: 'cost' },
];

/** The summary's and an operator's performance figures. */
export const deliveryMeasures: readonly MeasureSpec[] = [
  ...deliveryCountMeasures,
  { as: 'peakTps', kind: 'peakRate', per: 'second' },
  { as: 'avgLatency', kind: 'avg', field: 'latencyMs' },
  { as: 'p95Latency', kind: 'percentile', field: 'latencyMs', p: 0.95 },
];

/** The two failed statuses apart, so `byStatus` can show each; the rest of the status mapping above. */
export const statusMeasures: readonly MeasureSpec[] = [
  ...deliveryCountMeasures,
  { as: 'failedStatus', kind: 'count', where: { dimension: 'status', op: 'eq', value: 'FAILED' } },
  { as: 'undeliverable', kind: 'count', where: { dimension: 'status', op: 'eq', value: 'UNDELIVERABLE' } },
];

export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

export const count = (row: QueryRow | undefined, key: string): number => Number(row?.[key] ?? 0);
/** An exact sum (cost in micros, segments, tokens, bytes) as the store returns it: bigint. */
export const exactSum = (row: QueryRow | undefined, key: string): bigint => {
  const value = row?.[key];
  return typeof value === 'bigint' ? value : BigInt(Number(value ?? 0));
};
const micros = exactSum;
const wholeMs = (row: QueryRow | undefined, key: string): number => Math.round(Number(row?.[key] ?? 0));
const windowOf = (window: TimeWindow) => ({ from: isoSeconds(window.from), to: isoSeconds(window.to) });

/**
 * A row of `statusMeasures` as the contract's `byStatus`: every status of MESSAGE_STATUSES, and
 * PENDING is the summary's pending (status PENDING, an interim status, or none), so the four add
 * up to the total.
 */
export function byStatusOf(row: QueryRow | undefined): Record<MessageStatus, number> {
  const failedStatus = count(row, 'failedStatus');
  const undeliverable = count(row, 'undeliverable');
  const delivered = count(row, 'delivered');
  return {
    DELIVERED: delivered,
    FAILED: failedStatus,
    PENDING: count(row, 'total') - delivered - failedStatus - undeliverable,
    UNDELIVERABLE: undeliverable,
  };
}

const messages = (
  tenantId: string,
  window: TimeWindow,
): Pick<QuerySpec, 'tenantId' | 'window' | 'types'> => ({
  tenantId,
  window,
  types: ['message'],
});

/** The platform-wide delivery summary of a window: one query. */
export async function deliverySummary(
  store: TimeSeriesStore,
  tenantId: string,
  window: TimeWindow,
): Promise<DeliverySummaryResponse> {
  const [row] = await store.query({
    ...messages(tenantId, window),
    measures: [...deliveryMeasures, { as: 'activeAccounts', kind: 'distinctCount', dimension: 'accountId' }],
  });
  const total = count(row, 'total');
  const delivered = count(row, 'delivered');
  const failed = count(row, 'failed');
  return {
    window: windowOf(window),
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

/**
 * One operator's delivery performance in a window: one query, the summary's measures filtered on
 * the operator. "Not known to analytics (no data)" means no message of the operator in the
 * window: a 404 (OPERATOR_NOT_FOUND) rather than a page of zeros, so a mistyped id is not
 * mistaken for an idle operator; the dashboard picks operators from a window with data.
 */
export async function operatorPerformance(
  store: TimeSeriesStore,
  tenantId: string,
  operatorId: string,
  window: TimeWindow,
): Promise<OperatorPerformanceResponse> {
  const [row] = await store.query({
    ...messages(tenantId, window),
    filters: [{ dimension: 'operatorId', op: 'eq', value: operatorId }],
    measures: deliveryMeasures,
  });
  const total = count(row, 'total');
  if (total === 0) {
    throw new NotFoundError(
      'OPERATOR_NOT_FOUND',
      `Operator '${operatorId}' has no message events between ${isoSeconds(window.from)} and ${isoSeconds(window.to)}`,
      { parameter: 'id' },
    );
  }
  const delivered = count(row, 'delivered');
  const failed = count(row, 'failed');
  return {
    operatorId,
    window: windowOf(window),
    totalMessages: total,
    deliveredMessages: delivered,
    failedMessages: failed,
    deliveryRate: ratio(delivered, total),
    avgLatencyMs: wholeMs(row, 'avgLatency'),
    p95LatencyMs: wholeMs(row, 'p95Latency'),
    errorRate: ratio(failed, total),
    peakTps: count(row, 'peakTps'),
    totalCost: formatMicros(micros(row, 'cost')),
  };
}

export type UsageGranularity = 'daily' | 'hourly';
const HOUR_MS = 3_600_000;

/**
 * An account's usage in a window: two queries (totals, and the same counts binned by UTC day or
 * hour). An account without messages gets zeros, not a 404: the customer portal shows the
 * account holder their own, possibly empty, usage.
 *
 * `dailyBreakdown` has one row per UTC day the window touches (`date` = `YYYY-MM-DD`), zero-filled;
 * with `granularity=hourly` one row per UTC hour, `date` being the hour's start
 * (`YYYY-MM-DDTHH:00:00Z`). Rows count only the window's events, so the first and last row of a
 * window that does not start or end on a boundary cover part of their day (hour).
 */
export async function accountUsage(
  store: TimeSeriesStore,
  tenantId: string,
  accountId: string,
  window: TimeWindow,
  granularity: UsageGranularity,
): Promise<AccountUsageResponse> {
  const scope: Omit<QuerySpec, 'measures'> = {
    ...messages(tenantId, window),
    filters: [{ dimension: 'accountId', op: 'eq', value: accountId }],
  };
  const [[totals], rows] = await Promise.all([
    store.query({
      ...scope,
      measures: [...deliveryCountMeasures, { as: 'segments', kind: 'sum', field: 'segments' }],
    }),
    store.query({
      ...scope,
      bin: granularity === 'hourly' ? 'hour' : 'day',
      measures: deliveryCountMeasures,
    }),
  ]);
  const byBucket = new Map(rows.map((row) => [(row.bucket as Date).getTime(), row]));
  const step = granularity === 'hourly' ? HOUR_MS : DAY_MS;
  const first =
    granularity === 'hourly'
      ? Math.floor(window.from.getTime() / HOUR_MS) * HOUR_MS
      : startOfUtcDay(window.from).getTime();
  const dailyBreakdown: AccountUsageResponse['dailyBreakdown'] = [];
  for (let at = first; at < window.to.getTime(); at += step) {
    const row = byBucket.get(at);
    const iso = new Date(at).toISOString();
    dailyBreakdown.push({
      date: granularity === 'hourly' ? isoSeconds(new Date(at)) : iso.slice(0, 10),
      sent: count(row, 'total'),
      delivered: count(row, 'delivered'),
      failed: count(row, 'failed'),
      cost: formatMicros(micros(row, 'cost')),
    });
  }
  const sent = count(totals, 'total');
  const delivered = count(totals, 'delivered');
  const cost = micros(totals, 'cost');
  return {
    accountId,
    window: windowOf(window),
    messagesSent: sent,
    messagesDelivered: delivered,
    messagesFailed: count(totals, 'failed'),
    deliveryRate: ratio(delivered, sent),
    totalCost: formatMicros(cost),
    avgCostPerMessage: formatMicros(divideMicros(cost, BigInt(sent))),
    // A number, or its exact decimal string past 2^53 − 1.
    segments: wireInteger(exactSum(totals, 'segments')),
    dailyBreakdown,
  };
}

/** The registry's names for operator ids, fetched in one call (or none: every name is then null). */
export type OperatorNames = (
  tenantId: string,
  operatorIds: readonly string[],
) => Promise<ReadonlyMap<string, string>>;

/**
 * Names from the operator registry in ONE repository call: a filtered list of the tenant's
 * operators keeping the wanted ids (the repository reads the tenant's operator partition page by
 * page, so the cost follows the number of registered operators, never one read per row). An id
 * the registry does not hold (events may name operators nobody registered) gets no name.
 */
export function registryOperatorNames(
  operators: Pick<EntityRepository<Stored<Operator>>, 'list'>,
): OperatorNames {
  return async (tenantId, operatorIds) => {
    const wanted = new Set(operatorIds);
    const { items } = await operators.list(tenantId, {
      limit: wanted.size,
      where: (operator) => wanted.has(operator.id),
    });
    return new Map(items.map((operator) => [operator.id, operator.name]));
  };
}

/**
 * Delivery by status and by operator in a window: one query grouped by operator (plus, at most,
 * one registry call for the names). `byStatus` counts every message of the window, those without
 * an operator too; `byOperator` lists the operators with messages in the window, busiest first.
 */
export async function deliveryBreakdown(
  store: TimeSeriesStore,
  tenantId: string,
  window: TimeWindow,
  operatorNames?: OperatorNames,
): Promise<DeliveryBreakdownResponse> {
  const rows = await store.query({
    ...messages(tenantId, window),
    groupBy: ['operatorId'],
    measures: statusMeasures,
    orderBy: [{ key: 'total', direction: 'desc' }],
  });
  const byStatus = byStatusOf(undefined);
  for (const row of rows) {
    const part = byStatusOf(row);
    for (const status of MESSAGE_STATUSES) byStatus[status] += part[status];
  }
  const operatorRows = rows.filter((row) => typeof row.operatorId === 'string');
  const ids = operatorRows.map((row) => String(row.operatorId));
  const names =
    operatorNames && ids.length > 0 ? await operatorNames(tenantId, ids) : new Map<string, string>();
  return {
    window: windowOf(window),
    byStatus,
    byOperator: operatorRows.map((row) => {
      const operatorId = String(row.operatorId);
      const delivered = count(row, 'delivered');
      return {
        operatorId,
        name: names.get(operatorId) ?? null,
        delivered,
        failed: count(row, 'failed'),
        deliveryRate: ratio(delivered, count(row, 'total')),
      };
    }),
  };
}
