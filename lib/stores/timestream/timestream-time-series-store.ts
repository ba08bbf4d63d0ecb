import { DescribeEndpointsCommand, type TimestreamQueryClient } from '@aws-sdk/client-timestream-query';
import { DescribeTableCommand, type TimestreamWriteClient } from '@aws-sdk/client-timestream-write';
import { type EventIdLedger, eventIdExpiresAt } from '#lib/domain/ports/event-id-ledger.ts';
import type { TimeSeriesStore, WriteOutcome } from '#lib/domain/ports/time-series.ts';
import type { UsageEvent } from '../../domain/events.ts';
import { compileQuery, shapeRows } from '../../query/compile.ts';
import { timestreamDialect } from '../../query/dialect.ts';
import type { QueryRow, QuerySpec } from '../../query/spec.ts';
import type { TimestreamRow } from './query-result.ts';
import { MAX_RECORDS_PER_WRITE, toTimestreamRecord } from './records.ts';
import { type RetryPolicy, type Sleep, withRetry } from './retry.ts';
import { runTimestreamQuery, TIMESTREAM_QUERY_UNAVAILABLE } from './run-query.ts';
import { type RecordToWrite, TIMESTREAM_UNAVAILABLE, writeChunk } from './write-records.ts';

export interface TimestreamTimeSeriesStoreOptions {
  writeClient: TimestreamWriteClient;
  queryClient: TimestreamQueryClient;
  database: string;
  table: string;
  ledger: EventIdLedger;
  /** Injectable for tests; real timers otherwise. */
  sleep?: Sleep;
  random?: () => number;
  retry?: RetryPolicy;
  /** Days an event id stays in the ledger past the event's time (default: EVENT_ID_HORIZON_DAYS). */
  ledgerHorizonDays?: number;
}

export const INVALID_EVENT = 'INVALID_EVENT';

/**
 * The time-series port on Timestream LiveAnalytics, exactly-once per (tenant, event id) through
 * the DynamoDB event-id ledger:
 *
 * 1. `ledger.seen` splits the batch into duplicates (already stored) and new events;
 * 2. the new ones are written in requests of ≤ 100 records, one after the other (throttling is
 *    per table: sequential chunks back off instead of fanning out);
 * 3. after each request, exactly the ids Timestream stored are marked seen; ids it rejected, and
 *    ids of a request that failed, never are, so a retry of the batch writes them again.
 *
 * If a request fails after its retries, the method throws (UnavailableError, 503): the earlier
 * requests' events are already stored *and* marked seen, so the client's retry reports them as
 * duplicates and writes only the rest. Should marking fail after a successful write, the retry
 * rewrites those records: identical record, same Version, an idempotent upsert (records.ts).
 * Two concurrent requests with the same event id may both pass `seen` and both write; they write
 * the same record, which Timestream stores once.
 */
export class TimestreamTimeSeriesStore implements TimeSeriesStore {
  readonly #options: TimestreamTimeSeriesStoreOptions;

  constructor(options: TimestreamTimeSeriesStoreOptions) {
    this.#options = options;
  }

  async writeEvents(tenantId: string, events: readonly UsageEvent[]): Promise<WriteOutcome> {
    const outcome: WriteOutcome = { accepted: [], duplicates: [], rejected: [] };
    if (events.length === 0) return outcome;
    const { ledger } = this.#options;

    const seen = await ledger.seen(
      tenantId,
      events.map((e) => e.id),
    );
    const toWrite: RecordToWrite[] = [];
    const eventsById = new Map<string, UsageEvent>();
    for (const event of events) {
      // A repeated id within the call is a duplicate too (the port asks callers not to send any).
      if (seen.has(event.id) || eventsById.has(event.id)) {
        outcome.duplicates.push(event.id);
        continue;
      }
      eventsById.set(event.id, event);
      const mapped = toTimestreamRecord(tenantId, event);
      if (mapped.ok) toWrite.push({ id: event.id, record: mapped.record });
      else outcome.rejected.push({ id: event.id, code: INVALID_EVENT, detail: mapped.detail });
    }

    const target = {
      client: this.#options.writeClient,
      database: this.#options.database,
      table: this.#options.table,
      ...this.#retryOptions(),
    };
    for (let i = 0; i < toWrite.length; i += MAX_RECORDS_PER_WRITE) {
      const result = await writeChunk(target, toWrite.slice(i, i + MAX_RECORDS_PER_WRITE));
      if (result.accepted.length > 0) {
        const expiresAt = new Map(
          result.accepted.map((id) => {
            const time = eventsById.get(id)?.time ?? new Date();
            return [id, eventIdExpiresAt(time, this.#options.ledgerHorizonDays)];
          }),
        );
        await ledger.markSeen(tenantId, result.accepted, expiresAt);
      }
      outcome.accepted.push(...result.accepted);
      outcome.rejected.push(...result.rejected);
    }
    return outcome;
  }

  async query(spec: QuerySpec): Promise<QueryRow[]> {
    const compiled = compileQuery(spec, timestreamDialect(this.#options.database, this.#options.table));
    const rows = await this.runSql(compiled.sql);
    return shapeRows(compiled, rows);
  }

  /** Runs one SQL statement with full paging and ColumnInfo-driven parsing (also used by tests). */
  runSql(sql: string): Promise<TimestreamRow[]> {
    return runTimestreamQuery({ client: this.#options.queryClient, ...this.#retryOptions() }, sql);
  }

  /**
   * Readiness without running (and paying for) a query: DescribeTable on the write client proves
   * credentials, endpoint discovery and that the table exists; DescribeEndpoints on the query
   * client proves the query endpoint answers. Needs timestream:DescribeTable and
   * timestream:DescribeEndpoints (the latter every Timestream client needs anyway).
   */
  async ping(): Promise<void> {
    const { database, table, writeClient, queryClient, sleep, random } = this.#options;
    const common = {
      policy: { maxAttempts: 2, baseDelayMs: 100, maxDelayMs: 500 },
      ...(sleep ? { sleep } : {}),
      ...(random ? { random } : {}),
    };
    await Promise.all([
      withRetry(
        () => writeClient.send(new DescribeTableCommand({ DatabaseName: database, TableName: table })),
        {
          ...common,
          operation: 'Timestream DescribeTable',
          code: TIMESTREAM_UNAVAILABLE,
        },
      ),
      withRetry(() => queryClient.send(new DescribeEndpointsCommand({})), {
        ...common,
        operation: 'Timestream DescribeEndpoints',
        code: TIMESTREAM_QUERY_UNAVAILABLE,
      }),
    ]);
  }

  async close(): Promise<void> {
    this.#options.writeClient.destroy();
    this.#options.queryClient.destroy();
  }

  #retryOptions(): { retry?: RetryPolicy; sleep?: Sleep; random?: () => number } {
    const { retry, sleep, random } = this.#options;
    return { ...(retry ? { retry } : {}), ...(sleep ? { sleep } : {}), ...(random ? { random } : {}) };
  }
}
