/**
 * Port: idempotency records of write requests, one per (tenant, Idempotency-Key). The middleware
 * in lib/http/idempotency.ts holds the protocol; the store only makes each step one conditional
 * single-item write.
 */
export interface IdempotencyRecord {
  /** Method, path and body hash of the request that claimed the key. */
  fingerprint: string;
  state: 'in-progress' | 'completed';
  /** Random per claim: completing and releasing are conditional on it. */
  token: string;
  /** Epoch ms after which an in-progress claim is abandoned (its request can no longer be running). */
  lockedUntil: number;
  /** The response, once completed: opaque to the store (the middleware encrypts it). */
  response?: string;
  /** Epoch seconds; past it the record counts as absent (the table's TTL attribute). */
  expiresAt: number;
}

export interface IdempotencyStore {
  /**
   * Claims `key` in progress: succeeds when there is no live record, or when the live record is
   * an abandoned in-progress claim of the same fingerprint. Otherwise returns the live record
   * (undefined only if it vanished in between, in which case the caller tries again).
   */
  claim(
    tenantId: string,
    key: string,
    record: IdempotencyRecord,
    now: Date,
  ): Promise<{ claimed: true } | { claimed: false; existing: IdempotencyRecord | undefined }>;
  /** Stores the final response under the claim; false when the claim is no longer this token's. */
  complete(tenantId: string, key: string, token: string, response: string): Promise<boolean>;
  /** Deletes the claim if it is still this token's (a failed request, so a retry may proceed). */
  release(tenantId: string, key: string, token: string): Promise<void>;
}
