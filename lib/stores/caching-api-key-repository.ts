import type {
  ApiKeyChanges,
  ApiKeyRepository,
  Page,
  PageRequest,
  StoredApiKey,
} from '#lib/domain/ports/api-key-repository.ts';
import type { ApiKeyRecord } from '../domain/api-keys.ts';

export interface ApiKeyCacheOptions {
  /** How long a key read from the inner repository is served from memory. */
  ttlMs: number;
  /** Default 10,000; beyond it the entry stored longest ago goes first. */
  maxEntries?: number;
  now?: () => number;
}

interface CachedKey {
  record: StoredApiKey;
  /** When the read that produced it started: the record is at least this fresh. */
  readAt: number;
}

/**
 * Serves recently read keys from memory to authentication (`getCached`), so a client sending many
 * requests with one key costs one store read per key per `ttlMs` instead of one per request.
 * Writes through this instance update its entry at once; writes elsewhere (other containers, the
 * admin CLI) are seen within `ttlMs`. Unknown keys are never cached, so a key works the moment it
 * has been created anywhere. `get` stays a consistent read: the key admin API shows and
 * version-checks what is stored, never a cached copy.
 */
export class CachingApiKeyRepository implements ApiKeyRepository {
  readonly #inner: ApiKeyRepository;
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, CachedKey>();
  readonly #reads = new Map<string, Promise<StoredApiKey | undefined>>();

  constructor(inner: ApiKeyRepository, options: ApiKeyCacheOptions) {
    const { ttlMs, maxEntries = 10_000, now = Date.now } = options;
    if (!(ttlMs > 0 && Number.isFinite(ttlMs))) throw new RangeError(`ttlMs must be positive, got ${ttlMs}`);
    if (!(Number.isInteger(maxEntries) && maxEntries > 0)) {
      throw new RangeError(`maxEntries must be a positive integer, got ${maxEntries}`);
    }
    this.#inner = inner;
    this.#ttlMs = ttlMs;
    this.#maxEntries = maxEntries;
    this.#now = now;
  }

  get(keyId: string): Promise<StoredApiKey | undefined> {
    return this.#inner.get(keyId);
  }

  /** The key as read within the last `ttlMs` (by this method), or as stored now. */
  async getCached(keyId: string): Promise<StoredApiKey | undefined> {
    const cached = this.#entries.get(keyId);
    if (cached) {
      if (this.#now() - cached.readAt < this.#ttlMs) return cached.record;
      this.#entries.delete(keyId);
    }
    const pending = this.#reads.get(keyId);
    if (pending) return pending;

    const readAt = this.#now();
    const read = this.#inner.get(keyId);
    this.#reads.set(keyId, read);
    try {
      const record = await read;
      // A write through this instance while the read was in flight unregisters it: its result may
      // predate the write, so it must not be cached.
      if (record && this.#reads.get(keyId) === read) this.#remember(record, readAt);
      return record;
    } finally {
      if (this.#reads.get(keyId) === read) this.#reads.delete(keyId);
    }
  }

  async create(record: ApiKeyRecord): Promise<void> {
    try {
      await this.#inner.create(record);
    } finally {
      this.#forget(record.keyId);
    }
  }

  async revoke(keyId: string, at: Date): Promise<StoredApiKey | undefined> {
    let revoked: StoredApiKey | undefined;
    try {
      revoked = await this.#inner.revoke(keyId, at);
    } finally {
      this.#forget(keyId);
    }
    if (revoked) this.#remember(revoked, this.#now());
    return revoked;
  }

  async update(
    keyId: string,
    tenantId: string,
    changes: ApiKeyChanges,
    expectedVersion?: number,
  ): Promise<StoredApiKey | 'not-found' | 'version-conflict'> {
    let result: StoredApiKey | 'not-found' | 'version-conflict';
    try {
      result = await this.#inner.update(keyId, tenantId, changes, expectedVersion);
    } finally {
      // Also on a conflict: the entry is then likely older than the stored key.
      this.#forget(keyId);
    }
    if (typeof result !== 'string') this.#remember(result, this.#now());
    return result;
  }

  listByTenant(tenantId: string, page: PageRequest): Promise<Page<StoredApiKey>> {
    return this.#inner.listByTenant(tenantId, page);
  }

  #remember(record: StoredApiKey, readAt: number): void {
    // Re-inserting moves the key to the end, so eviction takes the entry stored longest ago.
    this.#entries.delete(record.keyId);
    this.#entries.set(record.keyId, { record, readAt });
    for (const oldest of this.#entries.keys()) {
      if (this.#entries.size <= this.#maxEntries) break;
      this.#entries.delete(oldest);
    }
  }

  #forget(keyId: string): void {
    this.#entries.delete(keyId);
    this.#reads.delete(keyId);
  }
}
