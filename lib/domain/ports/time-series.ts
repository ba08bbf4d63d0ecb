import type { QueryRow, QuerySpec } from '#lib/query/spec.ts';
import type { UsageEvent } from '../events.ts';

/** What a write did with each event of a batch. */
export interface WriteOutcome {
  /** Ids stored by this write. */
  accepted: string[];
  /** Ids already stored earlier (same tenant): not stored again. */
  duplicates: string[];
  /** Events the store refused, by id, with a reason (e.g. Timestream RejectedRecords). */
  rejected: { id: string; code: string; detail: string }[];
}

/**
 * The time-series port. Adapters: DuckDB (embedded, lib/stores/duckdb) and Timestream
 * LiveAnalytics (lib/stores/timestream). Both guarantee exactly-once per (tenant, event id): an
 * event is marked seen only once it is durably stored, so a failed write can be retried safely.
 */
export interface TimeSeriesStore {
  /** Events must be unique by id within the call (the ingest service dedupes a batch first). */
  writeEvents(tenantId: string, events: readonly UsageEvent[]): Promise<WriteOutcome>;
  /** Runs one spec; may issue more than one statement but a bounded number, never one per row. */
  query(spec: QuerySpec): Promise<QueryRow[]>;
  /** Throws when the store is unreachable (readiness probe). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
