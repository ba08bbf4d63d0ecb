import type { ColumnInfo, Datum, Row } from '@aws-sdk/client-timestream-query';

/**
 * Timestream Query results → plain JS values, driven by ColumnInfo (a Datum alone does not say
 * whether "42" is a VARCHAR or a BIGINT).
 *
 * | ScalarType                         | value                                                  |
 * |------------------------------------|--------------------------------------------------------|
 * | VARCHAR                            | string                                                 |
 * | BIGINT                             | bigint, exact (BigInt of the string, never via number)  |
 * | INTEGER, DOUBLE                    | number (DOUBLE may be NaN / ±Infinity)                 |
 * | BOOLEAN                            | boolean                                                |
 * | TIMESTAMP                          | Date (UTC); digits past the millisecond are dropped    |
 * | DATE, TIME, INTERVAL_*             | the string as Timestream sends it                      |
 * | UNKNOWN (e.g. a bare NULL literal) | null                                                   |
 *
 * NullValue → null; ArrayValue → array (ArrayColumnInfo); RowValue → object keyed by the
 * RowColumnInfo names; TimeSeriesValue → [{ time: Date, value }] (TimeSeriesMeasureValueColumnInfo).
 */
export type TimestreamValue =
  | string
  | number
  | bigint
  | boolean
  | Date
  | null
  | TimestreamValue[]
  | TimeSeriesPoint[]
  | { [field: string]: TimestreamValue };

export interface TimeSeriesPoint {
  time: Date;
  value: TimestreamValue;
}

export type TimestreamRow = Record<string, TimestreamValue>;

// '2026-04-18 10:00:00.000000000' (also accepts 'T' and no or fewer fraction digits).
const TIMESTAMP = /^(-?\d{4,})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z?$/;

export function parseTimestamp(value: string): Date {
  const m = TIMESTAMP.exec(value);
  if (!m) throw new Error(`Unparseable Timestream timestamp "${value}"`);
  const [, y, mo, d, h, mi, s, fraction] = m;
  const ms = Number((fraction ?? '').padEnd(3, '0').slice(0, 3));
  const date = new Date(0);
  // setUTCFullYear, not Date.UTC: Date.UTC maps years 0–99 to 1900–1999.
  date.setUTCFullYear(Number(y), Number(mo) - 1, Number(d));
  date.setUTCHours(Number(h), Number(mi), Number(s), ms);
  return date;
}

function parseScalar(value: string, scalarType: string | undefined): TimestreamValue {
  switch (scalarType) {
    case 'VARCHAR':
      return value;
    case 'BIGINT':
      return BigInt(value);
    case 'INTEGER':
    case 'DOUBLE':
      return Number(value);
    case 'BOOLEAN':
      return value === 'true';
    case 'TIMESTAMP':
      return parseTimestamp(value);
    case 'UNKNOWN':
      return null;
    default:
      // DATE, TIME, INTERVAL_DAY_TO_SECOND, INTERVAL_YEAR_TO_MONTH, and any type added later.
      return value;
  }
}

export function parseDatum(datum: Datum, column: ColumnInfo | undefined): TimestreamValue {
  if (datum.NullValue === true) return null;
  const type = column?.Type;
  if (datum.ScalarValue !== undefined) return parseScalar(datum.ScalarValue, type?.ScalarType);
  if (datum.ArrayValue !== undefined) {
    return datum.ArrayValue.map((item) => parseDatum(item, type?.ArrayColumnInfo));
  }
  if (datum.RowValue !== undefined) return parseRow(datum.RowValue, type?.RowColumnInfo ?? []);
  if (datum.TimeSeriesValue !== undefined) {
    return datum.TimeSeriesValue.map(
      (point): TimeSeriesPoint => ({
        time: parseTimestamp(point.Time ?? ''),
        value: point.Value ? parseDatum(point.Value, type?.TimeSeriesMeasureValueColumnInfo) : null,
      }),
    );
  }
  return null;
}

/** One result row → object keyed by column name (position as the key when a column is unnamed). */
export function parseRow(row: Row, columns: readonly ColumnInfo[]): TimestreamRow {
  const out: TimestreamRow = {};
  (row.Data ?? []).forEach((datum, index) => {
    const column = columns[index];
    out[column?.Name ?? String(index)] = parseDatum(datum, column);
  });
  return out;
}
