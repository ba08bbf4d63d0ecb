import * as z from 'zod';
import { exactCount, integerParam } from './common.ts';

/**
 * contracts/developer-usage-api.txt: `GET /v1/developer/usage`. This family prints rates and
 * shares as PERCENTAGES with one decimal (`successRate: 97.8`), rate-limit utilization with two
 * (`64.25`), latencies in milliseconds with one decimal, bytes as whole numbers.
 */

/** Every window ends now. `1y` and `all` are the only ones over 90 days (see DEVELOPER_TIMEFRAMES). */
export const TIMEFRAMES = ['1h', '24h', '7d', '30d', '90d', '1y', 'all'] as const;
export type Timeframe = (typeof TIMEFRAMES)[number];

/** UTC calendar buckets; `week` is the ISO week (Monday 00:00 UTC). */
export const GRANULARITIES = ['minute', 'hour', 'day', 'week', 'month'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

/**
 * `timestamp` orders the timeSeries (in `order`); `requests`, `errors` and `latency` order every
 * breakdown list (in `order`). Whatever the chosen sort does not order keeps its default:
 * timeSeries oldest first, breakdown lists by requests, most first. See lib/analytics/developer-usage.ts.
 */
export const SORTS = ['requests', 'errors', 'latency', 'timestamp'] as const;
export type UsageSort = (typeof SORTS)[number];
export const ORDERS = ['desc', 'asc'] as const;
export type SortOrder = (typeof ORDERS)[number];

export const MAX_TIME_SERIES_LIMIT = 1000;
export const DEFAULT_TIME_SERIES_LIMIT = 100;

export const developerUsageQuery = z.strictObject({
  timeframe: z.enum(TIMEFRAMES).default('24h'),
  granularity: z.enum(GRANULARITIES).default('hour'),
  sort: z.enum(SORTS).default('requests'),
  order: z.enum(ORDERS).default('desc'),
  /** Page size of the timeSeries (its buckets are what `pagination` counts). */
  limit: integerParam(1, MAX_TIME_SERIES_LIMIT).default(DEFAULT_TIME_SERIES_LIMIT),
  offset: integerParam(0, Number.MAX_SAFE_INTEGER).default(0),
  /** Required with a platform key; an account key may give only its own account. */
  accountId: z.string().min(1).max(256).optional(),
  /** Only this key's requests (and its rate limits); it must be a key of the account. */
  keyId: z.string().min(1).max(128).optional(),
});
export type DeveloperUsageQuery = z.infer<typeof developerUsageQuery>;

const count = z.number().int().nonnegative();
const percent = z.number().min(0).max(100);
const milliseconds = z.number().nonnegative();
/** Sums of `bytes`: a number, its exact decimal string past 2^53 − 1. */
const bytes = exactCount;
/** Rates: requests per minute/hour/day; one decimal. */
const rate = z.number().nonnegative();

const usage = z.strictObject({
  totalRequests: count,
  successfulRequests: count,
  failedRequests: count,
  /** successfulRequests / totalRequests × 100; 0 when there were no requests. */
  successRate: percent,
  averageLatency: milliseconds,
  /** The highest latencyMs of the window. */
  peakLatency: milliseconds,
  /** Averages over the whole window: totalRequests / its length in minutes, hours, days. */
  requestsPerMinute: rate,
  requestsPerHour: rate,
  requestsPerDay: rate,
  /** Most requests in any one UTC calendar minute / hour of the window. */
  peakRequestsPerMinute: count,
  peakRequestsPerHour: count,
  /** Sum of `bytes`. */
  dataTransferred: bytes,
  /** dataTransferred / totalRequests, whole bytes (an event carries at most 2^53 − 1, so a number). */
  averageDataPerRequest: count,
});

const timeSeriesPoint = z.strictObject({
  /** Start of the UTC bucket; the first and the last bucket of the window may be partial. */
  timestamp: z.iso.datetime(),
  requests: count,
  successfulRequests: count,
  failedRequests: count,
  /** 0 for a bucket without requests. */
  averageLatency: milliseconds,
  peakLatency: milliseconds,
  dataTransferred: bytes,
});

/**
 * Breakdown keys are the events' own dimension values; `null` groups the requests that did not
 * carry that dimension, so every list sums to the total.
 */
const breakdown = z.strictObject({
  byEndpoint: z.array(
    z.strictObject({
      endpoint: z.string().nullable(),
      requests: count,
      successRate: percent,
      averageLatency: milliseconds,
      dataTransferred: bytes,
    }),
  ),
  byMethod: z.array(z.strictObject({ method: z.string().nullable(), requests: count, percentage: percent })),
  byStatusCode: z.array(
    z.strictObject({ statusCode: z.number().int().nullable(), requests: count, percentage: percent }),
  ),
  byKey: z.array(z.strictObject({ keyId: z.string().nullable(), requests: count, percentage: percent })),
});

export const ERROR_TYPE_NAMES = [
  'rate_limit_exceeded',
  'authentication_error',
  'not_found',
  'validation_error',
  'client_error',
  'server_error',
  'other_error',
] as const;

/** Percentages in `errors` are shares of totalErrors. */
const errors = z.strictObject({
  totalErrors: count,
  /** totalErrors / totalRequests × 100. */
  errorRate: percent,
  byType: z.array(
    z.strictObject({ type: z.enum(ERROR_TYPE_NAMES), count, percentage: percent, description: z.string() }),
  ),
  byEndpoint: z.array(
    z.strictObject({ endpoint: z.string().nullable(), errors: count, percentage: percent }),
  ),
  byStatusCode: z.array(
    z.strictObject({ statusCode: z.number().int().nullable(), count, percentage: percent }),
  ),
});

const perPeriod = z.strictObject({ requestsPerMinute: rate, requestsPerHour: rate, requestsPerDay: rate });

/**
 * `current`: the configured limits — summed over the account's active keys, or the one key's
 * when `keyId` is given; `null` when none of those keys has limits configured.
 * `usage`: requests in the last minute, hour and day ending now (rolling, not averages).
 * `utilization`: usage / current × 100, two decimals (over 100 when a limit is exceeded); `null`
 * exactly when `current` is.
 */
const rateLimits = z.strictObject({
  current: perPeriod.nullable(),
  usage: perPeriod,
  utilization: perPeriod.nullable(),
});

export const ALERT_TYPES = ['rate_limit_approaching', 'error_rate_high', 'latency_high'] as const;

const alert = z.strictObject({
  type: z.enum(ALERT_TYPES),
  message: z.string().min(1),
  priority: z.enum(['medium', 'high']),
  recommendation: z.string().min(1),
});

export const developerUsageResponse = z.strictObject({
  success: z.literal(true),
  usage,
  /** One page (limit/offset) of the window's buckets, every bucket present (zero-filled). */
  timeSeries: z.array(timeSeriesPoint),
  breakdown,
  errors,
  rateLimits,
  alerts: z.array(alert),
  /** Pages the timeSeries: `total` is the number of buckets in the window. */
  pagination: z.strictObject({
    total: count,
    limit: z.number().int().min(1).max(MAX_TIME_SERIES_LIMIT),
    offset: count,
    hasMore: z.boolean(),
  }),
  /** When the answer was computed (the end of the window). */
  timestamp: z.iso.datetime(),
});
export type DeveloperUsageResponse = z.infer<typeof developerUsageResponse>;
export type DeveloperUsageAlert = z.infer<typeof alert>;
export type RateLimitFigures = z.infer<typeof perPeriod>;
