import type { Dimension } from '../domain/events.ts';
import { DIMENSION_COLUMNS, TIMESTREAM_MEASURE_NAME } from './columns.ts';
import type { TimeBin } from './spec.ts';
import { numberLiteral, quoteIdentifier, stringLiteral, timestampLiteral } from './sql.ts';

/**
 * What differs between the two time-series SQL dialects, and nothing else: the compiler
 * (compile.ts) writes one statement shape for both. Everything in the shared shape is documented
 * Timestream syntax (CASE, coalesce, count(DISTINCT), WITH, LEFT JOIN, row_number() OVER) that
 * DuckDB reads the same way.
 */
export interface Dialect {
  readonly name: 'duckdb' | 'timestream';
  /** The events table, quoted. */
  readonly table: string;
  /** Predicates every statement on the table carries besides tenant and time. */
  readonly extraPredicates: readonly string[];
  timestamp(at: Date): string;
  /** Start of the `bin` containing the raw `time` column. ISO weeks start on Monday in both. */
  bin(bin: TimeBin): string;
  /** `p` in (0, 1), already validated. */
  percentile(expression: string, p: number): string;
  /** The expression that reads a dimension; a missing dimension reads as NULL. */
  dimension(dimension: Dimension): string;
}

export const TIME = quoteIdentifier('time');

function column(dimension: Dimension): string {
  return quoteIdentifier(DIMENSION_COLUMNS[dimension]);
}

const DUCKDB_BINS: Record<TimeBin, string> = {
  second: `date_trunc('second', ${TIME})`,
  minute: `date_trunc('minute', ${TIME})`,
  // time_bucket's default origin (2000-01-03) is a multiple of 5 minutes since the epoch, so the
  // buckets are the same as Timestream's bin(time, 5m).
  '5m': `time_bucket(INTERVAL '5 minutes', ${TIME})`,
  hour: `date_trunc('hour', ${TIME})`,
  day: `date_trunc('day', ${TIME})`,
  week: `date_trunc('week', ${TIME})`,
  month: `date_trunc('month', ${TIME})`,
};

const TIMESTREAM_BINS: Record<TimeBin, string> = {
  second: `bin(${TIME}, 1s)`,
  minute: `bin(${TIME}, 1m)`,
  '5m': `bin(${TIME}, 5m)`,
  hour: `bin(${TIME}, 1h)`,
  day: `bin(${TIME}, 1d)`,
  week: `date_trunc('week', ${TIME})`,
  month: `date_trunc('month', ${TIME})`,
};

/**
 * DuckDB, the embedded store: `events` is a real table whose `time` is a TIMESTAMP holding UTC
 * (no time zone is ever applied to it), `status_code` an INTEGER. Percentiles are exact
 * (`quantile_cont`, linear interpolation between the two nearest ranks).
 */
export function duckdbDialect(tableName = 'events'): Dialect {
  return {
    name: 'duckdb',
    table: quoteIdentifier(tableName),
    extraPredicates: [],
    timestamp: (at) => timestampLiteral(at, 'sql'),
    bin: (bin) => DUCKDB_BINS[bin],
    percentile: (expression, p) => `quantile_cont(${expression}, ${numberLiteral(p)})`,
    dimension: column,
  };
}

/**
 * Timestream LiveAnalytics: every dimension is VARCHAR (absent when the event had none), so the
 * numeric `status_code` is cast; every measure lives in the one multi-measure record `usage`.
 * Percentiles are Timestream's `approx_percentile` (an approximation, not interpolated).
 */
export function timestreamDialect(database: string, table: string): Dialect {
  const measureName = `${quoteIdentifier('measure_name')} = ${stringLiteral(TIMESTREAM_MEASURE_NAME)}`;
  return {
    name: 'timestream',
    table: `${quoteIdentifier(database)}.${quoteIdentifier(table)}`,
    extraPredicates: [measureName],
    timestamp: (at) => timestampLiteral(at, 'iso8601'),
    bin: (bin) => TIMESTREAM_BINS[bin],
    percentile: (expression, p) => `approx_percentile(${expression}, ${numberLiteral(p)})`,
    dimension: (dimension) =>
      dimension === 'statusCode' ? `CAST(${column(dimension)} AS INTEGER)` : column(dimension),
  };
}
