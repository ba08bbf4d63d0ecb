import { resolve } from 'node:path';
import {
  type DuckDBAppender,
  type DuckDBConnection,
  DuckDBInstance,
  type DuckDBPreparedStatement,
  type DuckDBResult,
  LIST,
  VARCHAR,
} from '@duckdb/node-api';
import type { TimeSeriesStore, WriteOutcome } from '#lib/domain/ports/time-series.ts';
import type { UsageEvent } from '../../domain/events.ts';
import { EVENT_ID_COLUMN, TENANT_COLUMN } from '../../query/columns.ts';
import { compileQuery, shapeRows } from '../../query/compile.ts';
import { type Dialect, duckdbDialect } from '../../query/dialect.ts';
import type { QueryRow, QuerySpec } from '../../query/spec.ts';
import { quoteIdentifier as q } from '../../query/sql.ts';
import {
  type EncodedEventBatch,
  INVALID_EVENT,
  prepareEventWrite,
  type StoredRows,
  selectStoredRows,
  writeOutcome,
} from './event-encoding.ts';
import { appendEncodedEvents, DUCKDB_SETTINGS, EVENTS_DDL, EVENTS_TABLE } from './schema.ts';
import { HashedIdSet, idHashes, joinedIdHashes, StoredIdFilter } from './stored-id-filter.ts';

export { INVALID_EVENT };

/** Test seam: lets a test fail a write at the last moment, inside its transaction. */
export interface DuckDbWriteFaults {
  /**
   * Called after the batch's new events are appended and before COMMIT; a throw rolls it all back
   * and fails this write. Writes grouped in the same transaction are then written again, each on
   * its own (their hook is called again).
   */
  beforeCommit?(batch: { tenantId: string; ids: readonly string[] }): void | Promise<void>;
}

export interface DuckDbTimeSeriesStoreOptions {
  /** A database file, or ':memory:'. */
  path: string;
  faults?: DuckDbWriteFaults;
  /** Ids the stored-id filter's first layer holds (default 1,000,000, 4 MiB; it grows in layers); tests shrink it. */
  idFilterCapacity?: number;
  /** Rows the filter's rebuild reads per query when the store opens (default 1,048,576); tests shrink it. */
  idRebuildRangeRows?: number;
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

/**
 * Claims a database file for a store of this process; returns the release. DuckDB's file lock is
 * per process, so this is what keeps a second store off the file. Module state is per thread: a
 * store opened in another thread (threaded-store.ts) is claimed by the thread that starts it.
 */
export function claimStoreFile(path: string): () => void {
  if (path === ':memory:') return () => undefined;
  const fileKey = resolve(path);
  if (openFiles.has(fileKey)) throw new DuckDbFileLockedError(path);
  openFiles.add(fileKey);
  return () => openFiles.delete(fileKey);
}

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
/** Which of the given ids the tenant already has: one hash join over a scan of the stored ids. */
const FIND_STORED_IDS =
  `SELECT ${EVENT_ID} FROM ${q(EVENTS_TABLE)} ` +
  `WHERE ${TENANT} = $tenant AND ${EVENT_ID} IN (SELECT unnest(${BATCH_IDS}))`;
/**
 * Every stored id with its tenant, to rebuild the stored-id filter, read in rowid ranges of
 * idRebuildRangeRows (DuckDB skips to a range, and holds one range's ids at a time): newline-joined,
 * one string per tenant and run of ID_RUN_ROWS rows, because DuckDB hands each string to
 * JavaScript at ~1.7 µs whatever its length (a 10M-event file took 45 s to open reading ids one by
 * one, ~7 s now). Ids that hold a newline themselves come one by one (STORED_IDS_WITH_NEWLINES).
 */
const ID_RUN_ROWS = 65_536;
const DEFAULT_ID_RANGE_ROWS = 16 * ID_RUN_ROWS;
const ROWID_BOUND = `SELECT count(*), coalesce(max(rowid) + 1, 0) FROM ${q(EVENTS_TABLE)}`;
const STORED_ID_RUNS =
  `SELECT ${TENANT}, string_agg(${EVENT_ID}, chr(10)) FROM ${q(EVENTS_TABLE)} ` +
  `WHERE rowid >= $from AND rowid < $to AND NOT contains(${EVENT_ID}, chr(10)) ` +
  `GROUP BY ${TENANT}, rowid // ${ID_RUN_ROWS}`;
const STORED_IDS_WITH_NEWLINES = `SELECT ${TENANT}, ${EVENT_ID} FROM ${q(EVENTS_TABLE)} WHERE contains(${EVENT_ID}, chr(10))`;
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

/** One write waiting for the writer: a call's storable events, encoded. */
interface PendingWrite {
  tenantId: string;
  batch: EncodedEventBatch;
  /** The ids' hash pairs for the stored-id filter (idHashes). */
  halves: Uint32Array;
  resolve(stored: StoredRows): void;
  reject(error: unknown): void;
}

const storedIds = (ids: readonly string[], stored: StoredRows): readonly string[] =>
  stored === 'all' ? ids : ids.filter((_, i) => stored[i] === 1);

/** The beforeCommit fault of one write of a group: that write fails, the others are retried alone. */
class WriteHookFailure extends Error {
  readonly write: PendingWrite;

  constructor(write: PendingWrite, cause: unknown) {
    super('beforeCommit failed', { cause });
    this.write = write;
  }
}

/** Writes waiting together go into one transaction up to this many events (one COMMIT, one fsync). */
const MAX_GROUP_EVENTS = 16_384;

/**
 * The time-series port on an embedded DuckDB database (local runtime and tests).
 *
 * Exactly-once per (tenant, event id): writes are serialized in this process (one writer
 * connection, one write group at a time). Each call has its ids hashed as it arrives (in
 * JavaScript, microseconds a batch); an in-memory filter of stored ids (stored-id-filter.ts)
 * says which of them might be stored, and only those are looked up with one join (it scans every
 * stored id, so ids the filter has certainly never seen skip it). Calls waiting for the writer
 * are written together in one transaction (group commit: one COMMIT and one WAL sync for all of
 * them, each call still answered only after that COMMIT); the new events go through the typed
 * Appender in data chunks, encoded by the caller's thread (event-encoding.ts: writeEvents here,
 * or writeEncoded from another thread through store-channel.ts). Within a group, a later call sees the ids of
 * the earlier ones exactly as if it had run after them. Any failure rolls the transaction back,
 * so nothing of a failed call is stored or counted as seen; the other calls of a failed group
 * are written again one by one, each with its own outcome. The filter learns ids only after
 * COMMIT. Queries run on their own connections and see committed data only.
 */
export class DuckDbTimeSeriesStore implements TimeSeriesStore {
  readonly #instance: DuckDBInstance;
  readonly #writer: DuckDBConnection;
  /** Prepared once on the writer connection (FIND_STORED_IDS). */
  readonly #findStored: DuckDBPreparedStatement;
  readonly #dialect: Dialect;
  readonly #faults: DuckDbWriteFaults | undefined;
  /** Gives up this process's claim on the file (claimStoreFile). */
  readonly #releaseFile: () => void;
  readonly #idFilterCapacity: number;
  readonly #idRebuildRangeRows: bigint;
  #storedIds: StoredIdFilter;
  readonly #idleReaders: DuckDBConnection[] = [];
  readonly #reads = new Set<Promise<unknown>>();
  readonly #pending: PendingWrite[] = [];
  #draining: Promise<void> | null = null;
  #closed = false;

  private constructor(
    instance: DuckDBInstance,
    writer: DuckDBConnection,
    findStored: DuckDBPreparedStatement,
    releaseFile: () => void,
    options: DuckDbTimeSeriesStoreOptions,
  ) {
    this.#instance = instance;
    this.#writer = writer;
    this.#findStored = findStored;
    this.#releaseFile = releaseFile;
    this.#faults = options.faults;
    this.#idFilterCapacity = options.idFilterCapacity ?? DEFAULT_ID_FILTER_CAPACITY;
    this.#idRebuildRangeRows = BigInt(
      Math.max(1, Math.floor(options.idRebuildRangeRows ?? DEFAULT_ID_RANGE_ROWS)),
    );
    this.#storedIds = new StoredIdFilter(this.#idFilterCapacity);
    this.#dialect = duckdbDialect(EVENTS_TABLE);
  }

  static async open(options: DuckDbTimeSeriesStoreOptions): Promise<DuckDbTimeSeriesStore> {
    const { path } = options;
    const release = claimStoreFile(path);
    let instance: DuckDBInstance | undefined;
    try {
      instance = await DuckDBInstance.create(path, { ...DUCKDB_SETTINGS });
      const writer = await instance.connect();
      await writer.run(EVENTS_DDL);
      const findStored = await writer.prepare(FIND_STORED_IDS);
      const store = new DuckDbTimeSeriesStore(instance, writer, findStored, release, options);
      store.#storedIds = await store.#loadStoredIds();
      return store;
    } catch (error) {
      instance?.closeSync();
      release();
      if (isLockError(error)) throw new DuckDbFileLockedError(path, error);
      throw error;
    }
  }

  /** Queued behind earlier writes; a write queued before close() still completes. */
  async writeEvents(tenantId: string, events: readonly UsageEvent[]): Promise<WriteOutcome> {
    const prepared = prepareEventWrite(events);
    return writeOutcome(events, prepared, await this.writeEncoded(tenantId, prepared.batch));
  }

  /**
   * writeEvents for a call whose events were prepared and encoded already (prepareEventWrite),
   * e.g. in another thread (store-channel.ts): which of the batch's rows it stored.
   */
  writeEncoded(tenantId: string, batch: EncodedEventBatch): Promise<StoredRows> {
    if (this.#closed) return Promise.reject(closedError());
    if (typeof tenantId !== 'string' || tenantId === '') {
      return Promise.reject(new Error('writeEvents needs a tenant id'));
    }
    const halves = idHashes(tenantId, batch.ids);
    return new Promise<StoredRows>((resolve, reject) => {
      this.#pending.push({ tenantId, batch, halves, resolve, reject });
      this.#drain();
    });
  }

  /** Runs the writer until no write waits (one group at a time, in arrival order). */
  #drain(): void {
    if (this.#draining) return;
    this.#draining = (async () => {
      while (this.#pending.length > 0) {
        const group = this.#takeGroup();
        await this.#writeGroup(group).catch((error: unknown) => {
          for (const write of group) write.reject(error); // no-op for the writes already answered
        });
      }
    })().finally(() => {
      this.#draining = null;
      if (this.#pending.length > 0) this.#drain();
    });
  }

  /** The writes waiting now, in order, up to MAX_GROUP_EVENTS events (at least one write). */
  #takeGroup(): PendingWrite[] {
    let events = 0;
    let count = 0;
    for (const write of this.#pending) {
      if (count > 0 && events + write.batch.ids.length > MAX_GROUP_EVENTS) break;
      events += write.batch.ids.length;
      count++;
    }
    return this.#pending.splice(0, count);
  }

  /** Writes a group and settles each of its calls; never throws. */
  async #writeGroup(group: readonly PendingWrite[]): Promise<void> {
    const ready: PendingWrite[] = [];
    for (const write of group) {
      // Nothing storable (every event refused or repeated): no transaction.
      if (write.batch.ids.length === 0) write.resolve('all');
      else ready.push(write);
    }
    if (ready.length === 0) return;
    try {
      const fresh = await this.#store(ready);
      ready.forEach((write, i) => {
        write.resolve(fresh[i] as StoredRows);
      });
      return;
    } catch (error) {
      if (ready.length === 1) {
        (ready[0] as PendingWrite).reject(error instanceof WriteHookFailure ? error.cause : error);
        return;
      }
      // The write whose beforeCommit failed fails; every other one is written again on its own.
      const culprit = error instanceof WriteHookFailure ? error : null;
      for (const write of ready) {
        if (write === culprit?.write) write.reject(culprit.cause);
        else await this.#writeAlone(write);
      }
    }
  }

  /** A write of a failed group, again in a transaction of its own. */
  async #writeAlone(write: PendingWrite): Promise<void> {
    try {
      const [fresh] = await this.#store([write]);
      write.resolve(fresh as StoredRows);
    } catch (error) {
      write.reject(error instanceof WriteHookFailure ? error.cause : error);
    }
  }

  /**
   * One transaction for the group: returns, per write, which of its rows it stored (the others were
   * stored before, or by an earlier write of the group).
   */
  async #store(writes: readonly PendingWrite[]): Promise<StoredRows[]> {
    const connection = this.#writer;
    // Ids the filter may have seen (those alone pay for the join over every stored id).
    const maybeStored = writes.map(({ batch, halves }) =>
      batch.ids.filter((_, i) =>
        this.#storedIds.mightContain(halves[2 * i] as number, halves[2 * i + 1] as number),
      ),
    );
    const fresh: StoredRows[] = [];
    await connection.run('BEGIN TRANSACTION');
    try {
      /** Ids taken by earlier writes of the group: not in the filter nor the table yet. */
      const earlier =
        writes.length > 1 ? new HashedIdSet(writes.reduce((n, w) => n + w.batch.ids.length, 0)) : null;
      for (const [i, write] of writes.entries()) {
        const { tenantId, halves } = write;
        const { ids } = write.batch;
        const maybe = maybeStored[i] as string[];
        const stored = maybe.length > 0 ? await this.#storedOf(tenantId, maybe) : null;
        let mine: StoredRows = 'all';
        if ((stored && stored.size > 0) || (earlier && earlier.size > 0)) {
          const rows = new Uint8Array(ids.length);
          for (let j = 0; j < ids.length; j++) {
            const id = ids[j] as string;
            if (stored?.has(id)) continue;
            if (earlier?.has(tenantId, id, halves[2 * j] as number, halves[2 * j + 1] as number)) continue;
            rows[j] = 1;
          }
          mine = rows;
        }
        fresh.push(mine);
        if (earlier) {
          for (let j = 0; j < ids.length; j++) {
            if (mine !== 'all' && mine[j] !== 1) continue;
            earlier.add(tenantId, ids[j] as string, halves[2 * j] as number, halves[2 * j + 1] as number);
          }
        }
      }
      const appends = writes.map((write, i) => {
        const mine = fresh[i] as StoredRows;
        return mine === 'all' ? write.batch.chunks : selectStoredRows(write.batch.chunks, mine);
      });
      if (appends.some((chunks) => chunks.length > 0)) {
        await this.#append(connection, EVENTS_TABLE, null, (appender) => {
          writes.forEach((write, i) => {
            appendEncodedEvents(appender, write.tenantId, appends[i] as EncodedEventBatch['chunks']);
          });
        });
      }
      for (const [i, write] of writes.entries()) {
        try {
          await this.#faults?.beforeCommit?.({
            tenantId: write.tenantId,
            ids: storedIds(write.batch.ids, fresh[i] as StoredRows),
          });
        } catch (cause) {
          throw new WriteHookFailure(write, cause);
        }
      }
      await connection.run('COMMIT');
    } catch (error) {
      await connection.run('ROLLBACK').catch(() => undefined);
      throw error;
    }
    // Committed: only now does the filter learn these ids.
    writes.forEach(({ halves }, i) => {
      const mine = fresh[i] as StoredRows;
      this.#storedIds.addHashes(halves, mine === 'all' ? undefined : mine);
    });
    return fresh;
  }

  /** Which of `ids` the tenant already has (one join over every stored id). */
  async #storedOf(tenantId: string, ids: readonly string[]): Promise<Set<string>> {
    const statement = this.#findStored;
    statement.bindVarchar(statement.parameterIndex('tenant'), tenantId);
    bindIds(statement, ids);
    const [found = []] = (await statement.runAndReadAll()).getColumns();
    return new Set(found.map(String));
  }

  /** A filter holding every stored id, with room for as many again (read once, when the store opens). */
  async #loadStoredIds(): Promise<StoredIdFilter> {
    const [stored = 0n, rowidBound = 0n] = (
      await this.#writer.runAndReadAll(ROWID_BOUND)
    ).getRows()[0] as bigint[];
    const filter = new StoredIdFilter(Math.max(this.#idFilterCapacity, 2 * Number(stored)));
    const addRows = async (result: DuckDBResult, hash: (tenant: string, text: string) => Uint32Array) => {
      for (
        let chunk = await result.fetchChunk();
        chunk && chunk.rowCount > 0;
        chunk = await result.fetchChunk()
      ) {
        const [tenants = [], texts = []] = chunk.getColumns() as string[][];
        for (let row = 0; row < texts.length; row++)
          filter.addHashes(hash(tenants[row] as string, texts[row] as string));
      }
    };
    const runs = await this.#writer.prepare(STORED_ID_RUNS);
    try {
      const range = this.#idRebuildRangeRows;
      for (let from = 0n; from < rowidBound; from += range) {
        runs.bindBigInt(runs.parameterIndex('from'), from);
        runs.bindBigInt(runs.parameterIndex('to'), from + range);
        await addRows(await runs.stream(), (tenant, joined) => joinedIdHashes(tenant, joined, '\n'));
      }
    } finally {
      runs.destroySync();
    }
    await addRows(await this.#writer.stream(STORED_IDS_WITH_NEWLINES), (tenant, id) =>
      idHashes(tenant, [id]),
    );
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
    while (this.#draining) await this.#draining;
    await Promise.allSettled([...this.#reads]);
    for (const connection of this.#idleReaders.splice(0)) connection.closeSync();
    this.#findStored.destroySync();
    this.#writer.closeSync();
    this.#instance.closeSync();
    this.#releaseFile();
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
