import type { _Record, Dimension, MeasureValue } from '@aws-sdk/client-timestream-write';
import { INTEGER_MEASURES, STRING_DIMENSIONS, type UsageEvent } from '../../domain/events.ts';
import {
  DIMENSION_COLUMNS,
  EVENT_ID_COLUMN,
  MEASURE_COLUMNS,
  TENANT_COLUMN,
  TIMESTREAM_MEASURE_NAME,
} from '../../query/columns.ts';

/**
 * UsageEvent → one Timestream multi-measure record.
 *
 * - Dimensions (always VARCHAR; names are the column names of lib/query/columns.ts): tenant_id,
 *   event_id, type, every present string dimension, and status_code as its decimal string. Empty
 *   strings are left out: Timestream has no empty dimension value, absence is how it spells null.
 * - One MULTI record named `usage` whose MeasureValues are the present measures: latency_ms and
 *   units DOUBLE, the integer measures BIGINT, cost_micros BIGINT written as the exact decimal
 *   string of the bigint (never through a float), plus `event_count` BIGINT 1 on every record,
 *   because a multi-measure record needs at least one measure and `event.ingested` events may
 *   carry none (queries count rows, so it changes no result).
 * - Time in MILLISECONDS: events hold a Date, which has millisecond precision.
 * - Version: RECORD_VERSION, a constant. Timestream identifies a record by its dimensions, time
 *   and measure name; a write of an existing record with the same version and identical measure
 *   values is accepted and changes nothing, while different values with a version that is not
 *   higher are rejected (RejectedRecord with ExistingVersion). Since event_id is a dimension, a
 *   re-sent event is therefore an idempotent upsert: retrying a WriteRecords whose first attempt
 *   did land (timeout, lost response, crash before the ledger was updated) never double-counts.
 */
export const RECORD_VERSION = 1;
export const MAX_RECORDS_PER_WRITE = 100;
/** Constant 1 on every record; see above. Not in lib/query/columns.ts: no query needs it. */
export const EVENT_COUNT_MEASURE = 'event_count';

export type RecordMapping = { ok: true; record: _Record } | { ok: false; detail: string };

const varchar = (Name: string, Value: string): Dimension => ({ Name, Value, DimensionValueType: 'VARCHAR' });

export function toTimestreamRecord(tenantId: string, event: UsageEvent): RecordMapping {
  const time = event.time.getTime();
  if (!Number.isFinite(time)) return { ok: false, detail: 'time is not a valid date' };

  const dimensions: Dimension[] = [
    varchar(TENANT_COLUMN, tenantId),
    varchar(EVENT_ID_COLUMN, event.id),
    varchar(DIMENSION_COLUMNS.type, event.type),
  ];
  for (const name of STRING_DIMENSIONS) {
    const value = event[name];
    if (value !== undefined && value !== '') dimensions.push(varchar(DIMENSION_COLUMNS[name], value));
  }
  if (event.statusCode !== undefined) {
    if (!Number.isInteger(event.statusCode)) return { ok: false, detail: 'statusCode is not an integer' };
    dimensions.push(varchar(DIMENSION_COLUMNS.statusCode, String(event.statusCode)));
  }

  const measures: MeasureValue[] = [{ Name: EVENT_COUNT_MEASURE, Value: '1', Type: 'BIGINT' }];
  for (const name of ['latencyMs', 'units'] as const) {
    const value = event[name];
    if (value === undefined) continue;
    if (!Number.isFinite(value)) return { ok: false, detail: `${name} is not a finite number` };
    measures.push({ Name: MEASURE_COLUMNS[name], Value: String(value), Type: 'DOUBLE' });
  }
  for (const name of INTEGER_MEASURES) {
    const value = event[name];
    if (value === undefined) continue;
    // BigInt(…).toString() never yields exponent notation, which BIGINT would not parse.
    if (!Number.isInteger(value)) return { ok: false, detail: `${name} is not an integer` };
    measures.push({ Name: MEASURE_COLUMNS[name], Value: BigInt(value).toString(), Type: 'BIGINT' });
  }
  if (event.cost !== undefined) {
    measures.push({ Name: MEASURE_COLUMNS.cost, Value: event.cost.toString(), Type: 'BIGINT' });
  }

  return {
    ok: true,
    record: {
      Dimensions: dimensions,
      MeasureName: TIMESTREAM_MEASURE_NAME,
      MeasureValueType: 'MULTI',
      MeasureValues: measures,
      Time: String(time),
      TimeUnit: 'MILLISECONDS',
      Version: RECORD_VERSION,
    },
  };
}

/**
 * Splits one request's records into CommonAttributes and slimmed records: every dimension that
 * every record carries with the same value (at least tenant_id) moves to CommonAttributes, as do
 * the measure name, type, time unit and version. Timestream merges CommonAttributes into each
 * record server-side, so the stored data is the same, the payload smaller. Record order (and so
 * RejectedRecords' RecordIndex) is unchanged.
 */
export function withCommonAttributes(records: readonly _Record[]): {
  CommonAttributes: _Record;
  Records: _Record[];
} {
  const first = records[0];
  const shared = new Map<string, string>();
  for (const d of first?.Dimensions ?? []) {
    if (d.Name !== undefined && d.Value !== undefined) shared.set(d.Name, d.Value);
  }
  for (const record of records.slice(1)) {
    const own = new Map((record.Dimensions ?? []).map((d) => [d.Name, d.Value]));
    for (const [name, value] of shared) {
      if (own.get(name) !== value) shared.delete(name);
    }
  }
  const CommonAttributes: _Record = {
    Dimensions: [...shared].map(([name, value]) => varchar(name, value)),
    MeasureName: TIMESTREAM_MEASURE_NAME,
    MeasureValueType: 'MULTI',
    TimeUnit: 'MILLISECONDS',
    Version: RECORD_VERSION,
  };
  const Records = records.map((record): _Record => {
    const Dimensions = (record.Dimensions ?? []).filter((d) => d.Name === undefined || !shared.has(d.Name));
    return {
      ...(Dimensions.length > 0 ? { Dimensions } : {}),
      MeasureValues: record.MeasureValues,
      Time: record.Time,
    };
  });
  return { CommonAttributes, Records };
}
