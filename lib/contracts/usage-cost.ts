import * as z from 'zod';
import { type DateParam, dateOrInstantWithKindParam } from './calendar.ts';
import { exactCount, exactMoneyNumber } from './common.ts';

/**
 * contracts/usage-cost-analytics.txt ("Metrics API", "Data Export", the dashboard): request and
 * response schemas. This family writes snake_case fields and money as JSON NUMBERS (converted once
 * from exact micros at the edge); CSV exports print money as 6-decimal strings. Token, bandwidth
 * and money figures that a double cannot hold exactly (above 2^53 − 1, in micros for money) are
 * their exact decimal strings instead (lib/domain/exact-integers.ts).
 *
 * Vocabulary
 * - `group_by`: dimensions `model`, `project`, `api_key`, `endpoint`, `service`, `operator`,
 *   `account`, and at most one time grain `hour`, `day`, `week` (ISO, Monday) or `month` (UTC).
 * - `metrics` (default `requests,tokens,cost`):
 *   requests       events of the request types (api.request, gateway.request, llm.request,
 *                  message; DESIGN.md): samples and ingested-event records are usage, never
 *                  requests, though their tokens, bytes and cost count like any event's
 *   tokens         input + output tokens
 *   input_tokens, output_tokens
 *   cost           sum of event costs, a number with at most 6 decimals
 *   bandwidth      sum of `bytes`
 *   errors         failed requests (statusCode ≥ 400, or status FAILED/UNDELIVERABLE)
 *   error_rate     errors / requests, a fraction 0..1 with 4 decimals (the contract's alert
 *                  example puts the 1% threshold as 0.01)
 *   availability   successful / total requests, a fraction 0..1 with 4 decimals (99.9% → 0.999)
 *   latency_p50, latency_p99   percentiles of the requests' `latencyMs`, whole milliseconds
 *   error_rate, availability and the latencies are null where there is nothing to measure (no
 *   request in the summary; no request with a latency).
 *
 * Column rules (the contract's example: requesting `tokens` yields `input_tokens` and
 * `output_tokens` in rows and `total_tokens` in the summary)
 * - A row carries one key per `group_by` entry, named as the entry (a time grain's value is the
 *   UTC start of its period as ISO 8601; a dimension an event lacks is null), then the metric
 *   columns in the order the metrics were requested: `tokens` expands to `input_tokens` and
 *   `output_tokens`; every other metric is one column of its own name; a column appears once.
 * - The summary carries one entry per requested metric: `total_<metric>` for the additive ones
 *   (requests, tokens, input_tokens, output_tokens, cost, bandwidth, errors) and the metric's own
 *   name for ratios and latencies. It comes from its own ungrouped query over the same window, so
 *   each additive total equals the sum of the rows (when no `limit` cut them) and ratios and
 *   percentiles are exact, never averages of rows.
 * - Rows are sorted by the time grain ascending (when grouped by time), then cost descending,
 *   then requests descending, then the group keys ascending. Only groups with events have rows
 *   (a group of samples alone has a row with 0 requests and its usage).
 * - `limit` (1..10000, default 10000) caps the rows returned, keeping the first ones in that
 *   order; the summary always covers every row of the window, returned or not.
 *
 * Window: `range` (1h, 24h, 7d, 30d, 90d; default 7d), ending now; or `start_date`/`end_date`.
 * A plain date is a UTC day: `start_date` starts at its 00:00Z and `end_date` is INCLUSIVE (the
 * window ends at the next day's 00:00Z), so 2025-06-01..2025-06-07 is 7 days. A date-time with a
 * zone is an instant; as `end_date` it is exclusive. `start_date` alone runs until now;
 * `end_date` alone covers the 7 days before it. At most 90 days; `range` with either date is a
 * CONFLICTING_PARAMETERS error.
 */

export const USAGE_DIMENSIONS = [
  'model',
  'project',
  'api_key',
  'endpoint',
  'service',
  'operator',
  'account',
] as const;
export type UsageDimension = (typeof USAGE_DIMENSIONS)[number];
export const USAGE_GRAINS = ['hour', 'day', 'week', 'month'] as const;
export type UsageGrain = (typeof USAGE_GRAINS)[number];
export type UsageGroup = UsageDimension | UsageGrain;

export const USAGE_METRICS = [
  'requests',
  'tokens',
  'input_tokens',
  'output_tokens',
  'cost',
  'bandwidth',
  'errors',
  'error_rate',
  'latency_p50',
  'latency_p99',
  'availability',
] as const;
export type UsageMetric = (typeof USAGE_METRICS)[number];
export const ADDITIVE_METRICS = [
  'requests',
  'tokens',
  'input_tokens',
  'output_tokens',
  'cost',
  'bandwidth',
  'errors',
] as const satisfies readonly UsageMetric[];
export const DEFAULT_METRICS = ['requests', 'tokens', 'cost'] as const satisfies readonly UsageMetric[];

export const USAGE_RANGES = ['1h', '24h', '7d', '30d', '90d'] as const;
export type UsageRange = (typeof USAGE_RANGES)[number];
export const OVERVIEW_RANGES = ['24h', '7d', '30d'] as const;
export type OverviewRange = (typeof OVERVIEW_RANGES)[number];
export const EXPORT_FORMATS = ['csv', 'json', 'ndjson'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const MAX_USAGE_LIMIT = 10_000;

/** GET list parameters: comma-separated (API Gateway joins repeated parameters with commas). */
const listParam = z.string().transform((value) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0),
);

const windowParams = {
  start_date: dateOrInstantWithKindParam.optional(),
  end_date: dateOrInstantWithKindParam.optional(),
  range: z.enum(USAGE_RANGES).optional(),
};

/** GET /v1/analytics/usage */
export const usageQueryParams = z.strictObject({
  ...windowParams,
  group_by: listParam.optional(),
  metrics: listParam.optional(),
  limit: z.coerce.number().int().min(1).max(MAX_USAGE_LIMIT).optional(),
});

/** POST /v1/analytics/usage: the contract's JSON body (lists as arrays). */
export const usageQueryBody = z.strictObject({
  ...windowParams,
  group_by: z.array(z.string()).optional(),
  metrics: z.array(z.string()).optional(),
  limit: z.number().int().min(1).max(MAX_USAGE_LIMIT).optional(),
});

/** The usage request after transport decoding; names are still unchecked (the service names unknown ones). */
export interface UsageRequestInput {
  start_date?: DateParam | undefined;
  end_date?: DateParam | undefined;
  range?: UsageRange | undefined;
  group_by?: readonly string[] | undefined;
  metrics?: readonly string[] | undefined;
  limit?: number | undefined;
}

/** GET /v1/analytics/export: `format` is checked by the service (UNKNOWN_FORMAT names it). */
export const exportQueryParams = z.strictObject({
  ...windowParams,
  group_by: listParam.optional(),
  metrics: listParam.optional(),
  format: z.string().optional(),
});

/** GET /v1/analytics/overview */
export const overviewQueryParams = z.strictObject({
  range: z.enum(OVERVIEW_RANGES).default('24h'),
});

// ---------------------------------------------------------------------------------------------
// Responses

const count = z.number().int().nonnegative();
const money = exactMoneyNumber;
const fraction = z.number().min(0).max(1).nullable();
const milliseconds = z.number().nonnegative().nullable();
const isoTime = z.iso.datetime();
const dimensionValue = z.string().nullable().optional();

/** One row of `data`: group keys (see the column rules above), then the requested metric columns. */
export const usageRowSchema = z.strictObject({
  model: dimensionValue,
  project: dimensionValue,
  api_key: dimensionValue,
  endpoint: dimensionValue,
  service: dimensionValue,
  operator: dimensionValue,
  account: dimensionValue,
  hour: isoTime.optional(),
  day: isoTime.optional(),
  week: isoTime.optional(),
  month: isoTime.optional(),
  requests: count.optional(),
  input_tokens: exactCount.optional(),
  output_tokens: exactCount.optional(),
  cost: money.optional(),
  bandwidth: exactCount.optional(),
  errors: count.optional(),
  error_rate: fraction.optional(),
  latency_p50: milliseconds.optional(),
  latency_p99: milliseconds.optional(),
  availability: fraction.optional(),
});
export type UsageRow = z.infer<typeof usageRowSchema>;

export const usageSummarySchema = z.strictObject({
  total_requests: count.optional(),
  total_tokens: exactCount.optional(),
  total_input_tokens: exactCount.optional(),
  total_output_tokens: exactCount.optional(),
  total_cost: money.optional(),
  total_bandwidth: exactCount.optional(),
  total_errors: count.optional(),
  error_rate: fraction.optional(),
  latency_p50: milliseconds.optional(),
  latency_p99: milliseconds.optional(),
  availability: fraction.optional(),
});
export type UsageSummary = z.infer<typeof usageSummarySchema>;

export const usageResponse = z.strictObject({
  data: z.array(usageRowSchema),
  summary: usageSummarySchema,
});
export type UsageResponse = z.infer<typeof usageResponse>;

/** A JSON export: the rows of the usage query, without the summary; NDJSON has one row per line. */
export const usageExportJson = z.strictObject({ data: z.array(usageRowSchema) });

const kpi = <T extends z.ZodType>(value: T) =>
  z.strictObject({
    value,
    previous_value: value,
    /** (value − previous_value) / previous_value in percent, 1 decimal; null when previous_value is 0 or null. */
    change_pct: z.number().nullable(),
  });

/**
 * GET /v1/analytics/overview: the dashboard. The period is the `range` ending now; the previous
 * period is the one of equal length just before it. The request-volume series has one bucket per
 * UTC hour (24h) or day (7d, 30d) that the period touches, zero-filled; the first and last may be
 * partial, and the buckets sum to `kpis.requests.value`. `top_models` ranks models by requests
 * (requests carrying a model): the top 4, then `other` (is_other true) for the rest when there are
 * more, shares in percent with 1 decimal. `cost_by_project` lists the 100 costliest projects,
 * descending (null: events without a project).
 */
export const overviewResponse = z.strictObject({
  range: z.enum(OVERVIEW_RANGES),
  window: z.strictObject({ from: isoTime, to: isoTime }),
  previous_window: z.strictObject({ from: isoTime, to: isoTime }),
  kpis: z.strictObject({
    requests: kpi(count),
    tokens: kpi(exactCount),
    cost: kpi(money),
    latency_p99: kpi(milliseconds),
  }),
  request_volume: z.strictObject({
    granularity: z.enum(['hour', 'day']),
    buckets: z.array(z.strictObject({ start: isoTime, requests: count })),
  }),
  top_models: z.array(
    z.strictObject({
      model: z.string(),
      requests: count,
      share_pct: z.number().min(0).max(100),
      is_other: z.boolean(),
    }),
  ),
  cost_by_project: z.array(z.strictObject({ project: z.string().nullable(), cost: money, requests: count })),
});
export type OverviewResponse = z.infer<typeof overviewResponse>;
