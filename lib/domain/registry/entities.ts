import type { ApiKeyRepository } from '#lib/domain/ports/api-key-repository.ts';
import type { EntityRepository, RegistryStores } from '#lib/domain/ports/registry-repository.ts';
import type { TenantRepository } from '#lib/domain/ports/tenant-repository.ts';
import { ConflictError, type DomainError, NotFoundError } from '../errors.ts';
import { ID_PATTERN, newId } from './ids.ts';
import { type CursorKeySource, openCursor, type Page, type PageQuery, sealCursor } from './paging.ts';
import type { EntityMeta, Stored } from './types.ts';
import { claimUnique, releaseUnique } from './unique-claims.ts';

/** What registry services reach: the Runtime satisfies it, and tests may hand in their own clock. */
export interface RegistryPorts {
  registry: RegistryStores;
  apiKeys: ApiKeyRepository;
  tenants: TenantRepository;
  clock: () => Date;
}

/** An entity as the API shows it: metadata, and every optional field present (null when unset). */
export type EntityView<T> = EntityMeta & {
  [K in keyof T]-?: undefined extends T[K] ? Exclude<T[K], undefined> | null : T[K];
};

/** The rules of one kind of registry entity; `entityService` turns them into create/get/list/update/delete. */
export interface EntityKind<T extends object, C extends { id?: string }, P> {
  /** For messages: "operator". */
  noun: string;
  /** Prefix of error codes: "OPERATOR" → OPERATOR_NOT_FOUND, OPERATOR_EXISTS. */
  code: string;
  repository(stores: RegistryStores): EntityRepository<Stored<T>>;
  /** A key unique per tenant (a normalized name), held through a claim (unique-claims.ts). */
  unique?: { scope: string; keyOf(entity: T): string; taken(entity: T): DomainError };
  /** Builds the entity's fields (and nothing else) from a validated create request. */
  build(input: C): T;
  /** The entity's fields (and nothing else) after a patch: `undefined` keeps a field, `null` clears it. */
  apply(current: T, patch: P): T;
  /** Checks references (422) before anything is written. */
  validate?(ports: RegistryPorts, tenantId: string, next: T, previous: T | undefined): Promise<void>;
  /** Refuses to delete an entity that others still reference (409). */
  assertDeletable?(ports: RegistryPorts, tenantId: string, entity: Stored<T>): Promise<void>;
  /** Optional fields, shown as null when unset. */
  optional: readonly (keyof T & string)[];
}

export interface ListFilter<T> {
  /** Part of the cursor's scope, so a cursor of one filter is not used with another. */
  scope: string;
  where: (entity: Stored<T>) => boolean;
}

const MAX_RETRIES_WITHOUT_IF_MATCH = 3;

export const versionConflict = (noun: string, id: string) =>
  new ConflictError(
    'VERSION_CONFLICT',
    `The ${noun} ${id} has changed since the version you sent; read it again and retry`,
  );

export function entityService<T extends object, C extends { id?: string }, P>(kind: EntityKind<T, C, P>) {
  const notFound = (id: string) => new NotFoundError(`${kind.code}_NOT_FOUND`, `No ${kind.noun} ${id}`);
  const unique = kind.unique;

  const claim = async (ports: RegistryPorts, tenantId: string, entity: T, ownerId: string, now: Date) => {
    if (!unique) return undefined;
    const repository = kind.repository(ports.registry);
    return claimUnique(ports.registry.claims, {
      tenantId,
      scope: unique.scope,
      key: unique.keyOf(entity),
      ownerId,
      now,
      currentKeyOf: async (id) => {
        const owner = await repository.get(tenantId, id);
        return owner ? unique.keyOf(owner) : undefined;
      },
      taken: () => unique.taken(entity),
    });
  };
  const release = (ports: RegistryPorts, tenantId: string, entity: T, token: string | undefined) =>
    unique && token
      ? releaseUnique(ports.registry.claims, tenantId, unique.scope, unique.keyOf(entity), token)
      : undefined;

  const service = {
    kind,

    view(stored: Stored<T>): EntityView<T> {
      const { claimToken: _claimToken, ...rest } = stored;
      const view: Record<string, unknown> = { ...rest };
      for (const field of kind.optional) view[field] ??= null;
      return view as EntityView<T>;
    },

    async create(ports: RegistryPorts, tenantId: string, input: C): Promise<Stored<T>> {
      const now = ports.clock();
      const id = input.id ?? newId();
      const data = kind.build(input);
      await kind.validate?.(ports, tenantId, data, undefined);
      const held = await claim(ports, tenantId, data, id, now);
      const stored = {
        ...data,
        id,
        version: 1,
        createdAt: now.toISOString(),
        updatedAt: now.toISOString(),
        ...(held ? { claimToken: held.token } : {}),
      } as Stored<T>;
      if (await kind.repository(ports.registry).create(tenantId, stored)) return stored;
      if (held?.fresh) await release(ports, tenantId, data, held.token);
      throw new ConflictError(`${kind.code}_EXISTS`, `There is already a ${kind.noun} with id ${id}`, {
        field: 'id',
      });
    },

    async get(ports: RegistryPorts, tenantId: string, id: string): Promise<Stored<T>> {
      const found = await kind.repository(ports.registry).get(tenantId, id);
      if (!found) throw notFound(id);
      return found;
    },

    async list(
      ports: RegistryPorts & CursorKeySource,
      tenantId: string,
      page: PageQuery,
      filter?: ListFilter<T>,
    ): Promise<Page<Stored<T>>> {
      const scope = `${tenantId}|${kind.code}|${filter?.scope ?? ''}`;
      const after = await openCursor(ports, scope, page.cursor, (id) => ID_PATTERN.test(id));
      const result = await kind.repository(ports.registry).list(tenantId, {
        limit: page.limit,
        ...(after === undefined ? {} : { after }),
        ...(filter ? { where: filter.where } : {}),
      });
      const last = result.items.at(-1);
      return {
        items: result.items,
        nextCursor: result.more && last ? await sealCursor(ports, scope, last.id) : null,
      };
    },

    /**
     * Applies a patch under optimistic concurrency. With `expectedVersion` (If-Match) a changed
     * entity is a 409; without it the patch is re-applied to the newest version, so concurrent
     * patches never lose one another: each write is conditional on the version it was based on.
     */
    async update(
      ports: RegistryPorts,
      tenantId: string,
      id: string,
      patch: P,
      expectedVersion?: number,
    ): Promise<Stored<T>> {
      const repository = kind.repository(ports.registry);
      const attempts = expectedVersion === undefined ? MAX_RETRIES_WITHOUT_IF_MATCH : 1;
      for (let attempt = 0; attempt < attempts; attempt += 1) {
        const current = await repository.get(tenantId, id);
        if (!current) throw notFound(id);
        if (expectedVersion !== undefined && current.version !== expectedVersion)
          throw versionConflict(kind.noun, id);
        const now = ports.clock();
        const next = kind.apply(current, patch);
        await kind.validate?.(ports, tenantId, next, current);
        const rekeyed = unique !== undefined && unique.keyOf(next) !== unique.keyOf(current);
        const held = rekeyed ? await claim(ports, tenantId, next, id, now) : undefined;
        const previousToken = current.claimToken;
        const stored = {
          ...next,
          id,
          version: current.version + 1,
          createdAt: current.createdAt,
          updatedAt: now.toISOString(),
          ...(held ? { claimToken: held.token } : previousToken ? { claimToken: previousToken } : {}),
        } as Stored<T>;
        if (await repository.replace(tenantId, stored, current.version)) {
          if (held) await release(ports, tenantId, current, previousToken);
          return stored;
        }
        if (held?.fresh) await release(ports, tenantId, next, held.token);
      }
      if (!(await repository.get(tenantId, id))) throw notFound(id);
      throw versionConflict(kind.noun, id);
    },

    async remove(
      ports: RegistryPorts,
      tenantId: string,
      id: string,
      expectedVersion?: number,
    ): Promise<void> {
      const repository = kind.repository(ports.registry);
      const attempts = expectedVersion === undefined ? MAX_RETRIES_WITHOUT_IF_MATCH : 1;
      for (let attempt = 0; attempt < attempts; attempt += 1) {
        const current = await repository.get(tenantId, id);
        if (!current) throw notFound(id);
        if (expectedVersion !== undefined && current.version !== expectedVersion)
          throw versionConflict(kind.noun, id);
        await kind.assertDeletable?.(ports, tenantId, current);
        if (await repository.delete(tenantId, id, current.version)) {
          await release(ports, tenantId, current, current.claimToken);
          return;
        }
      }
      if (!(await repository.get(tenantId, id))) throw notFound(id);
      throw versionConflict(kind.noun, id);
    },
  };
  return service;
}
