import { BatchGetCommand, BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { UnavailableError } from '#lib/domain/errors.ts';
import type { EventIdLedger } from '#lib/domain/ports/event-id-ledger.ts';
import { type ConfigTable, isExpired } from './config-table.ts';

/**
 * The event-id ledger (port: lib/domain/ports/event-id-ledger.ts) on the config table. One item
 * per (tenant, event id): pk `T#<tenantId>#EVT#<eventId>`, sk `EVT`, `expiresAt` epoch seconds
 * (the table's TTL attribute), event time + EVENT_ID_HORIZON_DAYS.
 */
export const eventIdKey = (tenantId: string, eventId: string) => ({
  pk: `T#${tenantId}#EVT#${eventId}`,
  sk: 'EVT',
});

export interface EventIdLedgerOptions {
  /** Attempts for a batch's unprocessed keys/items, the first call included. */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => Date;
}

const ENTITY = 'eventId';
const BATCH_GET_LIMIT = 100;
const BATCH_WRITE_LIMIT = 25;

type Key = { pk: string; sk: string };
type WriteRequest = { PutRequest: { Item: Record<string, unknown> } };

export class DynamoDbEventIdLedger implements EventIdLedger {
  readonly #table: ConfigTable;
  readonly #maxAttempts: number;
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;
  readonly #now: () => Date;

  constructor(table: ConfigTable, options: EventIdLedgerOptions = {}) {
    this.#table = table;
    this.#maxAttempts = Math.max(1, options.maxAttempts ?? 8);
    this.#baseDelayMs = options.baseDelayMs ?? 50;
    this.#maxDelayMs = options.maxDelayMs ?? 2_000;
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.#random = options.random ?? Math.random;
    this.#now = options.now ?? (() => new Date());
  }

  async seen(tenantId: string, ids: readonly string[]): Promise<Set<string>> {
    const unique = [...new Set(ids)];
    const found = new Set<string>();
    const now = this.#now();
    const prefix = `T#${tenantId}#EVT#`;
    for (let i = 0; i < unique.length; i += BATCH_GET_LIMIT) {
      let keys: Key[] = unique.slice(i, i + BATCH_GET_LIMIT).map((id) => eventIdKey(tenantId, id));
      for (let attempt = 0; keys.length > 0; attempt++) {
        if (attempt >= this.#maxAttempts) throw this.#exhausted('BatchGetItem', keys.length);
        if (attempt > 0) await this.#backoff(attempt - 1);
        const out = await this.#table.doc.send(
          new BatchGetCommand({
            RequestItems: {
              [this.#table.tableName]: {
                Keys: keys,
                ConsistentRead: true,
                ProjectionExpression: 'pk, expiresAt',
              },
            },
          }),
        );
        for (const item of out.Responses?.[this.#table.tableName] ?? []) {
          const pk = item.pk;
          if (typeof pk !== 'string' || !pk.startsWith(prefix) || isExpired(item, now)) continue;
          found.add(pk.slice(prefix.length));
        }
        keys = (out.UnprocessedKeys?.[this.#table.tableName]?.Keys ?? []) as Key[];
      }
    }
    return found;
  }

  async markSeen(
    tenantId: string,
    ids: readonly string[],
    expiresAtById: ReadonlyMap<string, number>,
  ): Promise<void> {
    const unique = [...new Set(ids)];
    const requests: WriteRequest[] = unique.map((id) => {
      const expiresAt = expiresAtById.get(id);
      if (expiresAt === undefined) throw new Error(`markSeen: no expiresAt for event id "${id}"`);
      return { PutRequest: { Item: { ...eventIdKey(tenantId, id), entity: ENTITY, expiresAt } } };
    });
    for (let i = 0; i < requests.length; i += BATCH_WRITE_LIMIT) {
      let pending = requests.slice(i, i + BATCH_WRITE_LIMIT);
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt >= this.#maxAttempts) throw this.#exhausted('BatchWriteItem', pending.length);
        if (attempt > 0) await this.#backoff(attempt - 1);
        const out = await this.#table.doc.send(
          new BatchWriteCommand({ RequestItems: { [this.#table.tableName]: pending } }),
        );
        pending = (out.UnprocessedItems?.[this.#table.tableName] ?? []) as WriteRequest[];
      }
    }
  }

  #backoff(retry: number): Promise<void> {
    const ceiling = Math.min(this.#maxDelayMs, this.#baseDelayMs * 2 ** retry);
    return this.#sleep(Math.floor(this.#random() * ceiling));
  }

  #exhausted(operation: string, left: number): UnavailableError {
    return new UnavailableError(
      'EVENT_LEDGER_UNAVAILABLE',
      `${operation} left ${left} unprocessed after ${this.#maxAttempts} attempts`,
    );
  }
}
