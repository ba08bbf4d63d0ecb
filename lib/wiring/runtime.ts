import type { ApiKeyRepository } from '#lib/domain/ports/api-key-repository.ts';
import type { IdempotencyStore } from '#lib/domain/ports/idempotency-store.ts';
import type { RegistryStores } from '#lib/domain/ports/registry-repository.ts';
import type { TenantRepository } from '#lib/domain/ports/tenant-repository.ts';
import type { TimeSeriesStore } from '#lib/domain/ports/time-series.ts';
// A package import, not a relative one, so that the stack can swap the module for a function
// without a config binding (infra/cdk/bundling.ts): @aws-sdk/lib-dynamodb has top-level side effects
// (its paginators), so esbuild keeps it in any bundle that imports it, used or not.
import { type ConfigStores, configStores } from '#lib/wiring/config-stores.ts';
import type { ApiKeyLookup } from '../domain/authenticate.ts';
import { InMemoryRateLimiter, type RateLimiter, TenantRateLimits } from '../domain/rate-limit.ts';
import type { DependencyCheck } from '../domain/readiness.ts';
import type { CursorKeySource } from '../domain/registry/paging.ts';
import { rateLimitOverrides } from '../domain/registry/settings.ts';
import { CachingApiKeyRepository } from '../stores/caching-api-key-repository.ts';
import type { ConfigTable } from '../stores/dynamodb/config-table.ts';

/**
 * The stores a container can reach. Each is built on first use, so a function that never touches
 * the time series needs neither its environment variables nor its permissions.
 */
export interface StoreFactories {
  configTable: () => ConfigTable;
  timeSeries: () => TimeSeriesStore;
}

export interface RuntimeOptions {
  /**
   * How long a verified API key is served from memory before it is read again; 0 reads the store on
   * every request. Default: `METERHOUSE_KEY_CACHE_TTL_SECONDS`, else 5.
   */
  apiKeyCacheTtlSeconds?: number;
  /**
   * Where request rate limits take their tokens: this container's memory by default; the local
   * runtime's worker threads share the main thread's (infra/local/rate-limit-channel.ts).
   */
  rateLimiter?: RateLimiter;
}

export const KEY_CACHE_TTL_ENV = 'METERHOUSE_KEY_CACHE_TTL_SECONDS';
const DEFAULT_KEY_CACHE_TTL_SECONDS = 5;

/** `factory`'s value, built on the first call and kept. */
export function once<T>(factory: () => T): () => T {
  let value: { v: T } | undefined;
  return () => {
    value ??= { v: factory() };
    return value.v;
  };
}

/**
 * Everything a handler or job reaches through ports. One instance per container: the cloud
 * wiring builds it from the environment, the local runtime and tests install one over embedded
 * stores. Repositories are the same classes in both; only the stores differ.
 */
export class Runtime implements CursorKeySource {
  readonly #configTable: () => ConfigTable;
  readonly #timeSeries: () => TimeSeriesStore;
  readonly clock: () => Date;
  readonly #apiKeyCacheTtlMs: number;

  constructor(stores: StoreFactories, clock: () => Date = () => new Date(), options: RuntimeOptions = {}) {
    this.#configTable = once(stores.configTable);
    this.#timeSeries = once(stores.timeSeries);
    this.clock = clock;
    const fromEnv = process.env[KEY_CACHE_TTL_ENV]?.trim();
    const ttlSeconds =
      options.apiKeyCacheTtlSeconds ?? (fromEnv ? Number(fromEnv) : DEFAULT_KEY_CACHE_TTL_SECONDS);
    if (!(Number.isFinite(ttlSeconds) && ttlSeconds >= 0)) {
      throw new RangeError(
        `The API key cache TTL (${KEY_CACHE_TTL_ENV}) must be a number of seconds >= 0, got ${options.apiKeyCacheTtlSeconds ?? fromEnv}`,
      );
    }
    this.#apiKeyCacheTtlMs = ttlSeconds * 1000;
    this.rateLimiter = options.rateLimiter ?? new InMemoryRateLimiter();
  }

  /** Takes a request's token for its key (lib/http/route.ts, after authentication). */
  readonly rateLimiter: RateLimiter;

  readonly #tenantRateLimits = once(
    () => new TenantRateLimits((tenantId) => rateLimitOverrides(this, tenantId), this.#apiKeyCacheTtlMs),
  );
  /** The limit of a key: its tenant's setting for its role, else the role's default; cached as keys are. */
  get tenantRateLimits(): TenantRateLimits {
    return this.#tenantRateLimits();
  }

  get configTable(): ConfigTable {
    return this.#configTable();
  }

  get timeSeries(): TimeSeriesStore {
    return this.#timeSeries();
  }

  readonly #config = once((): ConfigStores => configStores(this.configTable));

  // Cache expiry runs on the wall clock, not `clock`: tests freeze `clock` for business time.
  readonly #apiKeys = once((): ApiKeyRepository => {
    const store = this.#config().apiKeys;
    return this.#apiKeyCacheTtlMs === 0
      ? store
      : new CachingApiKeyRepository(store, { ttlMs: this.#apiKeyCacheTtlMs });
  });
  /** Consistent reads; writes also refresh the container's key cache. */
  get apiKeys(): ApiKeyRepository {
    return this.#apiKeys();
  }

  readonly #authKeyLookup = once((): ApiKeyLookup => {
    const keys = this.apiKeys;
    return keys instanceof CachingApiKeyRepository ? { get: (keyId) => keys.getCached(keyId) } : keys;
  });
  /**
   * Keys for authentication: may answer from this container's cache, up to
   * `apiKeyCacheTtlSeconds` old (a revocation made elsewhere takes effect within that time).
   */
  get authKeyLookup(): ApiKeyLookup {
    return this.#authKeyLookup();
  }

  readonly #tenants = once(() => this.#config().tenants);
  get tenants(): TenantRepository {
    return this.#tenants();
  }

  readonly #registry = once(() => this.#config().registry);
  /** Operators, connectors, connections, accounts, projects, settings, price plans. */
  get registry(): RegistryStores {
    return this.#registry();
  }

  readonly #cursorKey = once(() => this.#config().cursorKey);
  /** The key that seals list cursors, read (or created) once per container. */
  cursorKey(): Promise<Uint8Array> {
    return this.#cursorKey().cursorKey();
  }

  readonly #idempotency = once(() => this.#config().idempotency);
  get idempotency(): IdempotencyStore {
    return this.#idempotency();
  }

  /** What `/health/ready` probes: each store, by a read that needs no more than read access. */
  readinessChecks(): DependencyCheck[] {
    return [
      { name: 'config', check: () => this.#config().ping() },
      { name: 'timeseries', check: () => this.timeSeries.ping() },
    ];
  }
}

/** A store the function's bundle left out: a wiring bug, named by the binding that would add it. */
export function unboundStore(binding: string): never {
  throw new Error(`This function's bundle has no ${binding} binding (lib/routes.ts, lib/schedules.ts)`);
}
