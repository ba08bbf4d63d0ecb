import type { ApiKeyRecord } from '../domain/api-keys.ts';

export interface Page<T> {
  items: T[];
  /** Opaque; absent on the last page. */
  nextCursor?: string;
}

export interface PageRequest {
  limit: number;
  cursor?: string;
}

/** Port: where API key records live. The DynamoDB adapter serves both the cloud and dynalite. */
export interface ApiKeyRepository {
  /** Stores a new key; fails if the id exists (ids are random, so that means a bug). */
  create(record: ApiKeyRecord): Promise<void>;
  get(keyId: string): Promise<ApiKeyRecord | undefined>;
  listByTenant(tenantId: string, page: PageRequest): Promise<Page<ApiKeyRecord>>;
  /** Marks the key revoked; returns the updated record, or undefined when there is no such key. */
  revoke(keyId: string, at: Date): Promise<ApiKeyRecord | undefined>;
}
