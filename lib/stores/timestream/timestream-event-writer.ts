import { DescribeTableCommand, type TimestreamWriteClient } from '@aws-sdk/client-timestream-write';
import { type EventIdLedger, eventIdExpiresAt } from '#lib/domain/ports/event-id-ledger.ts';
import type { WriteOutcome } from '#lib/domain/ports/time-series.ts';
import type { UsageEvent } from '../../domain/events.ts';
import { MAX_RECORDS_PER_WRITE, toTimestreamRecord } from './records.ts';
import { PING_RETRY_POLICY, type RetryInjection, retryInjection, withRetry } from './retry.ts';
import { type RecordToWrite, TIMESTREAM_UNAVAILABLE, writeChunk } from './write-records.ts';

/** `sleep`, `random` and `retry` are injectable for tests; real timers otherwise. */
export interface TimestreamEventWriterOptions extends RetryInjection {
  client: TimestreamWriteClient;
  database: string;
  table: string;
  ledger: EventIdLedger;
  /** Days an event id stays in the ledger past the event's time (default: EVENT_ID_HORIZON_DAYS). */
  ledgerHorizonDays?: number;
}

export const INVALID_EVENT = 'INVALID_EVENT';

/**
 * The write half of the Timestream store (timestream-time-series-store.ts), on the write API's
 * client only, so a function that only writes bundles no query client. Exactly-once per (tenant,
 * event id) through the DynamoDB event-id ledger:
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
export class TimestreamEventWriter {
  readonly #options: TimestreamEventWriterOptions;

  constructor(options: TimestreamEventWriterOptions) {
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
      client: this.#options.client,
      database: this.#options.database,
      table: this.#options.table,
      ...retryInjection(this.#options),
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

  /** DescribeTable proves credentials, endpoint discovery and that the table exists; no billed call. */
  async ping(): Promise<void> {
    const { database, table, client, sleep, random } = this.#options;
    await withRetry(
      () => client.send(new DescribeTableCommand({ DatabaseName: database, TableName: table })),
      {
        policy: PING_RETRY_POLICY,
        ...retryInjection({ sleep, random }),
        operation: 'Timestream DescribeTable',
        code: TIMESTREAM_UNAVAILABLE,
      },
    );
  }

  close(): void {
    this.#options.client.destroy();
  }
}
