import type { TimeSeriesStore } from '#lib/domain/ports/time-series.ts';
import {
  DEFAULT_METRICS,
  MAX_USAGE_LIMIT,
  USAGE_DIMENSIONS,
  USAGE_GRAINS,
  USAGE_METRICS,
  type UsageDimension,
  type UsageGrain,
  type UsageGroup,
  type UsageMetric,
  type UsageRange,
  type UsageRequestInput,
  type UsageResponse,
  type UsageRow,
  type UsageSummary,
} from '../contracts/usage-cost.ts';
import { ValidationError } from '../domain/errors.ts';
import { type Dimension, REQUEST_EVENT_TYPES } from '../domain/events.ts';
import { wireInteger } from '../domain/exact-integers.ts';
import { formatMicros, type Micros, microsToWireNumber } from '../domain/money.ts';
import { DAY_MS, isoSeconds, MAX_WINDOW_DAYS, ratio, type TimeWindow } from '../domain/windows.ts';
import type { Condition, MeasureSpec, QueryRow, QuerySpec, TimeBin } from '../query/spec.ts';

/**
 * Usage and cost analytics (contracts/usage-cost-analytics.txt). The family reads EVERY event
 * type, but only the request types (lib/domain/events.ts REQUEST_EVENT_TYPES) are requests:
 * samples and ingested-event records neither raise request counts nor dilute error rates or
 * request latencies, while their tokens, bytes and cost count like any event's. A request fails
 * by the domain's FAILURE_RULE, which the query engine's `outcome` condition is written from.
 * Sums stay bigint until the response (exact-integers.ts). The column and summary rules are
 * documented with the schemas in lib/contracts/usage-cost.ts.
 */

/** An event that is a request (DESIGN.md, Events). */
export const IS_REQUEST: Condition = { dimension: 'type', op: 'in', values: REQUEST_EVENT_TYPES };
const FAILED_REQUEST: Condition = { allOf: [IS_REQUEST, { outcome: 'failed' }] };

/** The family's measures, shared by the usage query, the export and the overview. */
export const USAGE_MEASURES = {
  /** Every event, request or not: a group has a row when it has events. */
  events: { as: 'events', kind: 'count' },
  requests: { as: 'requests', kind: 'count', where: IS_REQUEST },
  inputTokens: { as: 'inputTokens', kind: 'sum', field: 'inputTokens' },
  outputTokens: { as: 'outputTokens', kind: 'sum', field: 'outputTokens' },
  cost: { as: 'cost', kind: 'sum', field: 'cost' },
  bandwidth: { as: 'bandwidth', kind: 'sum', field: 'bytes' },
  errors: { as: 'errors', kind: 'count', where: FAILED_REQUEST },
  latencyP50: { as: 'latencyP50', kind: 'percentile', field: 'latencyMs', p: 0.5, where: IS_REQUEST },
  latencyP99: { as: 'latencyP99', kind: 'percentile', field: 'latencyMs', p: 0.99, where: IS_REQUEST },
} as const satisfies Record<string, MeasureSpec>;
export type UsageMeasure = keyof typeof USAGE_MEASURES;

export const GROUP_DIMENSIONS = {
  model: 'model',
  project: 'projectId',
  api_key: 'apiKeyId',
  endpoint: 'endpoint',
  service: 'service',
  operator: 'operatorId',
  account: 'accountId',
} as const satisfies Record<UsageDimension, Dimension>;

const GRAIN_BINS = { hour: 'hour', day: 'day', week: 'week', month: 'month' } as const satisfies Record<
  UsageGrain,
  TimeBin
>;

export const RANGE_MS: Record<UsageRange, number> = {
  '1h': 3_600_000,
  '24h': DAY_MS,
  '7d': 7 * DAY_MS,
  '30d': 30 * DAY_MS,
  '90d': 90 * DAY_MS,
};

// ---------------------------------------------------------------------------------------------
// Reading query rows

export const countOf = (row: QueryRow | undefined, key: string): number => Number(row?.[key] ?? 0);

export const bigintOf = (row: QueryRow | undefined, key: string): bigint => {
  const value = row?.[key];
  if (typeof value === 'bigint') return value;
  return typeof value === 'number' ? BigInt(Math.trunc(value)) : 0n;
};

/** Whole milliseconds, or null where no event carried a latency. */
export const msOf = (row: QueryRow | undefined, key: string): number | null => {
  const value = row?.[key];
  return typeof value === 'number' && Number.isFinite(value) ? Math.round(value) : null;
};

const ratioOrNull = (part: number, whole: number): number | null => (whole === 0 ? null : ratio(part, whole));

// ---------------------------------------------------------------------------------------------
// Columns and metrics

/** How money is written: JSON numbers (the contract), or exact 6-decimal strings (CSV). */
export type MoneyFormat = 'number' | 'string';
export type CellValue = string | number | null;

const money = (micros: Micros, format: MoneyFormat): CellValue =>
  format === 'number' ? microsToWireNumber(micros) : formatMicros(micros);
/** An exact sum as the contract shows it: a number, or its decimal string past 2^53 − 1. */
const exactSumOf = (row: QueryRow | undefined, key: string): CellValue => wireInteger(bigintOf(row, key));

/** The columns a row can carry: every metric, with `tokens` split into its input and output columns. */
export type UsageColumn = Exclude<UsageMetric, 'tokens'>;

interface ColumnDef {
  measures: readonly UsageMeasure[];
  value: (row: QueryRow | undefined, money: MoneyFormat) => CellValue;
}

const COLUMNS: Record<UsageColumn, ColumnDef> = {
  requests: { measures: ['requests'], value: (row) => countOf(row, 'requests') },
  input_tokens: { measures: ['inputTokens'], value: (row) => exactSumOf(row, 'inputTokens') },
  output_tokens: { measures: ['outputTokens'], value: (row) => exactSumOf(row, 'outputTokens') },
  cost: { measures: ['cost'], value: (row, format) => money(bigintOf(row, 'cost'), format) },
  bandwidth: { measures: ['bandwidth'], value: (row) => exactSumOf(row, 'bandwidth') },
  errors: { measures: ['errors'], value: (row) => countOf(row, 'errors') },
  error_rate: {
    measures: ['errors', 'requests'],
    value: (row) => ratioOrNull(countOf(row, 'errors'), countOf(row, 'requests')),
  },
  availability: {
    measures: ['errors', 'requests'],
    value: (row) => {
      const requests = countOf(row, 'requests');
      return ratioOrNull(requests - countOf(row, 'errors'), requests);
    },
  },
  latency_p50: { measures: ['latencyP50'], value: (row) => msOf(row, 'latencyP50') },
  latency_p99: { measures: ['latencyP99'], value: (row) => msOf(row, 'latencyP99') },
};

/** The data columns of each metric: `tokens` expands to its two parts (the contract's example). */
const METRIC_COLUMNS: Record<UsageMetric, readonly UsageColumn[]> = {
  requests: ['requests'],
  tokens: ['input_tokens', 'output_tokens'],
  input_tokens: ['input_tokens'],
  output_tokens: ['output_tokens'],
  cost: ['cost'],
  bandwidth: ['bandwidth'],
  errors: ['errors'],
  error_rate: ['error_rate'],
  latency_p50: ['latency_p50'],
  latency_p99: ['latency_p99'],
  availability: ['availability'],
};

/** The summary entry of each metric: `total_<metric>` for additive metrics, the metric's name otherwise. */
const SUMMARY: Record<
  UsageMetric,
  { key: keyof UsageSummary; value: (row: QueryRow | undefined) => CellValue }
> = {
  requests: { key: 'total_requests', value: (row) => COLUMNS.requests.value(row, 'number') },
  tokens: {
    key: 'total_tokens',
    value: (row) => wireInteger(bigintOf(row, 'inputTokens') + bigintOf(row, 'outputTokens')),
  },
  input_tokens: { key: 'total_input_tokens', value: (row) => COLUMNS.input_tokens.value(row, 'number') },
  output_tokens: { key: 'total_output_tokens', value: (row) => COLUMNS.output_tokens.value(row, 'number') },
  cost: { key: 'total_cost', value: (row) => COLUMNS.cost.value(row, 'number') },
  bandwidth: { key: 'total_bandwidth', value: (row) => COLUMNS.bandwidth.value(row, 'number') },
  errors: { key: 'total_errors', value: (row) => COLUMNS.errors.value(row, 'number') },
  error_rate: { key: 'error_rate', value: (row) => COLUMNS.error_rate.value(row, 'number') },
  latency_p50: { key: 'latency_p50', value: (row) => COLUMNS.latency_p50.value(row, 'number') },
  latency_p99: { key: 'latency_p99', value: (row) => COLUMNS.latency_p99.value(row, 'number') },
  availability: { key: 'availability', value: (row) => COLUMNS.availability.value(row, 'number') },
};

// ---------------------------------------------------------------------------------------------
// Requests

/** Where the parameters came from, for the problem document's `errors[].in`. */
export type ParameterLocation = 'query' | 'body';

export function invalidParameter(
  code: string,
  parameter: string,
  location: ParameterLocation,
  message: string,
): ValidationError {
  return new ValidationError(code, `${location} parameter '${parameter}': ${message}`, {
    parameter,
    errors: [{ in: location, name: parameter, message }],
  });
}

/** A resolved, validated usage request. */
export interface UsagePlan {
  window: TimeWindow;
  /** The group_by entries in request order (duplicates dropped). */
  groups: readonly UsageGroup[];
  metrics: readonly UsageMetric[];
  /** Data columns in output order. */
  columns: readonly UsageColumn[];
  limit: number;
}

function isOneOf<T extends string>(list: readonly T[], value: string): value is T {
  return (list as readonly string[]).includes(value);
}

/**
 * The window of a usage or export request (see the contract notes in lib/contracts/usage-cost.ts):
 * `range` ending now, or `start_date`/`end_date` with an inclusive plain-date end; ≤ 90 days.
 */
export function resolveUsageWindow(
  input: Pick<UsageRequestInput, 'start_date' | 'end_date' | 'range'>,
  now: Date,
  location: ParameterLocation,
): TimeWindow {
  const { start_date: start, end_date: end, range } = input;
  if (range !== undefined && (start !== undefined || end !== undefined)) {
    throw invalidParameter(
      'CONFLICTING_PARAMETERS',
      'range',
      location,
      `give either range or start_date/end_date, not both`,
    );
  }
  if (start === undefined && end === undefined) {
    const to = now;
    return { from: new Date(to.getTime() - RANGE_MS[range ?? '7d']), to };
  }
  const to = end === undefined ? now : end.dateOnly ? new Date(end.at.getTime() + DAY_MS) : end.at;
  const from = start === undefined ? new Date(to.getTime() - RANGE_MS['7d']) : start.at;
  if (from.getTime() >= to.getTime()) {
    throw invalidParameter(
      'INVALID_WINDOW',
      end === undefined ? 'start_date' : 'end_date',
      location,
      end === undefined
        ? 'start_date must be in the past (the window runs until now)'
        : 'end_date must not be before start_date',
    );
  }
  if (to.getTime() - from.getTime() > MAX_WINDOW_DAYS * DAY_MS) {
    throw invalidParameter(
      'INVALID_WINDOW',
      'start_date',
      location,
      `the window is at most ${MAX_WINDOW_DAYS} days (an end_date that is a plain date is inclusive)`,
    );
  }
  return { from, to };
}

export function resolveGroups(
  values: readonly string[] | undefined,
  fallback: readonly UsageGroup[],
  location: ParameterLocation,
): UsageGroup[] {
  const groups: UsageGroup[] = [];
  for (const value of values && values.length > 0 ? values : fallback) {
    if (!isOneOf<UsageGroup>([...USAGE_DIMENSIONS, ...USAGE_GRAINS], value)) {
      throw invalidParameter(
        'UNKNOWN_GROUP_BY',
        'group_by',
        location,
        `unknown group_by ${JSON.stringify(value)}; use ${[...USAGE_DIMENSIONS, ...USAGE_GRAINS].join(', ')}`,
      );
    }
    if (!groups.includes(value)) groups.push(value);
  }
  const grains = groups.filter((group) => isOneOf(USAGE_GRAINS, group));
  if (grains.length > 1) {
    throw invalidParameter(
      'MULTIPLE_TIME_GRAINS',
      'group_by',
      location,
      `at most one time grain (hour, day, week, month); got ${grains.join(', ')}`,
    );
  }
  return groups;
}

export function resolveMetrics(
  values: readonly string[] | undefined,
  fallback: readonly UsageMetric[],
  location: ParameterLocation,
): UsageMetric[] {
  const metrics: UsageMetric[] = [];
  for (const value of values && values.length > 0 ? values : fallback) {
    if (!isOneOf(USAGE_METRICS, value)) {
      throw invalidParameter(
        'UNKNOWN_METRIC',
        'metrics',
        location,
        `unknown metric ${JSON.stringify(value)}; use ${USAGE_METRICS.join(', ')}`,
      );
    }
    if (!metrics.includes(value)) metrics.push(value);
  }
  return metrics;
}

export function columnsOf(metrics: readonly UsageMetric[]): UsageColumn[] {
  return [...new Set(metrics.flatMap((metric) => METRIC_COLUMNS[metric]))];
}

export function resolveUsageRequest(
  input: UsageRequestInput,
  now: Date,
  location: ParameterLocation,
): UsagePlan {
  const window = resolveUsageWindow(input, now, location);
  const groups = resolveGroups(input.group_by, [], location);
  const metrics = resolveMetrics(input.metrics, DEFAULT_METRICS, location);
  return { window, groups, metrics, columns: columnsOf(metrics), limit: input.limit ?? MAX_USAGE_LIMIT };
}

// ---------------------------------------------------------------------------------------------
// Query specs

const grainOf = (groups: readonly UsageGroup[]): UsageGrain | undefined =>
  groups.find((group): group is UsageGrain => isOneOf(USAGE_GRAINS, group));

/**
 * The measures a plan needs: those of its columns (and, for the summary, of its metrics), plus
 * cost and requests, which order the rows, and events, which say whether a group has a row.
 */
function measuresFor(plan: Pick<UsagePlan, 'columns'>): MeasureSpec[] {
  const keys = new Set<UsageMeasure>(['cost', 'requests', 'events']);
  for (const column of plan.columns) for (const key of COLUMNS[column].measures) keys.add(key);
  return [...keys].map((key) => USAGE_MEASURES[key]);
}

/** The grouped rows of a plan, in the documented order, at most `limit` of them: ONE query. */
export function usageRowsSpec(tenantId: string, plan: UsagePlan): QuerySpec {
  const grain = grainOf(plan.groups);
  return {
    tenantId,
    window: plan.window,
    groupBy: plan.groups.flatMap((group) =>
      isOneOf(USAGE_DIMENSIONS, group) ? [GROUP_DIMENSIONS[group]] : [],
    ),
    ...(grain ? { bin: GRAIN_BINS[grain] } : {}),
    measures: measuresFor(plan),
    orderBy: [
      ...(grain ? [{ key: 'bucket', direction: 'asc' as const }] : []),
      { key: 'cost', direction: 'desc' },
      { key: 'requests', direction: 'desc' },
    ],
    limit: plan.limit,
  };
}

/**
 * Only groups with events have rows; an ungrouped query answers one row even for an empty window,
 * which is dropped here so that `data` is [] then, as for any grouping.
 */
export const rowsWithEvents = (rows: readonly QueryRow[]): QueryRow[] =>
  rows.filter((row) => countOf(row, 'events') > 0);

/** The ungrouped totals of a plan over the same window: ONE query, exact ratios and percentiles. */
export function usageSummarySpec(tenantId: string, plan: UsagePlan): QuerySpec {
  return { tenantId, window: plan.window, measures: measuresFor(plan) };
}

/** One output row: group keys in request order, then the columns; cells as JSON or CSV want them. */
export function renderRow(row: QueryRow, plan: UsagePlan, format: MoneyFormat): Record<string, CellValue> {
  const out: Record<string, CellValue> = {};
  for (const group of plan.groups) {
    if (isOneOf(USAGE_DIMENSIONS, group)) {
      const value = row[GROUP_DIMENSIONS[group]];
      out[group] = value === null || value === undefined ? null : String(value);
    } else {
      const bucket = row.bucket;
      out[group] = bucket instanceof Date ? isoSeconds(bucket) : null;
    }
  }
  for (const column of plan.columns) out[column] = COLUMNS[column].value(row, format);
  return out;
}

/** The header of a rendered row, in the same order. */
export function headerOf(plan: UsagePlan): string[] {
  return [...plan.groups, ...plan.columns];
}

export function renderSummary(row: QueryRow | undefined, plan: UsagePlan): UsageSummary {
  const out: Record<string, CellValue> = {};
  for (const metric of plan.metrics) out[SUMMARY[metric].key] = SUMMARY[metric].value(row);
  return out as UsageSummary;
}

/** GET/POST /v1/analytics/usage: two queries (rows, summary) whatever the number of groups. */
export async function queryUsage(
  store: TimeSeriesStore,
  tenantId: string,
  plan: UsagePlan,
): Promise<UsageResponse> {
  const [rows, [summary]] = await Promise.all([
    store.query(usageRowsSpec(tenantId, plan)),
    store.query(usageSummarySpec(tenantId, plan)),
  ]);
  return {
    data: rowsWithEvents(rows).map((row) => renderRow(row, plan, 'number') as UsageRow),
    summary: renderSummary(summary, plan),
  };
}
