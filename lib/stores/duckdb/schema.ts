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
import { INTEGER_MEASURES, STRING_DIMENSIONS, type UsageEvent } from '../../domain/events.ts';
import {
  DIMENSION_COLUMNS,
  EVENT_ID_COLUMN,
  MEASURE_COLUMNS,
  TENANT_COLUMN,
  TIME_COLUMN,
} from '../../query/columns.ts';
import { quoteIdentifier as q } from '../../query/sql.ts';
import {
  ENCODED_CHUNK_ROWS,
  type EncodedColumn,
  type EncodedEventChunk,
  encodeEvents,
  INLINE_STRING_BYTES,
  STRING_T_BYTES,
} from './event-encoding.ts';

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

/** The column types of EVENTS_DDL, in its order (event-encoding.ts encodes all but the tenant). */
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

if (duckdb.vector_size() < ENCODED_CHUNK_ROWS) {
  throw new Error(
    `DuckDB's vector size ${duckdb.vector_size()} is below the ${ENCODED_CHUNK_ROWS} rows a data chunk is filled with`,
  );
}
if (endianness() !== 'LE') {
  throw new Error('Data chunks are filled little-endian, the only byte order DuckDB ships Node bindings for');
}

/** One data chunk of events encoded by event-encoding.ts, all of them the tenant's. */
function eventChunk(tenantId: string, encoded: EncodedEventChunk): DuckDBDataChunk {
  const { rows, buffer } = encoded;
  const chunk = duckdb.create_data_chunk(eventLogicalTypes());
  duckdb.data_chunk_set_size(chunk, rows);
  // Every row has the same tenant: one constant vector instead of a string per row.
  duckdb.vector_reference_value(duckdb.data_chunk_get_vector(chunk, 0), duckdb.create_varchar(tenantId));
  const validityBytes = Math.ceil(rows / 64) * 8;
  encoded.columns.forEach((column, c) => {
    const vector = duckdb.data_chunk_get_vector(chunk, c + 1);
    if (column.heapBytes === 0) {
      duckdb.copy_data_to_vector(vector, 0, buffer, column.offset, column.width * rows);
    } else {
      copyStringsToVector(vector, encoded, column);
    }
    if (column.validityOffset !== null) {
      duckdb.vector_ensure_validity_writable(vector);
      duckdb.copy_data_to_vector_validity(vector, 0, buffer, column.validityOffset, validityBytes);
    }
  });
  return new DuckDBDataChunk(chunk);
}

/** string_t slots of one vector, rebased; reused, as data chunks are filled one at a time in a thread. */
let rebased = new Uint32Array(0);

/**
 * A VARCHAR column whose long strings lie in the chunk's heap (event-encoding.ts): the column's
 * range of the heap goes into the vector's own string heap in one call, as the value of row 0 for a
 * moment; the address DuckDB gives it is read back, and every long string's slot gets that address
 * plus its offset before the slots are copied in, over row 0's too. The vector owns the copy for
 * as long as the chunk lives, and the appender copies the strings out of it.
 */
function copyStringsToVector(vector: duckdb.Vector, encoded: EncodedEventChunk, column: EncodedColumn): void {
  const { rows } = encoded;
  duckdb.vector_assign_string_element_len(
    vector,
    0,
    new Uint8Array(encoded.heap, column.heapOffset, column.heapBytes),
  );
  const slot0 = duckdb.vector_get_data(vector, STRING_T_BYTES); // a copy of row 0's slot
  const address = new DataView(slot0.buffer, slot0.byteOffset, STRING_T_BYTES);
  const low = address.getUint32(8, true);
  const high = address.getUint32(12, true);
  const words = rows * (STRING_T_BYTES / 4);
  if (rebased.length < words) rebased = new Uint32Array(ENCODED_CHUNK_ROWS * (STRING_T_BYTES / 4));
  rebased.set(new Uint32Array(encoded.buffer, column.offset, words));
  for (let word = 0; word < words; word += 4) {
    if ((rebased[word] as number) <= INLINE_STRING_BYTES) continue; // inline (or NULL): no pointer
    const sum = low + (rebased[word + 2] as number);
    rebased[word + 2] = sum >>> 0;
    rebased[word + 3] = high + (sum > 0xffffffff ? 1 : 0);
  }
  duckdb.copy_data_to_vector(vector, 0, rebased.buffer, 0, rows * STRING_T_BYTES);
}

/** The logical types of EVENT_COLUMN_TYPES, made once (every write builds data chunks of them). */
let logicalTypes: duckdb.LogicalType[] | undefined;
function eventLogicalTypes(): duckdb.LogicalType[] {
  logicalTypes ??= EVENT_COLUMN_TYPES.map((type) => type.toLogicalType().logical_type);
  return logicalTypes;
}

/** Appends encoded events of one tenant through the typed appender, a data chunk at a time. */
export function appendEncodedEvents(
  appender: DuckDBAppender,
  tenantId: string,
  chunks: readonly EncodedEventChunk[],
): void {
  for (const chunk of chunks) appender.appendDataChunk(eventChunk(tenantId, chunk));
}

/**
 * Appends (already validated) events as rows of EVENTS_DDL through the typed appender, in data
 * chunks of up to 2048 rows filled column by column (event-encoding.ts): numbers are copied into
 * each vector in one call, short strings are written inline, and the tenant is one constant
 * vector, so a row costs about two native calls instead of the 25 of `appendEvent` (measured:
 * bench/RESULTS.md).
 */
export function appendEvents(
  appender: DuckDBAppender,
  tenantId: string,
  events: readonly UsageEvent[],
): void {
  appendEncodedEvents(appender, tenantId, encodeEvents(events));
}
