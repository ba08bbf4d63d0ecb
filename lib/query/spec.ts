import type { Dimension, EventType, Measure } from '../domain/events.ts';

/**
 * One query spec, compiled to SQL for both time-series dialects (Timestream and DuckDB) by one
 * compiler. Services in lib/ build specs; they never write SQL. Every value here is already
 * validated: the compiler still escapes every literal and identifier through one helper.
 */

/** Width of a time bucket. `week` is the ISO week (Monday 00:00 UTC). */
export type TimeBin = 'second' | 'minute' | '5m' | 'hour' | 'day' | 'week' | 'month';

/**
 * A condition on one event: a dimension filter, the outcome of DESIGN.md's failure rule
 * (lib/domain/events.ts FAILURE_RULE), or all of several conditions.
 */
export type Condition =
  | { dimension: Dimension; op: 'eq' | 'ne'; value: string | number }
  | { dimension: Dimension; op: 'in'; values: readonly (string | number)[] }
  | { dimension: Dimension; op: 'present' | 'absent' }
  | { dimension: 'statusCode'; op: 'gte' | 'lt'; value: number }
  | { outcome: 'failed' | 'succeeded' }
  | { allOf: readonly Condition[] };

export type MeasureSpec =
  /** Number of events (optionally only those matching `where`). */
  | { as: string; kind: 'count'; where?: Condition }
  | { as: string; kind: 'sum' | 'avg' | 'min' | 'max'; field: Measure; where?: Condition }
  /** Percentile of a measure, `p` in (0, 1) (optionally over the events matching `where`). */
  | { as: string; kind: 'percentile'; field: Measure; p: number; where?: Condition }
  | { as: string; kind: 'distinctCount'; dimension: Dimension }
  /** Highest number of events in any one `per` bucket (e.g. peak TPS with per 'second'). */
  | { as: string; kind: 'peakRate'; per: 'second' | 'minute' | 'hour' | 'day' }
  /** Time of the latest event. */
  | { as: string; kind: 'lastTime' };

export interface QuerySpec {
  tenantId: string;
  /** UTC; `from` inclusive, `to` exclusive. */
  window: { from: Date; to: Date };
  types?: readonly EventType[];
  filters?: readonly Condition[];
  groupBy?: readonly Dimension[];
  /** When set, each row carries a `bucket` (Date, start of the bin). */
  bin?: TimeBin;
  measures: readonly MeasureSpec[];
  orderBy?: readonly { key: string; direction: 'asc' | 'desc' }[];
  limit?: number;
  offset?: number;
}

/**
 * A result row, keyed by group-by dimension names, `bucket` and measure aliases. Counts are
 * numbers; sums of integer measures and of `cost` (micros) are bigint, exact; averages and
 * percentiles are numbers; `lastTime` and `bucket` are Dates; missing values are null.
 */
export type QueryValue = string | number | bigint | Date | null;
export type QueryRow = Record<string, QueryValue>;
