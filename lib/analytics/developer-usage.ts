import type { TimeSeriesStore } from '#lib/domain/ports/time-series.ts';
import type {
  DeveloperUsageResponse,
  Granularity,
  SortOrder,
  Timeframe,
  UsageSort,
} from '../contracts/developer-usage.ts';
import { ValidationError } from '../domain/errors.ts';
import { MAX_EVENT_AGE_MS } from '../domain/event-validation.ts';
import type { Dimension } from '../domain/events.ts';
import { divideRounded, type WireInteger, wireInteger } from '../domain/exact-integers.ts';
import { DAY_MS, isoSeconds, roundTo, type TimeWindow } from '../domain/windows.ts';
import type { Condition, MeasureSpec, QueryRow, QuerySpec } from '../query/spec.ts';
import { bucketCount, bucketPage } from './developer-usage-buckets.ts';
import { developerUsageAlerts, ERROR_TYPES, OTHER_ERROR } from './developer-usage-rules.ts';
import type { DeveloperScope } from './developer-usage-scope.ts';

/**
 * GET /v1/developer/usage (contracts/developer-usage-api.txt). Developer usage reads the
 * `api.request` events of one account (optionally of one of its keys), over a window that ends
 * now. Every figure comes from the store through nine query specs whatever the data: totals
 * (with peaks and the error types), the page of the time series, one per breakdown dimension
 * (endpoint, method, status code, key; the errors lists reuse them through their `failed`
 * measures), and one per rolling rate-limit period (last minute, hour, day).
 */

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/**
 * Window lengths. `1y` is 365 days. `all` is everything the store can hold for an account:
 * ingest refuses events older than MAX_EVENT_AGE_MS (365 days), so it is that retention window,
 * now − 365 days (today the same span as `1y`; it follows the retention if that ever grows).
 */
export const TIMEFRAME_MS: Record<Timeframe, number> = {
  '1h': HOUR_MS,
  '24h': DAY_MS,
  '7d': 7 * DAY_MS,
  '30d': 30 * DAY_MS,
  '90d': 90 * DAY_MS,
  '1y': 365 * DAY_MS,
  all: MAX_EVENT_AGE_MS,
};

/** A week of minutes (plus the partial bucket a window starts in); hour data still spans a year. */
export const MAX_TIME_SERIES_BUCKETS = 7 * 24 * 60 + 1;

export function developerUsageWindow(timeframe: Timeframe, now: Date): TimeWindow {
  return { from: new Date(now.getTime() - TIMEFRAME_MS[timeframe]), to: now };
}

const FAILED: Condition = { outcome: 'failed' };

/** One measure list for totals, every time bucket and every breakdown row. */
export const usageMeasures: readonly MeasureSpec[] = [
  { as: 'requests', kind: 'count' },
  { as: 'succeeded', kind: 'count', where: { outcome: 'succeeded' } },
  { as: 'failed', kind: 'count', where: FAILED },
  { as: 'avgLatency', kind: 'avg', field: 'latencyMs' },
  { as: 'peakLatency', kind: 'max', field: 'latencyMs' },
  { as: 'bytes', kind: 'sum', field: 'bytes' },
  /** Orders the errors lists under sort=latency. */
  { as: 'failedLatency', kind: 'avg', field: 'latencyMs', where: FAILED },
];

const errorTypeCount = (i: number) => `errorType${i}`;
const errorTypeLatency = (i: number) => `errorTypeLatency${i}`;

const totalsMeasures: readonly MeasureSpec[] = [
  ...usageMeasures,
  { as: 'peakPerMinute', kind: 'peakRate', per: 'minute' },
  { as: 'peakPerHour', kind: 'peakRate', per: 'hour' },
  ...ERROR_TYPES.flatMap((errorType, i): MeasureSpec[] => [
    { as: errorTypeCount(i), kind: 'count', where: errorType.where },
    { as: errorTypeLatency(i), kind: 'avg', field: 'latencyMs', where: errorType.where },
  ]),
];

export interface DeveloperUsageRequest {
  scope: DeveloperScope;
  timeframe: Timeframe;
  granularity: Granularity;
  sort: UsageSort;
  order: SortOrder;
  limit: number;
  offset: number;
  now: Date;
}

// Reading rows --------------------------------------------------------------------------------------

const countOf = (row: QueryRow | undefined, key: string): number => Number(row?.[key] ?? 0);
/** Sums of `bytes` come back as exact bigints. */
const bytesOf = (row: QueryRow | undefined): bigint => {
  const value = row?.bytes;
  return typeof value === 'bigint' ? value : BigInt(Number(value ?? 0));
};
/** The contract prints a number: the exact decimal string past 2^53 − 1. */
const bytesOnWire = (row: QueryRow | undefined): WireInteger => wireInteger(bytesOf(row));
/** Milliseconds with one decimal; null when no event of the group carried a latency. */
const latencyOf = (row: QueryRow | undefined, key: string): number | null => {
  const value = row?.[key];
  return value === null || value === undefined ? null : roundTo(Number(value), 1);
};
const textOf = (row: QueryRow, key: string): string | null => {
  const value = row[key];
  return typeof value === 'string' ? value : null;
};
const statusCodeOf = (row: QueryRow): number | null => {
  const value = row.statusCode;
  return typeof value === 'number' ? value : null;
};

/** `part` as a percentage of `whole`, one decimal; 0 of nothing is 0. */
export const percentOf = (part: number, whole: number): number =>
  whole === 0 ? 0 : roundTo((part * 100) / whole, 1);

// Ordering ------------------------------------------------------------------------------------------

interface SortKeys {
  requests: number;
  errors: number;
  latency: number | null;
  /** Tie-breaker, ascending, so equal rows keep a stable order. */
  label: string | number | null;
}

function compareLabels(a: SortKeys['label'], b: SortKeys['label']): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : 1;
}

/**
 * Orders a breakdown list: by `sort` (requests, errors or latency) in `order`; sort=timestamp
 * orders the time series instead, and the lists keep their default, requests descending. Rows
 * without a latency go last either way; ties go by the row's key, ascending.
 */
export function orderRows<T>(
  rows: readonly T[],
  keys: (row: T) => SortKeys,
  sort: UsageSort,
  order: SortOrder,
): T[] {
  const metric = sort === 'timestamp' ? 'requests' : sort;
  const direction = sort === 'timestamp' || order === 'desc' ? -1 : 1;
  return rows
    .map((row) => ({ row, keys: keys(row) }))
    .sort((a, b) => {
      const x = a.keys[metric];
      const y = b.keys[metric];
      if (x !== y) {
        if (x === null) return 1;
        if (y === null) return -1;
        return (x - y) * direction;
      }
      return compareLabels(a.keys.label, b.keys.label);
    })
    .map(({ row }) => row);
}

// The service ---------------------------------------------------------------------------------------

export async function developerUsage(
  store: TimeSeriesStore,
  request: DeveloperUsageRequest,
): Promise<DeveloperUsageResponse> {
  const { scope, granularity, sort, order, now } = request;
  const window = developerUsageWindow(request.timeframe, now);
  const totalBuckets = bucketCount(window, granularity);
  if (totalBuckets > MAX_TIME_SERIES_BUCKETS) {
    throw new ValidationError(
      'TOO_MANY_BUCKETS',
      `query parameter 'granularity': '${granularity}' over timeframe '${request.timeframe}' gives ` +
        `${totalBuckets} buckets; at most ${MAX_TIME_SERIES_BUCKETS} are served, so choose a coarser ` +
        'granularity or a shorter timeframe',
      { parameter: 'granularity', buckets: totalBuckets, maxBuckets: MAX_TIME_SERIES_BUCKETS },
    );
  }
  const page = bucketPage(window, granularity, {
    offset: request.offset,
    limit: request.limit,
    newestFirst: sort === 'timestamp' && order === 'desc',
  });

  const filters: Condition[] = [{ dimension: 'accountId', op: 'eq', value: scope.accountId }];
  if (scope.keyId !== undefined) filters.push({ dimension: 'apiKeyId', op: 'eq', value: scope.keyId });
  const spec = (over: TimeWindow, rest: Pick<QuerySpec, 'measures'> & Partial<QuerySpec>): QuerySpec => ({
    tenantId: scope.tenantId,
    window: over,
    types: ['api.request'],
    filters,
    ...rest,
  });

  const breakdown = (dimension: Dimension) =>
    store.query(spec(window, { groupBy: [dimension], measures: usageMeasures }));
  /** Requests in the `ms` ending now: the rolling periods rate limits are counted over. */
  const lastPeriod = async (ms: number) => {
    const rows = await store.query(
      spec(
        { from: new Date(now.getTime() - ms), to: now },
        { measures: [{ as: 'requests', kind: 'count' }] },
      ),
    );
    return countOf(rows[0], 'requests');
  };

  const [totalsRows, seriesRows, byEndpoint, byMethod, byStatusCode, byKey, lastMinute, lastHour, lastDay] =
    await Promise.all([
      store.query(spec(window, { measures: totalsMeasures })),
      // A page past the last bucket reads nothing.
      page.window ? store.query(spec(page.window, { bin: granularity, measures: usageMeasures })) : [],
      breakdown('endpoint'),
      breakdown('method'),
      breakdown('statusCode'),
      breakdown('apiKeyId'),
      lastPeriod(MINUTE_MS),
      lastPeriod(HOUR_MS),
      lastPeriod(DAY_MS),
    ]);
  const totals = totalsRows[0];
  const total = countOf(totals, 'requests');
  const failed = countOf(totals, 'failed');
  const averageLatency = latencyOf(totals, 'avgLatency') ?? 0;
  const dataTransferred = bytesOf(totals);
  const spanMs = window.to.getTime() - window.from.getTime();

  // Time series: every bucket of the page, zero-filled.
  const seriesByStart = new Map(
    seriesRows.map((row) => [row.bucket instanceof Date ? row.bucket.getTime() : Number.NaN, row]),
  );
  const timeSeries = page.starts.map((start) => {
    const row = seriesByStart.get(start.getTime());
    return {
      timestamp: isoSeconds(start),
      requests: countOf(row, 'requests'),
      successfulRequests: countOf(row, 'succeeded'),
      failedRequests: countOf(row, 'failed'),
      averageLatency: latencyOf(row, 'avgLatency') ?? 0,
      peakLatency: latencyOf(row, 'peakLatency') ?? 0,
      dataTransferred: bytesOnWire(row),
    };
  });

  const keysOf = (row: QueryRow, label: SortKeys['label']): SortKeys => ({
    requests: countOf(row, 'requests'),
    errors: countOf(row, 'failed'),
    latency: latencyOf(row, 'avgLatency'),
    label,
  });
  /** The errors lists rank by their errors whatever "requests" means elsewhere. */
  const errorKeysOf = (row: QueryRow, label: SortKeys['label']): SortKeys => ({
    requests: countOf(row, 'failed'),
    errors: countOf(row, 'failed'),
    latency: latencyOf(row, 'failedLatency'),
    label,
  });
  const sorted = (rows: readonly QueryRow[], keys: (row: QueryRow) => SortKeys) =>
    orderRows(rows, keys, sort, order);
  const failing = (rows: readonly QueryRow[]) => rows.filter((row) => countOf(row, 'failed') > 0);
  const endpoint = (row: QueryRow) => textOf(row, 'endpoint');
  const share = (row: QueryRow) => percentOf(countOf(row, 'requests'), total);

  // Error types: the table's types counted by the store, plus the failures it cannot type.
  const typed = ERROR_TYPES.map((errorType, i) => ({
    type: errorType.type,
    description: errorType.description,
    count: countOf(totals, errorTypeCount(i)),
    latency: latencyOf(totals, errorTypeLatency(i)),
  }));
  const untyped = failed - typed.reduce((sum, row) => sum + row.count, 0);
  const errorTypes = [
    ...typed,
    { type: OTHER_ERROR.type, description: OTHER_ERROR.description, count: untyped, latency: null },
  ].filter((row) => row.count > 0);

  const usage = { requestsPerMinute: lastMinute, requestsPerHour: lastHour, requestsPerDay: lastDay };
  const limits = scope.limits;
  const utilization = limits
    ? {
        requestsPerMinute: roundTo((usage.requestsPerMinute * 100) / limits.requestsPerMinute, 2),
        requestsPerHour: roundTo((usage.requestsPerHour * 100) / limits.requestsPerHour, 2),
        requestsPerDay: roundTo((usage.requestsPerDay * 100) / limits.requestsPerDay, 2),
      }
    : null;
  const errorRate = percentOf(failed, total);

  return {
    success: true,
    usage: {
      totalRequests: total,
      successfulRequests: countOf(totals, 'succeeded'),
      failedRequests: failed,
      successRate: percentOf(countOf(totals, 'succeeded'), total),
      averageLatency,
      peakLatency: latencyOf(totals, 'peakLatency') ?? 0,
      requestsPerMinute: roundTo(total / (spanMs / MINUTE_MS), 1),
      requestsPerHour: roundTo(total / (spanMs / HOUR_MS), 1),
      requestsPerDay: roundTo(total / (spanMs / DAY_MS), 1),
      peakRequestsPerMinute: countOf(totals, 'peakPerMinute'),
      peakRequestsPerHour: countOf(totals, 'peakPerHour'),
      dataTransferred: wireInteger(dataTransferred),
      // At most the largest value one event carries (2^53 − 1), so a number.
      averageDataPerRequest: Number(divideRounded(dataTransferred, BigInt(total))),
    },
    timeSeries,
    breakdown: {
      byEndpoint: sorted(byEndpoint, (row) => keysOf(row, endpoint(row))).map((row) => ({
        endpoint: endpoint(row),
        requests: countOf(row, 'requests'),
        successRate: percentOf(countOf(row, 'succeeded'), countOf(row, 'requests')),
        averageLatency: latencyOf(row, 'avgLatency') ?? 0,
        dataTransferred: bytesOnWire(row),
      })),
      byMethod: sorted(byMethod, (row) => keysOf(row, textOf(row, 'method'))).map((row) => ({
        method: textOf(row, 'method'),
        requests: countOf(row, 'requests'),
        percentage: share(row),
      })),
      byStatusCode: sorted(byStatusCode, (row) => keysOf(row, statusCodeOf(row))).map((row) => ({
        statusCode: statusCodeOf(row),
        requests: countOf(row, 'requests'),
        percentage: share(row),
      })),
      byKey: sorted(byKey, (row) => keysOf(row, textOf(row, 'apiKeyId'))).map((row) => ({
        keyId: textOf(row, 'apiKeyId'),
        requests: countOf(row, 'requests'),
        percentage: share(row),
      })),
    },
    errors: {
      totalErrors: failed,
      errorRate,
      byType: orderRows(
        errorTypes,
        (row) => ({ requests: row.count, errors: row.count, latency: row.latency, label: row.type }),
        sort,
        order,
      ).map(({ type, count, description }) => ({
        type,
        count,
        percentage: percentOf(count, failed),
        description,
      })),
      byEndpoint: sorted(failing(byEndpoint), (row) => errorKeysOf(row, endpoint(row))).map((row) => ({
        endpoint: endpoint(row),
        errors: countOf(row, 'failed'),
        percentage: percentOf(countOf(row, 'failed'), failed),
      })),
      byStatusCode: sorted(failing(byStatusCode), (row) => errorKeysOf(row, statusCodeOf(row))).map(
        (row) => ({
          statusCode: statusCodeOf(row),
          count: countOf(row, 'failed'),
          percentage: percentOf(countOf(row, 'failed'), failed),
        }),
      ),
    },
    rateLimits: {
      current: limits
        ? {
            requestsPerMinute: limits.requestsPerMinute,
            requestsPerHour: limits.requestsPerHour,
            requestsPerDay: limits.requestsPerDay,
          }
        : null,
      usage,
      utilization,
    },
    alerts: developerUsageAlerts({ utilization, errorRate, averageLatency }),
    pagination: {
      total: totalBuckets,
      limit: request.limit,
      offset: request.offset,
      hasMore: request.offset + timeSeries.length < totalBuckets,
    },
    timestamp: isoSeconds(now),
  };
}
