import { endianness } from 'node:os';
import {
  BIGINT,
  DOUBLE,
  type DuckDBAppender,
  DuckDBDataChunk,
  DuckDBTimestampValue,
  type DuckDBType,
  INTEGER,
  TIMESTAMP,
  VARCHAR,
} from '@duckdb/node-api';
import duckdb from '@duckdb/node-bindings';
import {
  EVENT_TYPES,
  INTEGER_MEASURES,
  type IntegerMeasure,
  STRING_DIMENSIONS,
  type StringDimension,
  type UsageEvent,
} from '../../domain/events.ts';
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
/**
 * Settings every DuckDB instance of the store is opened with. checkpoint_threshold: the WAL is
 * folded into the database file once it holds this much (DuckDB's default is 16 MB). Ingest
 * commits ~0.2 MB of WAL per 1,000 events, so 16 MB checkpointed every ~80k events, each time
 * compressing the table's last, partly filled row groups again; at 64 MB the same 900k events took
 * 16 % less time in all (bench/ingest.ts floor, final checkpoint included). Durability is the
 * same: every COMMIT still writes and syncs the WAL; a restart after a crash replays at most
 * 64 MB of it.
 */
export const DUCKDB_SETTINGS: Readonly<Record<string, string>> = { checkpoint_threshold: '64MB' };

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

const KNOWN_TYPES = new Set<unknown>(EVENT_TYPES);
const isInt64 = (value: number) => Number.isInteger(value) && Math.abs(value) < 2 ** 63;

/**
 * Why DuckDB cannot store this event as it is, or null. Mirrors the Timestream record mapping.
 * Runs for every stored event: fields are read by name, in the order of the checks.
 */
export function invalidEventReason(event: UsageEvent): string | null {
  if (!(event.time instanceof Date) || !Number.isFinite(event.time.getTime()))
    return 'time is not a valid date';
  if (!KNOWN_TYPES.has(event.type)) return 'type is not a known event type';
  const { statusCode } = event;
  if (statusCode !== undefined && (!Number.isInteger(statusCode) || Math.abs(statusCode) > INT32_MAX)) {
    return 'statusCode is not an integer';
  }
  const { latencyMs, units } = event;
  if (latencyMs !== undefined && !Number.isFinite(latencyMs)) return 'latencyMs is not a finite number';
  if (units !== undefined && !Number.isFinite(units)) return 'units is not a finite number';
  const { bytes, inputTokens, outputTokens, segments, storageBytes } = event;
  if (bytes !== undefined && !isInt64(bytes)) return 'bytes is not an integer';
  if (inputTokens !== undefined && !isInt64(inputTokens)) return 'inputTokens is not an integer';
  if (outputTokens !== undefined && !isInt64(outputTokens)) return 'outputTokens is not an integer';
  if (segments !== undefined && !isInt64(segments)) return 'segments is not an integer';
  if (storageBytes !== undefined && !isInt64(storageBytes)) return 'storageBytes is not an integer';
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

/**
 * Appends one (already validated) event as one row of EVENTS_DDL, typed value by typed value.
 * About 25 native calls per row: `appendEvents` below is the bulk path.
 */
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

/** The column types of EVENTS_DDL, in its order. */
const EVENT_COLUMN_TYPES: readonly DuckDBType[] = [
  VARCHAR, // tenant_id
  VARCHAR, // event_id
  TIMESTAMP,
  VARCHAR, // type
  ...STRING_DIMENSIONS.map(() => VARCHAR),
  INTEGER, // status_code
  DOUBLE, // latency_ms
  ...INTEGER_MEASURES.map(() => BIGINT),
  DOUBLE, // units
  BIGINT, // cost_micros
];
const COL_TENANT = 0;
const COL_ID = 1;
const COL_TIME = 2;
const COL_TYPE = 3;
const COL_FIRST_DIMENSION = 4;
const COL_STATUS_CODE = COL_FIRST_DIMENSION + STRING_DIMENSIONS.length;
const COL_LATENCY = COL_STATUS_CODE + 1;
const COL_FIRST_INTEGER_MEASURE = COL_LATENCY + 1;
const COL_UNITS = COL_FIRST_INTEGER_MEASURE + INTEGER_MEASURES.length;
const COL_COST = COL_UNITS + 1;

/** DuckDB's vector size: the most rows one data chunk holds (2048). */
const CHUNK_ROWS = duckdb.vector_size();
/** Data chunks are filled as little-endian bytes (DuckDB's in-memory layout on every platform it ships for). */
const LITTLE_ENDIAN = endianness() === 'LE';
/** A duckdb_string_t is 16 bytes: a uint32 length, then up to 12 bytes inline or a prefix and a pointer. */
const STRING_T_BYTES = 16;
const INLINE_STRING_BYTES = 12;
const TWO_POW_32 = 4294967296;

/** Null bits of one column, DuckDB's validity mask (uint64 words, bit i = row i is valid), made on first null. */
class Validity {
  readonly #rows: number;
  #words: Uint32Array<ArrayBuffer> | null = null;

  constructor(rows: number) {
    this.#rows = rows;
  }

  setNull(row: number): void {
    if (this.#words === null) this.#words = new Uint32Array(Math.ceil(this.#rows / 64) * 2).fill(0xffffffff);
    const word = row >>> 5;
    this.#words[word] = (this.#words[word] as number) & ~(1 << (row & 31));
  }

  writeTo(vector: duckdb.Vector): void {
    if (this.#words === null) return;
    duckdb.vector_ensure_validity_writable(vector);
    duckdb.copy_data_to_vector_validity(vector, 0, this.#words.buffer, 0, this.#words.byteLength);
  }
}

/**
 * A VARCHAR column: strings of up to 12 ASCII characters are written inline into the 16-byte
 * string_t array here (no native call); longer or non-ASCII ones are handed to DuckDB one by one
 * (vector_assign_string_element, which copies them into the vector's string heap).
 */
class VarcharColumn {
  readonly validity: Validity;
  readonly #bytes: Uint8Array<ArrayBuffer>;
  readonly #longRows: number[] = [];
  readonly #longValues: string[] = [];

  constructor(rows: number) {
    this.validity = new Validity(rows);
    this.#bytes = new Uint8Array(rows * STRING_T_BYTES);
  }

  /** `''` is stored as NULL, like a missing value (Timestream has no empty dimension value). */
  set(row: number, value: string | undefined): void {
    if (value === undefined || value === '') {
      this.validity.setNull(row);
      return;
    }
    const length = value.length;
    if (length <= INLINE_STRING_BYTES) {
      const bytes = this.#bytes;
      const offset = row * STRING_T_BYTES;
      let i = 0;
      for (; i < length; i++) {
        const code = value.charCodeAt(i);
        if (code === 0 || code > 0x7f) break;
        bytes[offset + 4 + i] = code;
      }
      if (i === length) {
        bytes[offset] = length; // little-endian uint32 length < 256
        return;
      }
      bytes.fill(0, offset + 4, offset + 4 + i);
    }
    this.#longRows.push(row);
    this.#longValues.push(value);
  }

  writeTo(vector: duckdb.Vector): void {
    duckdb.copy_data_to_vector(vector, 0, this.#bytes.buffer, 0, this.#bytes.byteLength);
    const rows = this.#longRows;
    const values = this.#longValues;
    for (let i = 0; i < rows.length; i++) {
      duckdb.vector_assign_string_element(vector, rows[i] as number, values[i] as string);
    }
    this.validity.writeTo(vector);
  }
}

/** A BIGINT or TIMESTAMP column as pairs of 32-bit words (no bigint allocated per value). */
class Int64Column {
  readonly validity: Validity;
  readonly #words: Int32Array<ArrayBuffer>;
  #bigints: BigInt64Array | null = null;

  constructor(rows: number) {
    this.validity = new Validity(rows);
    this.#words = new Int32Array(rows * 2);
  }

  set(row: number, value: number | undefined): void {
    if (value === undefined) this.validity.setNull(row);
    else this.setNumber(row, value);
  }

  /** An integer-valued number with |value| < 2^63 (checked by invalidEventReason). */
  setNumber(row: number, value: number): void {
    const high = Math.floor(value / TWO_POW_32);
    this.#words[2 * row] = value - high * TWO_POW_32;
    this.#words[2 * row + 1] = high;
  }

  setBigInt(row: number, value: bigint): void {
    this.#bigints ??= new BigInt64Array(this.#words.buffer);
    this.#bigints[row] = value;
  }

  writeTo(vector: duckdb.Vector): void {
    duckdb.copy_data_to_vector(vector, 0, this.#words.buffer, 0, this.#words.byteLength);
    this.validity.writeTo(vector);
  }
}

class NumberColumn {
  readonly validity: Validity;
  readonly #values: Float64Array<ArrayBuffer> | Int32Array<ArrayBuffer>;

  constructor(rows: number, kind: 'double' | 'integer') {
    this.validity = new Validity(rows);
    this.#values = kind === 'double' ? new Float64Array(rows) : new Int32Array(rows);
  }

  set(row: number, value: number | undefined): void {
    if (value === undefined) this.validity.setNull(row);
    else this.#values[row] = value;
  }

  writeTo(vector: duckdb.Vector): void {
    duckdb.copy_data_to_vector(vector, 0, this.#values.buffer, 0, this.#values.byteLength);
    this.validity.writeTo(vector);
  }
}

/** One data chunk of events[start, end) as rows of EVENTS_DDL. */
function eventChunk(
  tenantId: string,
  events: readonly UsageEvent[],
  start: number,
  end: number,
): DuckDBDataChunk {
  const rows = end - start;
  const ids = new VarcharColumn(rows);
  const types = new VarcharColumn(rows);
  const time = new Int64Column(rows);
  const dimensions: Record<StringDimension, VarcharColumn> = {
    operatorId: new VarcharColumn(rows),
    accountId: new VarcharColumn(rows),
    projectId: new VarcharColumn(rows),
    apiKeyId: new VarcharColumn(rows),
    connectorId: new VarcharColumn(rows),
    service: new VarcharColumn(rows),
    endpoint: new VarcharColumn(rows),
    category: new VarcharColumn(rows),
    method: new VarcharColumn(rows),
    model: new VarcharColumn(rows),
    status: new VarcharColumn(rows),
  };
  const statusCode = new NumberColumn(rows, 'integer');
  const latency = new NumberColumn(rows, 'double');
  const integers: Record<IntegerMeasure, Int64Column> = {
    bytes: new Int64Column(rows),
    inputTokens: new Int64Column(rows),
    outputTokens: new Int64Column(rows),
    segments: new Int64Column(rows),
    storageBytes: new Int64Column(rows),
  };
  const units = new NumberColumn(rows, 'double');
  const cost = new Int64Column(rows);

  // One named read per field (a loop over the field names would make every read a slow keyed one).
  for (let row = 0; row < rows; row++) {
    const event = events[start + row] as UsageEvent;
    ids.set(row, event.id);
    const millis = event.time.getTime();
    const micros = millis * 1000;
    if (Number.isSafeInteger(micros)) time.setNumber(row, micros);
    else time.setBigInt(row, BigInt(millis) * 1000n);
    types.set(row, event.type);
    dimensions.operatorId.set(row, event.operatorId);
    dimensions.accountId.set(row, event.accountId);
    dimensions.projectId.set(row, event.projectId);
    dimensions.apiKeyId.set(row, event.apiKeyId);
    dimensions.connectorId.set(row, event.connectorId);
    dimensions.service.set(row, event.service);
    dimensions.endpoint.set(row, event.endpoint);
    dimensions.category.set(row, event.category);
    dimensions.method.set(row, event.method);
    dimensions.model.set(row, event.model);
    dimensions.status.set(row, event.status);
    statusCode.set(row, event.statusCode);
    latency.set(row, event.latencyMs);
    integers.bytes.set(row, event.bytes);
    integers.inputTokens.set(row, event.inputTokens);
    integers.outputTokens.set(row, event.outputTokens);
    integers.segments.set(row, event.segments);
    integers.storageBytes.set(row, event.storageBytes);
    units.set(row, event.units);
    if (event.cost === undefined) cost.validity.setNull(row);
    else cost.setBigInt(row, event.cost);
  }

  const chunk = DuckDBDataChunk.create(EVENT_COLUMN_TYPES, rows);
  const vector = (column: number) => duckdb.data_chunk_get_vector(chunk.chunk, column);
  // Every row has the same tenant: one constant vector instead of a string per row.
  duckdb.vector_reference_value(vector(COL_TENANT), duckdb.create_varchar(tenantId));
  ids.writeTo(vector(COL_ID));
  time.writeTo(vector(COL_TIME));
  types.writeTo(vector(COL_TYPE));
  STRING_DIMENSIONS.forEach((dimension, d) => {
    dimensions[dimension].writeTo(vector(COL_FIRST_DIMENSION + d));
  });
  statusCode.writeTo(vector(COL_STATUS_CODE));
  latency.writeTo(vector(COL_LATENCY));
  INTEGER_MEASURES.forEach((measure, m) => {
    integers[measure].writeTo(vector(COL_FIRST_INTEGER_MEASURE + m));
  });
  units.writeTo(vector(COL_UNITS));
  cost.writeTo(vector(COL_COST));
  return chunk;
}

/**
 * Appends (already validated) events as rows of EVENTS_DDL through the typed appender, in data
 * chunks of up to 2048 rows filled column by column: numbers are copied into each vector in one
 * call, short strings are written inline, and the tenant is one constant vector, so a row costs
 * about two native calls instead of the 25 of `appendEvent` (measured: bench/RESULTS.md).
 */
export function appendEvents(
  appender: DuckDBAppender,
  tenantId: string,
  events: readonly UsageEvent[],
): void {
  if (!LITTLE_ENDIAN) {
    for (const event of events) appendEvent(appender, tenantId, event);
    return;
  }
  for (let start = 0; start < events.length; start += CHUNK_ROWS) {
    appender.appendDataChunk(
      eventChunk(tenantId, events, start, Math.min(events.length, start + CHUNK_ROWS)),
    );
  }
}
