import type { ColumnInfo, Datum, Row } from '@aws-sdk/client-timestream-query';

/**
 * Timestream Query results → plain JS values, driven by ColumnInfo (a Datum alone does not say
 * whether "42" is a VARCHAR or a BIGINT). Only the types a compiled query (lib/query/compile.ts)
 * returns are read; anything else is a statement the compiler does not write, and is refused.
 *
 * | ScalarType | what compiles to it                    | value                                       |
 * |------------|----------------------------------------|---------------------------------------------|
 * | VARCHAR    | dimensions                             | string                                      |
 * | INTEGER    | the status code (cast)                 | number                                      |
 * | BIGINT     | counts, integer sums, min/max of them  | bigint, exact (never via number)            |
 * | DOUBLE     | means, percentiles, sums of doubles    | number (may be NaN / ±Infinity)             |
 * | TIMESTAMP  | time bins, max(time)                   | Date (UTC); digits past the ms are dropped  |
 *
 * NullValue → null.
 */
type TimestreamValue = string | number | bigint | Date | null;

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

function parseScalar(value: string, column: ColumnInfo): TimestreamValue {
  const scalarType = column.Type?.ScalarType;
  switch (scalarType) {
    case 'VARCHAR':
      return value;
    case 'BIGINT':
      return BigInt(value);
    case 'INTEGER':
    case 'DOUBLE':
      return Number(value);
    case 'TIMESTAMP':
      return parseTimestamp(value);
    default:
      throw new Error(
        `Timestream column "${column.Name}" is ${scalarType ?? 'not a scalar'}: no compiled query returns that`,
      );
  }
}

function parseDatum(datum: Datum, column: ColumnInfo): TimestreamValue {
  if (datum.NullValue === true) return null;
  if (datum.ScalarValue !== undefined) return parseScalar(datum.ScalarValue, column);
  throw new Error(`Timestream column "${column.Name}" holds no scalar: no compiled query returns that`);
}

/** One result row → object keyed by column name (every column of a compiled query is named). */
export function parseRow(row: Row, columns: readonly ColumnInfo[]): TimestreamRow {
  const out: TimestreamRow = {};
  (row.Data ?? []).forEach((datum, index) => {
    const column = columns[index];
    if (column?.Name === undefined) throw new Error(`Timestream result column ${index} has no name`);
    out[column.Name] = parseDatum(datum, column);
  });
  return out;
}
