/**
 * Port: which event ids a tenant has already stored in the time-series store, for exactly-once
 * ingest on a store without a unique constraint (Timestream). The adapter is DynamoDB
 * (lib/stores/dynamodb/event-id-ledger.ts); the Timestream store is its one user.
 *
 * An id only needs remembering while a re-sent copy of the event could still be stored, i.e.
 * while its time lies within the time-series table's retention (memory + magnetic: writes outside
 * it are rejected by Timestream itself). The horizon is 400 days, the magnetic-store retention the
 * stack gives the table; it must stay ≥ that value.
 *
 * Expiry only cleans up, and late (DynamoDB's TTL deletes within days; dynalite never):
 * correctness never depends on it, so `seen` treats an id whose `expiresAt` has passed as absent.
 */
export interface EventIdLedger {
  /** The subset of `ids` already marked seen for this tenant (and not expired). */
  seen(tenantId: string, ids: readonly string[]): Promise<Set<string>>;
  /** Records `ids` as stored; `expiresAtById` gives each id's `expiresAt` (epoch seconds). */
  markSeen(
    tenantId: string,
    ids: readonly string[],
    expiresAtById: ReadonlyMap<string, number>,
  ): Promise<void>;
}

export const EVENT_ID_HORIZON_DAYS = 400;
const DAY_SECONDS = 86_400;

/** When the ledger may forget an event's id: event time + the horizon, in epoch seconds. */
export function eventIdExpiresAt(eventTime: Date, horizonDays: number = EVENT_ID_HORIZON_DAYS): number {
  return Math.floor(eventTime.getTime() / 1000) + horizonDays * DAY_SECONDS;
}
