import type { ApiKeyRecord, RateLimits } from '../api-keys.ts';

export interface Page<T> {
  items: T[];
  /** Opaque; absent on the last page. */
  nextCursor?: string;
}

export interface PageRequest {
  limit: number;
  cursor?: string;
}

/** A key as stored: the record plus its version (1 at creation, +1 per change). */
export interface StoredApiKey extends ApiKeyRecord {
  version: number;
}

/** What `update` may change; `null` removes an optional attribute. */
export interface ApiKeyChanges {
  name?: string | null;
  rateLimits?: RateLimits | null;
  /** Revokes the key at this time (keeps an earlier revocation time). */
  revokedAt?: string;
}

/** Port: where API key records live. The DynamoDB adapter serves both the cloud and dynalite. */
export interface ApiKeyRepository {
  /** Stores a new key; fails if the id exists (ids are random, so that means a bug). */
  create(record: ApiKeyRecord): Promise<void>;
  get(keyId: string): Promise<StoredApiKey | undefined>;
  listByTenant(tenantId: string, page: PageRequest): Promise<Page<StoredApiKey>>;
  /** Marks the key revoked; returns the updated record, or undefined when there is no such key. */
  revoke(keyId: string, at: Date): Promise<StoredApiKey | undefined>;
  /**
   * Changes a key of `tenantId` in one conditional write: a key of another tenant is 'not-found',
   * and with `expectedVersion` a key at another version is 'version-conflict'.
   */
  update(
    keyId: string,
    tenantId: string,
    changes: ApiKeyChanges,
    expectedVersion?: number,
  ): Promise<StoredApiKey | 'not-found' | 'version-conflict'>;
}
