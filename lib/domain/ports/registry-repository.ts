import type { StoredPricePlan } from '../registry/price-plans.ts';
import type {
  Account,
  Connection,
  Connector,
  EntityMeta,
  Operator,
  PlatformSettings,
  Project,
  Stored,
} from '../registry/types.ts';

export interface ListRequest<T> {
  limit: number;
  /** Return only entities whose id sorts after this one. */
  after?: string;
  /** Keep only matching entities; pages are still `limit` long when enough match. */
  where?: (entity: T) => boolean;
}

export interface ListPage<T> {
  /** At most `limit` entities, in id order. */
  items: T[];
  /** True when at least one more (matching) entity follows the last one returned. */
  more: boolean;
}

/**
 * Port: one kind of versioned registry entity of a tenant. Every write is a single-item
 * conditional write, which is what makes optimistic concurrency safe on stores without
 * transactions (dynalite): `false` means the condition failed and nothing was written.
 */
export interface EntityRepository<T extends EntityMeta> {
  get(tenantId: string, id: string): Promise<T | undefined>;
  list(tenantId: string, request: ListRequest<T>): Promise<ListPage<T>>;
  /** Writes a new entity; false when one with this id exists. */
  create(tenantId: string, entity: T): Promise<boolean>;
  /** Overwrites the entity if its stored version is `expectedVersion`; false otherwise (also when absent). */
  replace(tenantId: string, entity: T, expectedVersion: number): Promise<boolean>;
  /** Deletes the entity if its stored version is `expectedVersion`; false otherwise (also when absent). */
  delete(tenantId: string, id: string, expectedVersion: number): Promise<boolean>;
}

/** A claim on a unique key (a normalized name, a connection's operator/connector pair). */
export interface UniqueClaim {
  /** Id of the entity the claim was made for. */
  ownerId: string;
  /** Random per claim attempt; releases and takeovers are conditional on it. */
  token: string;
  claimedAt: string;
}

/** The condition a claim write needs: no claim yet, a claim of the same owner, or exactly this claim. */
export type ClaimCondition = { absent: true } | { ownerId: string } | { token: string };

/** Port: unique-key claims, one item per (tenant, scope, key). */
export interface UniqueClaimRepository {
  get(tenantId: string, scope: string, key: string): Promise<UniqueClaim | undefined>;
  /** Writes the claim if `condition` holds; false otherwise. */
  put(
    tenantId: string,
    scope: string,
    key: string,
    claim: UniqueClaim,
    condition: ClaimCondition,
  ): Promise<boolean>;
  /** Deletes the claim if it still carries `token`; false otherwise. */
  delete(tenantId: string, scope: string, key: string, token: string): Promise<boolean>;
}

/**
 * A tenant's price plans, kept in one item so that the no-overlap rule is checked and written
 * atomically by one conditional write (plans per tenant are few; the service bounds their size).
 */
export interface PriceBook {
  /** 0 when the tenant has no book yet. */
  version: number;
  plans: StoredPricePlan[];
}

export interface PriceBookRepository {
  get(tenantId: string): Promise<PriceBook>;
  /** Writes the book (its version already bumped) if the stored version is `expectedVersion` (0: none stored). */
  put(tenantId: string, book: PriceBook, expectedVersion: number): Promise<boolean>;
}

/** Every registry port, as the Runtime hands them to services. */
export interface RegistryStores {
  operators: EntityRepository<Stored<Operator>>;
  connectors: EntityRepository<Stored<Connector>>;
  connections: EntityRepository<Stored<Connection>>;
  accounts: EntityRepository<Stored<Account>>;
  projects: EntityRepository<Stored<Project>>;
  /** One entity per tenant, id `profile`. */
  settings: EntityRepository<Stored<PlatformSettings>>;
  claims: UniqueClaimRepository;
  priceBook: PriceBookRepository;
}
