import { resolve } from 'node:path';
import {
  type DuckDBAppender,
  type DuckDBConnection,
  DuckDBInstance,
  DuckDBListValue,
  type DuckDBPreparedStatement,
  LIST,
  VARCHAR,
} from '@duckdb/node-api';
import type { UsageEvent } from '../../domain/events.ts';
import { EVENT_ID_COLUMN, TENANT_COLUMN } from '../../query/columns.ts';
import { compileQuery, shapeRows } from '../../query/compile.ts';
import { type Dialect, duckdbDialect } from '../../query/dialect.ts';
import type { QueryRow, QuerySpec } from '../../query/spec.ts';
import { quoteIdentifier as q } from '../../query/sql.ts';
import type { TimeSeriesStore, WriteOutcome } from '../time-series.ts';
import { appendEvents, EVENTS_DDL, EVENTS_TABLE, invalidEventReason } from './schema.ts';
import { StoredIdFilter } from './stored-id-filter.ts';

export const INVALID_EVENT = 'INVALID_EVENT';

/** Test seam: lets a test fail a write at the last moment, inside its transaction. */
export interface DuckDbWriteFaults {
  /** Called after the batch's new events are appended and before COMMIT; a throw rolls it all back. */
  beforeCommit?(batch: { tenantId: string; ids: readonly string[] }): void | Promise<void>;
}

export interface DuckDbTimeSeriesStoreOptions {
  /** A database file, or ':memory:'. */
  path: string;
  faults?: DuckDbWriteFaults;
  /** Minimum capacity of the in-memory stored-id filter (default 1,000,000 ids, 3 MB); tests shrink it. */
  idFilterCapacity?: number;
}

/** The DuckDB file is held by another process (DuckDB allows one writer process per file). */
export class DuckDbFileLockedError extends Error {
  readonly path: string;

  constructor(path: string, cause?: unknown) {
    super(
      `Another Meterhouse process (e.g. \`npm start\`) holds the DuckDB file ${path}. ` +
        'Only one process may open it at a time: stop that process, or give this one another data directory.',
      cause === undefined ? undefined : { cause },
    );
    this.name = 'DuckDbFileLockedError';
    this.path = path;
  }
}

/** Files opened by a store in this process. DuckDB's file lock is per process, so it would let a second store in. */
const openFiles = new Set<string>();

function isLockError(error: unknown): boolean {
  return error instanceof Error && /could not set lock|conflicting lock/i.test(error.message);
}

const closedError = () => new Error('The DuckDB time-series store is closed');

const MAX_IDLE_READERS = 4;
const DEFAULT_ID_FILTER_CAPACITY = 1_000_000;
const EVENT_ID = q(EVENT_ID_COLUMN);
const TENANT = q(TENANT_COLUMN);
/**
 * A batch's ids reach DuckDB as one parameter: joined by newlines and split by DuckDB (one bind,
 * whatever the batch size), or, when an id holds a newline itself, as a list (one value per id).
 */
const BATCH_IDS = `coalesce($list::VARCHAR[], string_split($joined::VARCHAR, chr(10)))`;
/**
 * DuckDB's hash of (tenant, id) as two 32-bit halves, for the stored-id filter: one list of
 * [high, low, high, low, …] in the order of the ids (a list keeps its order; rows would not have to).
 */
const HASH_BATCH_IDS =
  'SELECT flatten(list_transform(ids, id -> [(hash(tenant, id) >> 32)::UINTEGER, (hash(tenant, id) & 4294967295)::UINTEGER])) ' +
  `FROM (SELECT $tenant::VARCHAR AS tenant, ${BATCH_IDS} AS ids)`;
/** Which of the given ids the tenant already has: one hash join over a scan of the stored ids. */
const FIND_STORED_IDS =
  `SELECT ${EVENT_ID} FROM ${q(EVENTS_TABLE)} ` +
  `WHERE ${TENANT} = $tenant AND ${EVENT_ID} IN (SELECT unnest(${BATCH_IDS}))`;
const hashHalves = (tenant: string) =>
  `(hash(${tenant}, ${EVENT_ID}) >> 32)::UINTEGER, (hash(${tenant}, ${EVENT_ID}) & 4294967295)::UINTEGER`;
const HASH_STORED_IDS = `SELECT ${hashHalves(TENANT)} FROM ${q(EVENTS_TABLE)}`;
const VARCHAR_LIST = LIST(VARCHAR);

/** Binds a batch's ids as BATCH_IDS expects them. */
function bindIds(statement: DuckDBPreparedStatement, ids: readonly string[]): void {
  const list = statement.parameterIndex('list');
  const joined = statement.parameterIndex('joined');
  if (ids.some((id) => id.includes('\n'))) {
    statement.bindList(list, ids, VARCHAR_LIST);
    statement.bindVarchar(joined, '');
  } else {
    statement.bindNull(list);
    statement.bindVarchar(joined, ids.join('\n'));
  }
}

/**
 * The time-series port on an embedded DuckDB database (local runtime and tests).
 *
 * Exactly-once per (tenant, event id): writes are serialized in this process (one writer
 * connection behind a promise queue). Each batch has its ids hashed by DuckDB in one statement;
 * an in-memory filter of stored ids (stored-id-filter.ts) says which of them might be stored, and
 * only those are looked up with one join (it scans every stored id, so a batch of ids the filter
 * has certainly never seen skips it). Then one transaction appends the new events through the
 * typed Appender in data chunks (schema.ts appendEvents) and commits. Any failure rolls the
 * transaction back, so nothing of a failed batch is stored or counted as seen; the filter learns
 * ids only after COMMIT. Queries run on their own connections and see committed data only.
 */
export class DuckDbTimeSeriesStore implements TimeSeriesStore {
  readonly #instance: DuckDBInstance;
  readonly #writer: DuckDBConnection;
  /** Prepared once on the writer connection (see HASH_BATCH_IDS and FIND_STORED_IDS). */
  readonly #hashIds: DuckDBPreparedStatement;
  readonly #findStored: DuckDBPreparedStatement;
  readonly #dialect: Dialect;
  readonly #faults: DuckDbWriteFaults | undefined;
  readonly #fileKey: string | null;
  readonly #idFilterCapacity: number;
  #storedIds: StoredIdFilter;
  readonly #idleReaders: DuckDBConnection[] = [];
  readonly #reads = new Set<Promise<unknown>>();
  #writes: Promise<unknown> = Promise.resolve();
  #closed = false;

  private constructor(
    instance: DuckDBInstance,
    writer: DuckDBConnection,
    statements: { hashIds: DuckDBPreparedStatement; findStored: DuckDBPreparedStatement },
    fileKey: string | null,
    options: DuckDbTimeSeriesStoreOptions,
  ) {
    this.#instance = instance;
    this.#writer = writer;
    this.#hashIds = statements.hashIds;
    this.#findStored = statements.findStored;
    this.#fileKey = fileKey;
    this.#faults = options.faults;
    this.#idFilterCapacity = options.idFilterCapacity ?? DEFAULT_ID_FILTER_CAPACITY;
    this.#storedIds = new StoredIdFilter(this.#idFilterCapacity);
    this.#dialect = duckdbDialect(EVENTS_TABLE);
  }

  static async open(options: DuckDbTimeSeriesStoreOptions): Promise<DuckDbTimeSeriesStore> {
    const { path } = options;
    const fileKey = path === ':memory:' ? null : resolve(path);
    if (fileKey !== null && openFiles.has(fileKey)) throw new DuckDbFileLockedError(path);
    if (fileKey !== null) openFiles.add(fileKey);
    let instance: DuckDBInstance | undefined;
    try {
      instance = await DuckDBInstance.create(path);
      const writer = await instance.connect();
      await writer.run(EVENTS_DDL);
      const statements = {
        hashIds: await writer.prepare(HASH_BATCH_IDS),
        findStored: await writer.prepare(FIND_STORED_IDS),
      };
      const store = new DuckDbTimeSeriesStore(instance, writer, statements, fileKey, options);
      store.#storedIds = await store.#loadStoredIds();
      return store;
    } catch (error) {
      instance?.closeSync();
      if (fileKey !== null) openFiles.delete(fileKey);
      if (isLockError(error)) throw new DuckDbFileLockedError(path, error);
      throw error;
    }
  }

  /** Queued behind earlier writes; a write queued before close() still completes. */
  writeEvents(tenantId: string, events: readonly UsageEvent[]): Promise<WriteOutcome> {
    if (this.#closed) return Promise.reject(closedError());
    const write = this.#writes.then(() => this.#write(tenantId, events));
    this.#writes = write.catch(() => undefined);
    return write;
  }

  async #write(tenantId: string, events: readonly UsageEvent[]): Promise<WriteOutcome> {
    if (typeof tenantId !== 'string' || tenantId === '') throw new Error('writeEvents needs a tenant id');
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
    const stored = candidates.length > 0 ? await this.#store(tenantId, candidates) : new Set<string>();

    const outcome: WriteOutcome = { accepted: [], duplicates: [], rejected };
    const rejectedIds = new Set(rejected.map((r) => r.id));
    const reported = new Set<string>();
    for (const { id } of events) {
      if (reported.has(id)) {
        outcome.duplicates.push(id); // repeated within the call
        continue;
      }
      reported.add(id);
      if (!rejectedIds.has(id)) (stored.has(id) ? outcome.accepted : outcome.duplicates).push(id);
    }
    return outcome;
  }

  /** One transaction: returns the ids it stored (the others were stored before). */
  async #store(tenantId: string, events: readonly UsageEvent[]): Promise<Set<string>> {
    const connection = this.#writer;
    const ids = events.map((e) => e.id);
    const halves = await this.#hashBatch(tenantId, ids);
    const maybeStored = ids.filter((_, i) =>
      this.#storedIds.mightContain(halves[2 * i] as number, halves[2 * i + 1] as number),
    );
    let stored = new Set<string>();
    let fresh = events;
    await connection.run('BEGIN TRANSACTION');
    try {
      // Only ids the filter may have seen pay for the join over every stored id.
      if (maybeStored.length > 0) {
        stored = await this.#storedOf(tenantId, maybeStored);
        if (stored.size > 0) fresh = events.filter((e) => !stored.has(e.id));
      }
      if (fresh.length > 0) {
        await this.#append(connection, EVENTS_TABLE, null, (appender) =>
          appendEvents(appender, tenantId, fresh),
        );
      }
      await this.#faults?.beforeCommit?.({ tenantId, ids: fresh.map((e) => e.id) });
      await connection.run('COMMIT');
    } catch (error) {
      await connection.run('ROLLBACK').catch(() => undefined);
      throw error;
    }
    // Committed: only now does the filter learn these ids.
    for (let i = 0; i < ids.length; i++) {
      if (!stored.has(ids[i] as string))
        this.#storedIds.add(halves[2 * i] as number, halves[2 * i + 1] as number);
    }
    if (this.#storedIds.overfull) {
      // A failed rebuild keeps the current filter, which still holds every id (only less sharply).
      this.#storedIds = await this.#loadStoredIds().catch(() => this.#storedIds);
    }
    return stored.size === 0 ? new Set(ids) : new Set(fresh.map((e) => e.id));
  }

  /** DuckDB's hash(tenant, id) of each id as [high, low, high, low, …] 32-bit halves, in order. */
  async #hashBatch(tenantId: string, ids: readonly string[]): Promise<readonly number[]> {
    const statement = this.#hashIds;
    statement.bindVarchar(statement.parameterIndex('tenant'), tenantId);
    bindIds(statement, ids);
    const value = (await statement.runAndReadAll()).getColumns()[0]?.[0];
    const halves = value instanceof DuckDBListValue ? (value.items as readonly number[]) : [];
    if (halves.length !== 2 * ids.length) {
      throw new Error(`Hashing ${ids.length} event ids gave ${halves.length / 2} hashes`);
    }
    return halves;
  }

  /** Which of `ids` the tenant already has (one join over every stored id). */
  async #storedOf(tenantId: string, ids: readonly string[]): Promise<Set<string>> {
    const statement = this.#findStored;
    statement.bindVarchar(statement.parameterIndex('tenant'), tenantId);
    bindIds(statement, ids);
    const [found = []] = (await statement.runAndReadAll()).getColumns();
    return new Set(found.map(String));
  }

  /** A filter holding every stored id, with room for as many again (on the writer, between writes). */
  async #loadStoredIds(): Promise<StoredIdFilter> {
    const counted = await this.#writer.runAndReadAll(`SELECT count(*) FROM ${q(EVENTS_TABLE)}`);
    const stored = Number(counted.getColumns()[0]?.[0] ?? 0);
    const filter = new StoredIdFilter(Math.max(this.#idFilterCapacity, 2 * stored));
    const result = await this.#writer.stream(HASH_STORED_IDS);
    for (
      let chunk = await result.fetchChunk();
      chunk && chunk.rowCount > 0;
      chunk = await result.fetchChunk()
    ) {
      const highs = chunk.getColumnVector(0);
      const lows = chunk.getColumnVector(1);
      for (let i = 0; i < chunk.rowCount; i++) filter.add(Number(highs.getItem(i)), Number(lows.getItem(i)));
    }
    return filter;
  }

  /**
   * Appends through the typed Appender inside the open transaction. On failure the appender's
   * unflushed rows are cleared before it is closed: closing (or collecting) an appender flushes
   * it, and after the ROLLBACK that flush would land outside the transaction.
   */
  async #append(
    connection: DuckDBConnection,
    table: string,
    catalog: 'temp' | null,
    fill: (appender: DuckDBAppender) => void,
  ): Promise<void> {
    const appender = await connection.createAppender(table, catalog === null ? null : 'main', catalog);
    try {
      fill(appender);
      appender.closeSync();
    } catch (error) {
      try {
        appender.clear();
        appender.closeSync();
      } catch {
        // The appender is already unusable; the caller rolls back.
      }
      throw error;
    }
  }

  async query(spec: QuerySpec): Promise<QueryRow[]> {
    const compiled = compileQuery(spec, this.#dialect);
    const rows = await this.#read(async (connection) => {
      const reader = await connection.runAndReadAll(compiled.sql);
      return reader.getRowObjectsJS();
    });
    return shapeRows(compiled, rows);
  }

  async ping(): Promise<void> {
    await this.#read((connection) => connection.run('SELECT 1'));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#writes;
    await Promise.allSettled([...this.#reads]);
    for (const connection of this.#idleReaders.splice(0)) connection.closeSync();
    this.#hashIds.destroySync();
    this.#findStored.destroySync();
    this.#writer.closeSync();
    this.#instance.closeSync();
    if (this.#fileKey !== null) openFiles.delete(this.#fileKey);
  }

  /** Runs `work` on a pooled reader connection; close() waits for reads in flight. */
  #read<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(closedError());
    const read = (async () => {
      const connection = this.#idleReaders.pop() ?? (await this.#instance.connect());
      try {
        return await work(connection);
      } finally {
        if (!this.#closed && this.#idleReaders.length < MAX_IDLE_READERS) this.#idleReaders.push(connection);
        else connection.closeSync();
      }
    })();
    this.#reads.add(read);
    void read.finally(() => this.#reads.delete(read)).catch(() => undefined);
    return read;
  }
}
