import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { issueApiKey } from '#lib/domain/api-keys.ts';
import type { ApiKeyRepository } from '#lib/domain/ports/api-key-repository.ts';
import { CachingApiKeyRepository } from '#lib/stores/caching-api-key-repository.ts';
import type { ConfigTable } from '#lib/stores/dynamodb/config-table.ts';
import { DynamoDbApiKeyRepository } from '#lib/stores/dynamodb/dynamodb-api-key-repository.ts';
import { KEY_CACHE_TTL_ENV, Runtime } from '#lib/wiring/runtime.ts';
import { startDynalite, type TestDynalite } from '../support/dynalite.ts';

const TTL_MS = 5000;

let db: TestDynalite;
let table: ConfigTable;
beforeAll(async () => {
  db = await startDynalite();
  table = db.table;
});
afterAll(() => db.stop());

/** The DynamoDB repository, counting the reads that reach it; `failNextGet` and `afterRead` steer one read. */
function countedStore() {
  const store = new DynamoDbApiKeyRepository(table);
  const reads = { count: 0, failNextGet: false, afterRead: undefined as (() => Promise<void>) | undefined };
  const repo: ApiKeyRepository = {
    create: (record) => store.create(record),
    listByTenant: (tenantId, page) => store.listByTenant(tenantId, page),
    revoke: (keyId, at) => store.revoke(keyId, at),
    update: (keyId, tenantId, changes, expectedVersion) =>
      store.update(keyId, tenantId, changes, expectedVersion),
    get: async (keyId) => {
      reads.count += 1;
      if (reads.failNextGet) {
        reads.failNextGet = false;
        throw new Error('store unavailable');
      }
      const record = await store.get(keyId);
      await reads.afterRead?.();
      return record;
    },
  };
  return { repo, reads };
}

let clock: number;
let store: ReturnType<typeof countedStore>;
let cache: CachingApiKeyRepository;
beforeEach(() => {
  clock = 1_000_000;
  store = countedStore();
  cache = new CachingApiKeyRepository(store.repo, { ttlMs: TTL_MS, now: () => clock });
});

/** A new active key, stored through the inner repository (as another instance would). */
async function storedKey(): Promise<string> {
  const { record } = issueApiKey({ tenantId: 'ten_cache', role: 'ingest', now: new Date(clock) });
  await store.repo.create(record);
  return record.keyId;
}

describe('CachingApiKeyRepository', () => {
  it('serves a key read within the TTL from memory and reads it again after', async () => {
    const keyId = await storedKey();
    const first = await cache.getCached(keyId);
    clock += TTL_MS - 1;
    expect(await cache.getCached(keyId)).toEqual(first);
    expect(store.reads.count).toBe(1);

    clock += 1;
    expect(await cache.getCached(keyId)).toEqual(first);
    expect(store.reads.count).toBe(2);
  });

  it('never caches a miss, so a key created elsewhere works at once', async () => {
    const { record } = issueApiKey({ tenantId: 'ten_cache', role: 'ingest', now: new Date(clock) });
    expect(await cache.getCached(record.keyId)).toBeUndefined();
    await store.repo.create(record);
    expect(await cache.getCached(record.keyId)).toMatchObject({ keyId: record.keyId, status: 'active' });
    expect(store.reads.count).toBe(2);
  });

  it('shows a revocation or update made through it at once', async () => {
    const keyId = await storedKey();
    await cache.getCached(keyId);
    await cache.revoke(keyId, new Date(clock));
    expect(await cache.getCached(keyId)).toMatchObject({ status: 'revoked', version: 2 });

    await cache.update(keyId, 'ten_cache', { name: 'renamed' });
    expect(await cache.getCached(keyId)).toMatchObject({ name: 'renamed', version: 3 });
    // Both answers came from the records the writes returned.
    expect(store.reads.count).toBe(1);
  });

  it('shows a revocation made through another instance only once the TTL has passed', async () => {
    const keyId = await storedKey();
    await cache.getCached(keyId);
    await store.repo.revoke(keyId, new Date(clock));
    clock += TTL_MS - 1;
    expect((await cache.getCached(keyId))?.status).toBe('active');
    // The key admin API reads through get(), which never answers from the cache.
    expect((await cache.get(keyId))?.status).toBe('revoked');
    clock += 1;
    expect((await cache.getCached(keyId))?.status).toBe('revoked');
  });

  it('does not cache a read that a write through it overtook', async () => {
    const keyId = await storedKey();
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let signalRead = () => {};
    const wasRead = new Promise<void>((resolve) => {
      signalRead = resolve;
    });
    store.reads.afterRead = () => {
      signalRead();
      return held;
    };
    const staleRead = cache.getCached(keyId);
    await wasRead;
    store.reads.afterRead = undefined;
    await cache.revoke(keyId, new Date(clock));
    release();
    // The caller that started before the revocation gets what was stored then; nobody after it does.
    expect((await staleRead)?.status).toBe('active');
    expect((await cache.getCached(keyId))?.status).toBe('revoked');
  });

  it('keeps at most maxEntries keys, dropping the one stored longest ago', async () => {
    const small = new CachingApiKeyRepository(store.repo, { ttlMs: TTL_MS, maxEntries: 2, now: () => clock });
    const [a, b, c] = [await storedKey(), await storedKey(), await storedKey()];
    for (const keyId of [a, b, c]) await small.getCached(keyId);
    expect(store.reads.count).toBe(3);
    await small.getCached(c);
    await small.getCached(b);
    expect(store.reads.count).toBe(3);
    await small.getCached(a);
    expect(store.reads.count).toBe(4);
  });

  it('shares one store read between concurrent misses of the same key', async () => {
    const keyId = await storedKey();
    const results = await Promise.all([
      cache.getCached(keyId),
      cache.getCached(keyId),
      cache.getCached(keyId),
    ]);
    expect(store.reads.count).toBe(1);
    expect(new Set(results.map((record) => record?.keyId))).toEqual(new Set([keyId]));
  });

  it('does not cache a failed read', async () => {
    const keyId = await storedKey();
    store.reads.failNextGet = true;
    await expect(Promise.all([cache.getCached(keyId), cache.getCached(keyId)])).rejects.toThrow(
      'store unavailable',
    );
    expect(store.reads.count).toBe(1);
    expect((await cache.getCached(keyId))?.keyId).toBe(keyId);
    expect(store.reads.count).toBe(2);
  });
});

describe('Runtime.apiKeys and authKeyLookup', () => {
  const stores = {
    configTable: () => table,
    timeSeries: () => {
      throw new Error('not used');
    },
  };
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('caches keys by default and reads the store every time when the TTL is 0', () => {
    vi.stubEnv(KEY_CACHE_TTL_ENV, '');
    expect(new Runtime(stores).apiKeys).toBeInstanceOf(CachingApiKeyRepository);
    expect(new Runtime(stores, undefined, { apiKeyCacheTtlSeconds: 0 }).apiKeys).toBeInstanceOf(
      DynamoDbApiKeyRepository,
    );
    vi.stubEnv(KEY_CACHE_TTL_ENV, '0');
    const uncached = new Runtime(stores);
    expect(uncached.apiKeys).toBeInstanceOf(DynamoDbApiKeyRepository);
    expect(uncached.authKeyLookup).toBe(uncached.apiKeys);
  });

  it(`refuses a ${KEY_CACHE_TTL_ENV} that is not a number of seconds`, () => {
    vi.stubEnv(KEY_CACHE_TTL_ENV, 'five');
    expect(() => new Runtime(stores)).toThrow(KEY_CACHE_TTL_ENV);
  });
});
