import type { TimeSeriesStore, WriteOutcome } from '#lib/domain/ports/time-series.ts';
import type { UsageEvent } from '../../domain/events.ts';
import type { QueryRow, QuerySpec } from '../../query/spec.ts';
import type { TimestreamRow } from './query-result.ts';
import type { TimestreamEventWriter } from './timestream-event-writer.ts';
import type { TimestreamQueryReader } from './timestream-query-reader.ts';

/** The halves a container has: each only where the function's manifest `binds` grant it. */
export interface TimestreamStoreParts {
  /** `timeseries:write`: WriteRecords (and DescribeTable) on the write API, plus the event-id ledger. */
  writer?: TimestreamEventWriter;
  /** `timeseries:read`: Query (and DescribeEndpoints) on the query API. */
  reader?: TimestreamQueryReader;
}

/**
 * The time-series port on Timestream LiveAnalytics, as two halves on two SDK clients: the writer
 * (exactly-once ingest through the event-id ledger, timestream-event-writer.ts) and the reader
 * (compiled specs, paged results, timestream-query-reader.ts). This module imports neither, so a
 * Lambda bundle holds only the halves, and SDK clients, its bindings build (lib/wiring/cloud.ts);
 * calling a missing half is a wiring bug and says which binding is missing.
 */
export class TimestreamTimeSeriesStore implements TimeSeriesStore {
  readonly #parts: TimestreamStoreParts;

  constructor(parts: TimestreamStoreParts) {
    this.#parts = parts;
  }

  async writeEvents(tenantId: string, events: readonly UsageEvent[]): Promise<WriteOutcome> {
    return this.#writer().writeEvents(tenantId, events);
  }

  async query(spec: QuerySpec): Promise<QueryRow[]> {
    return this.#reader().query(spec);
  }

  /** Runs one SQL statement with full paging and ColumnInfo-driven parsing (also used by tests). */
  async runSql(sql: string): Promise<TimestreamRow[]> {
    return this.#reader().runSql(sql);
  }

  /** Probes each half present, neither with a billed call (see their `ping`). */
  async ping(): Promise<void> {
    const { writer, reader } = this.#parts;
    await Promise.all([writer?.ping(), reader?.ping()]);
  }

  async close(): Promise<void> {
    this.#parts.writer?.close();
    this.#parts.reader?.close();
  }

  #writer(): TimestreamEventWriter {
    if (!this.#parts.writer)
      throw new Error('No Timestream writer: the function does not bind timeseries:write');
    return this.#parts.writer;
  }

  #reader(): TimestreamQueryReader {
    if (!this.#parts.reader)
      throw new Error('No Timestream reader: the function does not bind timeseries:read');
    return this.#parts.reader;
  }
}
