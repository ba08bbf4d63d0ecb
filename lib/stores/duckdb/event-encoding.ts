import type { WriteOutcome } from '#lib/domain/ports/time-series.ts';
import {
  EVENT_TYPES,
  INTEGER_MEASURES,
  type IntegerMeasure,
  STRING_DIMENSIONS,
  type StringDimension,
  type UsageEvent,
} from '../../domain/events.ts';

/**
 * Events encoded as the column buffers of DuckDB data chunks (rows of EVENTS_DDL after the tenant
 * column), in plain JavaScript with no native call. Encoding is most of the cost of filling a data
 * chunk, so it can run in the thread that validated the events, and the buffers move to the thread
 * that owns DuckDB without a copy (schema.ts `eventChunk` copies them into the vectors).
 *
 * Layouts are DuckDB's in-memory ones, little-endian (every platform DuckDB ships Node bindings for):
 * VARCHAR as 16-byte string_t slots (C API `duckdb_string_t`), TIMESTAMP and BIGINT as int64, INTEGER
 * as int32, DOUBLE as float64, and validity as uint64 words (bit i = row i is valid). A string of up
 * to 12 UTF-8 bytes sits inline in its slot; a longer one is a length, its first 4 bytes and a
 * pointer. Pointers cannot be known here, so longer strings go, as UTF-8, into the column's range of
 * the chunk's `heap`, and their slot holds the string's offset in that range where the pointer goes:
 * schema.ts copies each range into its vector's string heap with one native call and turns the
 * offsets into addresses (one call per column, not one per string).
 */

/** The rows of one data chunk: DuckDB's STANDARD_VECTOR_SIZE, checked against the bindings by schema.ts. */
export const ENCODED_CHUNK_ROWS = 2048;

export interface EncodedColumn {
  /** Bytes per row of the vector's data. */
  width: number;
  /** Where the vector's data starts in the chunk's buffer (`width` × rows bytes). */
  offset: number;
  /** Where its validity words start in the buffer, or null when every row is valid. */
  validityOffset: number | null;
  /** VARCHAR: where its strings of more than 12 UTF-8 bytes lie in the chunk's `heap` (0 bytes when none do). */
  heapOffset: number;
  heapBytes: number;
}

export interface EncodedEventChunk {
  rows: number;
  /** Every column's data and validity, in one buffer: one allocation, one transfer. */
  buffer: ArrayBuffer;
  /** The VARCHAR columns' strings of more than 12 UTF-8 bytes, column after column (its own buffer: its size is known last). */
  heap: ArrayBuffer;
  /** In EVENTS_DDL order from event_id on (the tenant is one constant vector). */
  columns: EncodedColumn[];
}

/** Storable events of a write, encoded, with their ids in the same order. */
export interface EncodedEventBatch {
  ids: readonly string[];
  chunks: readonly EncodedEventChunk[];
}

/** Which of a batch's rows a write stored: all of them (the usual case), or those flagged 1. */
export type StoredRows = 'all' | Uint8Array;

/** DuckDB's string_t: a uint32 length, then 12 bytes inline, or a 4-byte prefix and a pointer. */
export const STRING_T_BYTES = 16;
export const INLINE_STRING_BYTES = 12;
const TWO_POW_32 = 4294967296;
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

/** Bytes per row of each encoded column, in EVENTS_DDL order from event_id on. */
const COLUMN_WIDTHS: readonly number[] = [
  STRING_T_BYTES, // event_id
  8, // time
  STRING_T_BYTES, // type
  ...STRING_DIMENSIONS.map(() => STRING_T_BYTES),
  4, // status_code
  8, // latency_ms
  ...INTEGER_MEASURES.map(() => 8),
  8, // units
  8, // cost_micros
];

/**
 * Buffers a store has moved back once it appended them (store-channel.ts), for this thread's next
 * chunks: encoding into them instead of new ones keeps the external memory V8 counts in each
 * thread level, so it does not keep starting full GCs. Bounded; a buffer no chunk fits is dropped.
 */
const spentBuffers: ArrayBuffer[] = [];
const MAX_SPENT_BUFFERS = 32;

export function recycleBuffers(buffers: readonly ArrayBuffer[]): void {
  for (const buffer of buffers) {
    if (spentBuffers.length >= MAX_SPENT_BUFFERS) return;
    if (buffer.byteLength > 0 && !buffer.detached) spentBuffers.push(buffer);
  }
}

/** `bytes` zeroed bytes (the encoding relies on it): a spent buffer of at most twice the size, or a new one. */
function zeroedBuffer(bytes: number): ArrayBuffer {
  for (let i = spentBuffers.length - 1; i >= 0; i--) {
    const buffer = spentBuffers[i] as ArrayBuffer;
    if (buffer.byteLength >= bytes && buffer.byteLength <= 2 * bytes) {
      spentBuffers[i] = spentBuffers[spentBuffers.length - 1] as ArrayBuffer;
      spentBuffers.pop();
      new Uint8Array(buffer, 0, bytes).fill(0);
      return buffer;
    }
  }
  return new ArrayBuffer(bytes);
}

const validityBytes = (rows: number) => Math.ceil(rows / 64) * 8;
const align8 = (bytes: number) => Math.ceil(bytes / 8) * 8;

/** Where each column's data and validity words sit in a chunk of `rows` rows. */
function chunkLayout(rows: number): { bytes: number; data: number[]; validity: number[] } {
  let bytes = 0;
  const data: number[] = [];
  const validity: number[] = [];
  for (const width of COLUMN_WIDTHS) {
    data.push(bytes);
    bytes += align8(width * rows);
    validity.push(bytes);
    bytes += validityBytes(rows);
  }
  return { bytes, data, validity };
}

/** A column's slice of the chunk buffer: its data at `offset`, its validity words after it. */
interface ColumnSlot {
  buffer: ArrayBuffer;
  offset: number;
  validityOffset: number;
  rows: number;
}

/** Null bits of one column (uint64 words as pairs of uint32), all valid until the first null. */
class Validity {
  readonly #words: Uint32Array;
  #used = false;

  constructor(slot: ColumnSlot) {
    this.#words = new Uint32Array(slot.buffer, slot.validityOffset, validityBytes(slot.rows) / 4);
  }

  setNull(row: number): void {
    if (!this.#used) {
      this.#words.fill(0xffffffff);
      this.#used = true;
    }
    const word = row >>> 5;
    this.#words[word] = (this.#words[word] as number) & ~(1 << (row & 31));
  }

  get used(): boolean {
    return this.#used;
  }
}

function encodedColumn(slot: ColumnSlot, width: number, validity: Validity): EncodedColumn {
  return {
    width,
    offset: slot.offset,
    validityOffset: validity.used ? slot.validityOffset : null,
    heapOffset: 0,
    heapBytes: 0,
  };
}

const utf8 = new TextEncoder();

/** A VARCHAR column: string_t slots, and the UTF-8 bytes of its strings too long to be inline. */
class VarcharColumn {
  readonly validity: Validity;
  readonly #slot: ColumnSlot;
  readonly #bytes: Uint8Array;
  readonly #words: Uint32Array;
  /** The column's long strings, back to back (grown by doubling). */
  #heap = new Uint8Array(0);
  #heapUsed = 0;

  constructor(slot: ColumnSlot) {
    this.#slot = slot;
    this.validity = new Validity(slot);
    this.#bytes = new Uint8Array(slot.buffer, slot.offset, slot.rows * STRING_T_BYTES);
    this.#words = new Uint32Array(slot.buffer, slot.offset, slot.rows * (STRING_T_BYTES / 4));
  }

  /** `''` is stored as NULL, like a missing value (Timestream has no empty dimension value). */
  set(row: number, value: string | undefined): void {
    if (value === undefined || value === '') {
      this.validity.setNull(row);
      return;
    }
    const length = value.length;
    const bytes = this.#bytes;
    const at = row * STRING_T_BYTES;
    if (length <= INLINE_STRING_BYTES) {
      let i = 0;
      for (; i < length; i++) {
        const code = value.charCodeAt(i);
        if (code > 0x7f) break;
        bytes[at + 4 + i] = code;
      }
      if (i === length) {
        bytes[at] = length; // little-endian uint32 length < 256
        return;
      }
      bytes.fill(0, at + 4, at + 4 + i);
    }
    // UTF-8 at the end of the heap: a plain copy while the string is ASCII, the encoder otherwise.
    const start = this.#heapUsed;
    const heap = this.#reserve(3 * length);
    let written = 0;
    for (; written < length; written++) {
      const code = value.charCodeAt(written);
      if (code > 0x7f) break;
      heap[start + written] = code;
    }
    if (written < length) written = utf8.encodeInto(value, heap.subarray(start)).written;
    if (written <= INLINE_STRING_BYTES) {
      // Short once encoded after all: inline, and the heap gives the bytes back.
      bytes.set(heap.subarray(start, start + written), at + 4);
      bytes[at] = written;
      return;
    }
    const words = this.#words;
    const word = row * (STRING_T_BYTES / 4);
    words[word] = written;
    bytes.set(heap.subarray(start, start + 4), at + 4); // the prefix DuckDB compares first
    words[word + 2] = start; // an offset in the column's heap until schema.ts makes it an address
    words[word + 3] = 0;
    this.#heapUsed = start + written;
  }

  /** The heap, with room for `bytes` more. */
  #reserve(bytes: number): Uint8Array {
    const needed = this.#heapUsed + bytes;
    if (needed > this.#heap.length) {
      const grown = new Uint8Array(Math.max(needed, 2 * this.#heap.length, 4096));
      grown.set(this.#heap.subarray(0, this.#heapUsed));
      this.#heap = grown;
    }
    return this.#heap;
  }

  /** The column, its long strings copied to `heap` at `heapOffset`. */
  encoded(heap: Uint8Array, heapOffset: number): EncodedColumn {
    heap.set(this.#heap.subarray(0, this.#heapUsed), heapOffset);
    return {
      ...encodedColumn(this.#slot, STRING_T_BYTES, this.validity),
      heapOffset,
      heapBytes: this.#heapUsed,
    };
  }

  get heapBytes(): number {
    return this.#heapUsed;
  }
}

/** The VARCHAR columns of a chunk, their long strings laid out in one heap buffer. */
function encodeVarchars(columns: readonly VarcharColumn[]): { heap: ArrayBuffer; encoded: EncodedColumn[] } {
  const heapBytes = columns.reduce((sum, column) => sum + column.heapBytes, 0);
  const heap = zeroedBuffer(heapBytes);
  const bytes = new Uint8Array(heap, 0, heapBytes);
  let offset = 0;
  const encoded = columns.map((column) => {
    const done = column.encoded(bytes, offset);
    offset += done.heapBytes;
    return done;
  });
  return { heap, encoded };
}

/** A BIGINT or TIMESTAMP column as pairs of 32-bit words (no bigint allocated per value). */
class Int64Column {
  readonly validity: Validity;
  readonly #slot: ColumnSlot;
  readonly #words: Int32Array;
  #bigints: BigInt64Array | null = null;

  constructor(slot: ColumnSlot) {
    this.#slot = slot;
    this.validity = new Validity(slot);
    this.#words = new Int32Array(slot.buffer, slot.offset, slot.rows * 2);
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
    this.#bigints ??= new BigInt64Array(this.#slot.buffer, this.#slot.offset, this.#slot.rows);
    this.#bigints[row] = value;
  }

  encoded(): EncodedColumn {
    return encodedColumn(this.#slot, 8, this.validity);
  }
}

class NumberColumn {
  readonly validity: Validity;
  readonly #slot: ColumnSlot;
  readonly #values: Float64Array | Int32Array;

  constructor(slot: ColumnSlot, kind: 'double' | 'integer') {
    this.#slot = slot;
    this.validity = new Validity(slot);
    this.#values =
      kind === 'double'
        ? new Float64Array(slot.buffer, slot.offset, slot.rows)
        : new Int32Array(slot.buffer, slot.offset, slot.rows);
  }

  set(row: number, value: number | undefined): void {
    if (value === undefined) this.validity.setNull(row);
    else this.#values[row] = value;
  }

  encoded(): EncodedColumn {
    return encodedColumn(this.#slot, this.#values.BYTES_PER_ELEMENT, this.validity);
  }
}

/** events[start, end) as one data chunk's columns. */
function encodeChunk(events: readonly UsageEvent[], start: number, end: number): EncodedEventChunk {
  const rows = end - start;
  const layout = chunkLayout(rows);
  const buffer = zeroedBuffer(layout.bytes);
  let next = 0;
  const slot = (): ColumnSlot => {
    const c = next++;
    return { buffer, offset: layout.data[c] as number, validityOffset: layout.validity[c] as number, rows };
  };
  const ids = new VarcharColumn(slot());
  const time = new Int64Column(slot());
  const types = new VarcharColumn(slot());
  const dimensions: Record<StringDimension, VarcharColumn> = {
    operatorId: new VarcharColumn(slot()),
    accountId: new VarcharColumn(slot()),
    projectId: new VarcharColumn(slot()),
    apiKeyId: new VarcharColumn(slot()),
    connectorId: new VarcharColumn(slot()),
    service: new VarcharColumn(slot()),
    endpoint: new VarcharColumn(slot()),
    category: new VarcharColumn(slot()),
    method: new VarcharColumn(slot()),
    model: new VarcharColumn(slot()),
    status: new VarcharColumn(slot()),
  };
  const statusCode = new NumberColumn(slot(), 'integer');
  const latency = new NumberColumn(slot(), 'double');
  const integers: Record<IntegerMeasure, Int64Column> = {
    bytes: new Int64Column(slot()),
    inputTokens: new Int64Column(slot()),
    outputTokens: new Int64Column(slot()),
    segments: new Int64Column(slot()),
    storageBytes: new Int64Column(slot()),
  };
  const units = new NumberColumn(slot(), 'double');
  const cost = new Int64Column(slot());

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

  const varchars = encodeVarchars([
    ids,
    types,
    ...STRING_DIMENSIONS.map((dimension) => dimensions[dimension]),
  ]);
  const [idColumn, typeColumn, ...dimensionColumns] = varchars.encoded as [EncodedColumn, EncodedColumn];
  return {
    rows,
    buffer,
    heap: varchars.heap,
    columns: [
      idColumn,
      time.encoded(),
      typeColumn,
      ...dimensionColumns,
      statusCode.encoded(),
      latency.encoded(),
      ...INTEGER_MEASURES.map((measure) => integers[measure].encoded()),
      units.encoded(),
      cost.encoded(),
    ],
  };
}

/** Storable events (invalidEventReason passed) as data chunks of up to ENCODED_CHUNK_ROWS rows. */
export function encodeEvents(events: readonly UsageEvent[]): EncodedEventChunk[] {
  const chunks: EncodedEventChunk[] = [];
  for (let start = 0; start < events.length; start += ENCODED_CHUNK_ROWS) {
    chunks.push(encodeChunk(events, start, Math.min(events.length, start + ENCODED_CHUNK_ROWS)));
  }
  return chunks;
}

/** The buffers of encoded chunks, to transfer them to another thread instead of copying them. */
export function transferables(chunks: readonly EncodedEventChunk[]): ArrayBuffer[] {
  return chunks.flatMap((chunk) => [chunk.buffer, chunk.heap]);
}

const isValid = (validity: Uint32Array, row: number) =>
  ((validity[row >>> 5] as number) & (1 << (row & 31))) !== 0;

/** The given rows (ascending) of one chunk, as a chunk of their own. */
function selectChunkRows(chunk: EncodedEventChunk, rows: readonly number[]): EncodedEventChunk {
  const layout = chunkLayout(rows.length);
  const buffer = new ArrayBuffer(layout.bytes);
  const from = new Uint8Array(chunk.buffer);
  const to = new Uint8Array(buffer);
  const columns = chunk.columns.map((column, c): EncodedColumn => {
    const { width } = column;
    const offset = layout.data[c] as number;
    rows.forEach((row, k) => {
      const source = column.offset + row * width;
      to.set(from.subarray(source, source + width), offset + k * width);
    });
    let validityOffset: number | null = null;
    if (column.validityOffset !== null) {
      validityOffset = layout.validity[c] as number;
      const old = new Uint32Array(chunk.buffer, column.validityOffset, validityBytes(chunk.rows) / 4);
      const words = new Uint32Array(buffer, validityOffset, validityBytes(rows.length) / 4).fill(0xffffffff);
      rows.forEach((row, k) => {
        if (!isValid(old, row)) words[k >>> 5] = (words[k >>> 5] as number) & ~(1 << (k & 31));
      });
    }
    // Slots keep their offsets into the same heap (strings of rows left out stay in it unused).
    return { width, offset, validityOffset, heapOffset: column.heapOffset, heapBytes: column.heapBytes };
  });
  return { rows: rows.length, buffer, heap: chunk.heap, columns };
}

/** The rows of `chunks` flagged in `stored` (indexed across the chunks, in order). */
export function selectStoredRows(
  chunks: readonly EncodedEventChunk[],
  stored: Uint8Array,
): EncodedEventChunk[] {
  const selected: EncodedEventChunk[] = [];
  let base = 0;
  for (const chunk of chunks) {
    const rows: number[] = [];
    for (let row = 0; row < chunk.rows; row++) if (stored[base + row] === 1) rows.push(row);
    if (rows.length === chunk.rows) selected.push(chunk);
    else if (rows.length > 0) selected.push(selectChunkRows(chunk, rows));
    base += chunk.rows;
  }
  return selected;
}

/** A write's events sorted out before it reaches the store: what to store, and what it refused. */
export interface PreparedEventWrite {
  /** Storable events, the first of each id, in order. */
  candidates: readonly UsageEvent[];
  rejected: WriteOutcome['rejected'];
  /** The candidates encoded, as the store's writeEncoded takes them. */
  batch: EncodedEventBatch;
}

export const INVALID_EVENT = 'INVALID_EVENT';

/** The call's storable events (first of each id), encoded, and the refused ones. */
export function prepareEventWrite(events: readonly UsageEvent[]): PreparedEventWrite {
  const rejected: WriteOutcome['rejected'] = [];
  const candidates: UsageEvent[] = [];
  const inCall = new Set<string>();
  for (const event of events) {
    if (inCall.has(event.id)) continue; // a repeat within the call is reported as a duplicate
    inCall.add(event.id);
    const reason = invalidEventReason(event);
    if (reason === null) candidates.push(event);
    else rejected.push({ id: event.id, code: INVALID_EVENT, detail: reason });
  }
  const batch = { ids: candidates.map((e) => e.id), chunks: encodeEvents(candidates) };
  return { candidates, rejected, batch };
}

/** What the call did with each of its events, in its order, given which candidates were stored. */
export function writeOutcome(
  events: readonly UsageEvent[],
  prepared: PreparedEventWrite,
  stored: StoredRows,
): WriteOutcome {
  const { candidates, rejected } = prepared;
  if (stored === 'all' && candidates.length === events.length) {
    // Every event of the call was new, storable and unique in it: all accepted, in order.
    return { accepted: candidates.map((e) => e.id), duplicates: [], rejected };
  }
  const storedIds = new Set<string>();
  candidates.forEach((event, i) => {
    if (stored === 'all' || stored[i] === 1) storedIds.add(event.id);
  });
  const outcome: WriteOutcome = { accepted: [], duplicates: [], rejected };
  const rejectedIds = new Set(rejected.map((r) => r.id));
  const reported = new Set<string>();
  for (const { id } of events) {
    if (reported.has(id)) {
      outcome.duplicates.push(id); // repeated within the call
      continue;
    }
    reported.add(id);
    if (!rejectedIds.has(id)) (storedIds.has(id) ? outcome.accepted : outcome.duplicates).push(id);
  }
  return outcome;
}
