import { type DuckDBAppender, DuckDBTimestampValue } from '@duckdb/node-api';
import { EVENT_TYPES, INTEGER_MEASURES, STRING_DIMENSIONS, type UsageEvent } from '../../domain/events.ts';
import {
  DIMENSION_COLUMNS,
  EVENT_ID_COLUMN,
  MEASURE_COLUMNS,
  TENANT_COLUMN,
  TIME_COLUMN,
} from '../../query/columns.ts';
import { quoteIdentifier as q } from '../../query/sql.ts';

/**
 * The DuckDB events table: one row per event, columns named as in lib/query/columns.ts so the
 * shared query compiler reads it directly. `time` is a TIMESTAMP (no time zone, microseconds)
 * that holds UTC: values are appended as epoch microseconds and compared with TIMESTAMP
 * literals written in UTC, so no session time zone ever shifts them.
 *
 * No PRIMARY KEY/UNIQUE on (tenant_id, event_id): exactly-once comes from the single writer's
 * transactional check (duckdb-time-series-store.ts). Measured with DuckDB 1.5 on 2 cores, the ART
 * index a key needs made bulk INSERT … SELECT of 3M rows 10× slower (1.1 s → 11.5 s) and must sit
 * in memory whole, while the existence check cannot use it anyway (DuckDB plans the batch join
 * as a hash join over a scan, and no index scan for composite-key IN lists).
 */
export const EVENTS_TABLE = 'events';
/** Per-connection temp table the writer stages a batch's ids in, to find the stored ones in one join. */
export const BATCH_IDS_TABLE = 'batch_ids';

const STRING_DIMENSION_COLUMNS = STRING_DIMENSIONS.map((d) => DIMENSION_COLUMNS[d]);
const INTEGER_MEASURE_COLUMNS = INTEGER_MEASURES.map((m) => MEASURE_COLUMNS[m]);

/** Column order is the appender's order (appendEvent below). */
export const EVENTS_DDL = `CREATE TABLE IF NOT EXISTS ${q(EVENTS_TABLE)} (
  ${[
    `${q(TENANT_COLUMN)} VARCHAR NOT NULL`,
    `${q(EVENT_ID_COLUMN)} VARCHAR NOT NULL`,
    `${q(TIME_COLUMN)} TIMESTAMP NOT NULL`,
    `${q(DIMENSION_COLUMNS.type)} VARCHAR NOT NULL`,
    ...STRING_DIMENSION_COLUMNS.map((c) => `${q(c)} VARCHAR`),
    `${q(DIMENSION_COLUMNS.statusCode)} INTEGER`,
    `${q(MEASURE_COLUMNS.latencyMs)} DOUBLE`,
    ...INTEGER_MEASURE_COLUMNS.map((c) => `${q(c)} BIGINT`),
    `${q(MEASURE_COLUMNS.units)} DOUBLE`,
    `${q(MEASURE_COLUMNS.cost)} BIGINT`,
  ].join(',\n  ')}
)`;

export const BATCH_IDS_DDL = `CREATE TEMP TABLE IF NOT EXISTS ${q(BATCH_IDS_TABLE)} (${q(EVENT_ID_COLUMN)} VARCHAR NOT NULL)`;

const INT32_MAX = 2 ** 31 - 1;
const INT64_LIMIT = 2n ** 63n;

/** Why DuckDB cannot store this event as it is, or null. Mirrors the Timestream record mapping. */
export function invalidEventReason(event: UsageEvent): string | null {
  if (!(event.time instanceof Date) || !Number.isFinite(event.time.getTime()))
    return 'time is not a valid date';
  if (!(EVENT_TYPES as readonly string[]).includes(event.type)) return 'type is not a known event type';
  const { statusCode } = event;
  if (statusCode !== undefined && (!Number.isInteger(statusCode) || Math.abs(statusCode) > INT32_MAX)) {
    return 'statusCode is not an integer';
  }
  for (const name of ['latencyMs', 'units'] as const) {
    const value = event[name];
    if (value !== undefined && !Number.isFinite(value)) return `${name} is not a finite number`;
  }
  for (const name of INTEGER_MEASURES) {
    const value = event[name];
    if (value !== undefined && (!Number.isInteger(value) || Math.abs(value) >= 2 ** 63)) {
      return `${name} is not an integer`;
    }
  }
  const { cost } = event;
  if (cost !== undefined && (typeof cost !== 'bigint' || cost >= INT64_LIMIT || cost < -INT64_LIMIT)) {
    return 'cost is not an integer number of micros';
  }
  return null;
}

function appendText(appender: DuckDBAppender, value: string | undefined): void {
  // Timestream has no empty dimension value; storing '' as NULL keeps both stores alike.
  if (value === undefined || value === '') appender.appendNull();
  else appender.appendVarchar(value);
}

function appendDouble(appender: DuckDBAppender, value: number | undefined): void {
  if (value === undefined) appender.appendNull();
  else appender.appendDouble(value);
}

function appendBigInt(appender: DuckDBAppender, value: number | bigint | undefined): void {
  if (value === undefined) appender.appendNull();
  else appender.appendBigInt(BigInt(value));
}

/** Appends one (already validated) event as one row of EVENTS_DDL, typed value by typed value. */
export function appendEvent(appender: DuckDBAppender, tenantId: string, event: UsageEvent): void {
  appender.appendVarchar(tenantId);
  appender.appendVarchar(event.id);
  appender.appendTimestamp(new DuckDBTimestampValue(BigInt(event.time.getTime()) * 1000n));
  appender.appendVarchar(event.type);
  for (const dimension of STRING_DIMENSIONS) appendText(appender, event[dimension]);
  if (event.statusCode === undefined) appender.appendNull();
  else appender.appendInteger(event.statusCode);
  appendDouble(appender, event.latencyMs);
  for (const measure of INTEGER_MEASURES) appendBigInt(appender, event[measure]);
  appendDouble(appender, event.units);
  appendBigInt(appender, event.cost);
  appender.endRow();
}
