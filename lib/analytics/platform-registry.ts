import type { EntityRepository, RegistryStores } from '#lib/domain/ports/registry-repository.ts';
import type { Connection, Connector, EntityMeta, Operator, Stored } from '../domain/registry/types.ts';

/**
 * What the platform metrics read from the registry: whole kinds, each listed by paging through
 * the tenant's partition (a few Query calls per kind, following the number of registered
 * entities), never one lookup per row of a result.
 */
const PAGE = 200;

/** Every entity of one kind of the tenant, in id order. */
export async function listAll<T extends EntityMeta>(
  repository: Pick<EntityRepository<T>, 'list'>,
  tenantId: string,
): Promise<T[]> {
  const all: T[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await repository.list(tenantId, { limit: PAGE, ...(after === undefined ? {} : { after }) });
    all.push(...page.items);
    const last = page.items.at(-1);
    if (!page.more || !last) return all;
    after = last.id;
  }
}

export type PlatformRegistry = Pick<RegistryStores, 'operators' | 'connectors' | 'connections'>;

export const listOperators = (
  registry: Pick<RegistryStores, 'operators'>,
  tenantId: string,
): Promise<Stored<Operator>[]> => listAll(registry.operators, tenantId);
export const listConnectors = (
  registry: Pick<RegistryStores, 'connectors'>,
  tenantId: string,
): Promise<Stored<Connector>[]> => listAll(registry.connectors, tenantId);
export const listConnections = (
  registry: Pick<RegistryStores, 'connections'>,
  tenantId: string,
): Promise<Stored<Connection>[]> => listAll(registry.connections, tenantId);

export interface ConnectionCounts {
  active: number;
  inactive: number;
  total: number;
}

export const noConnections = (): ConnectionCounts => ({ active: 0, inactive: 0, total: 0 });

export function addConnection(counts: ConnectionCounts, connection: Pick<Connection, 'status'>): void {
  if (connection.status === 'active') counts.active += 1;
  else counts.inactive += 1;
  counts.total += 1;
}
