import { ConflictError, UnprocessableError } from '../errors.ts';
import { entityService, type ListFilter, type RegistryPorts } from './entities.ts';
import { nameKey } from './ids.ts';
import type {
  Account,
  Connection,
  ConnectionStatus,
  Connector,
  Operator,
  OperatorStatus,
  Project,
  Stored,
} from './types.ts';

/**
 * The five registry kinds and their rules: which names are unique per tenant, which references
 * must exist (422 when not), and which entities may not be deleted while referenced (409).
 * Reference checks and delete guards are reads before a single-item write; a reference created
 * concurrently with the delete of its target can still dangle, and every reader tolerates that
 * (a dangling id is shown as an id without a name).
 */

/** `undefined` keeps the current value, `null` clears it. */
const patched = <V>(current: V | undefined, patch: V | null | undefined): V | undefined =>
  patch === undefined ? current : (patch ?? undefined);

/** The object without its undefined members, so stored items hold no empty attributes. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

const nameTaken = (noun: string) => (entity: { name: string }) =>
  new ConflictError('NAME_TAKEN', `Another ${noun} is named "${entity.name}"`, { field: 'name' });

async function exists(
  ports: RegistryPorts,
  tenantId: string,
  kind: 'operators' | 'connectors' | 'projects',
  id: string,
) {
  return (await ports.registry[kind].get(tenantId, id)) !== undefined;
}

async function assertExists(
  ports: RegistryPorts,
  tenantId: string,
  kind: 'operators' | 'connectors' | 'projects',
  id: string,
  field: string,
): Promise<void> {
  if (await exists(ports, tenantId, kind, id)) return;
  const noun = kind.slice(0, -1);
  throw new UnprocessableError(`UNKNOWN_${noun.toUpperCase()}`, `No ${noun} ${id} (${field})`, {
    errors: [{ in: 'body', name: field, message: `no ${noun} ${id}` }],
  });
}

/** True when any (matching) entity exists: one page of one item. */
async function anyOf<T extends object>(
  repository: {
    list(tenantId: string, request: { limit: number; where: (e: T) => boolean }): Promise<{ items: T[] }>;
  },
  tenantId: string,
  where: (entity: T) => boolean,
): Promise<boolean> {
  return (await repository.list(tenantId, { limit: 1, where })).items.length > 0;
}

/** True when an active API key of the tenant is scoped to the account or project. */
async function activeKeyScopedTo(
  ports: RegistryPorts,
  tenantId: string,
  scope: { accountId?: string; projectId?: string },
): Promise<boolean> {
  let cursor: string | undefined;
  do {
    const page = await ports.apiKeys.listByTenant(tenantId, { limit: 200, ...(cursor ? { cursor } : {}) });
    const hit = page.items.some(
      (key) =>
        key.status === 'active' &&
        ((scope.accountId !== undefined && key.accountId === scope.accountId) ||
          (scope.projectId !== undefined && key.projectId === scope.projectId)),
    );
    if (hit) return true;
    cursor = page.nextCursor;
  } while (cursor);
  return false;
}

const inUse = (noun: string, id: string, by: string) =>
  new ConflictError(
    `${noun.toUpperCase()}_IN_USE`,
    `The ${noun} ${id} is still referenced by ${by}; remove those first`,
  );

// operators

export interface OperatorInput {
  id?: string;
  name: string;
  status?: OperatorStatus;
  contactEmail?: string;
}
export interface OperatorPatch {
  name?: string;
  status?: OperatorStatus;
  contactEmail?: string | null;
}

export const operators = entityService<Operator, OperatorInput, OperatorPatch>({
  noun: 'operator',
  code: 'OPERATOR',
  repository: (stores) => stores.operators,
  unique: { scope: 'OPERATOR_NAME', keyOf: (e) => nameKey(e.name), taken: nameTaken('operator') },
  optional: ['contactEmail'],
  build: (input) =>
    compact({ name: input.name, status: input.status ?? 'active', contactEmail: input.contactEmail }),
  apply: (current, patch) =>
    compact({
      name: patch.name ?? current.name,
      status: patch.status ?? current.status,
      contactEmail: patched(current.contactEmail, patch.contactEmail),
    }),
  assertDeletable: async (ports, tenantId, operator) => {
    if (await anyOf(ports.registry.connections, tenantId, (c) => c.operatorId === operator.id)) {
      throw inUse('operator', operator.id, 'connections');
    }
    if (await anyOf(ports.registry.accounts, tenantId, (a) => a.operatorId === operator.id)) {
      throw inUse('operator', operator.id, 'accounts');
    }
  },
});

// connectors

export interface ConnectorInput {
  id?: string;
  name: string;
  category?: string;
  description?: string;
}
export interface ConnectorPatch {
  name?: string;
  category?: string | null;
  description?: string | null;
}

export const connectors = entityService<Connector, ConnectorInput, ConnectorPatch>({
  noun: 'connector',
  code: 'CONNECTOR',
  repository: (stores) => stores.connectors,
  unique: { scope: 'CONNECTOR_NAME', keyOf: (e) => nameKey(e.name), taken: nameTaken('connector') },
  optional: ['category', 'description'],
  build: (input) => compact({ name: input.name, category: input.category, description: input.description }),
  apply: (current, patch) =>
    compact({
      name: patch.name ?? current.name,
      category: patched(current.category, patch.category),
      description: patched(current.description, patch.description),
    }),
  assertDeletable: async (ports, tenantId, connector) => {
    if (await anyOf(ports.registry.connections, tenantId, (c) => c.connectorId === connector.id)) {
      throw inUse('connector', connector.id, 'connections');
    }
  },
});

// connections: an operator's connection to a connector, one per pair

export interface ConnectionInput {
  id?: string;
  operatorId: string;
  connectorId: string;
  status?: ConnectionStatus;
}
export interface ConnectionPatch {
  status?: ConnectionStatus;
}

export const connections = entityService<Connection, ConnectionInput, ConnectionPatch>({
  noun: 'connection',
  code: 'CONNECTION',
  repository: (stores) => stores.connections,
  unique: {
    scope: 'CONNECTION_PAIR',
    keyOf: (e) => `${e.operatorId}\n${e.connectorId}`,
    taken: (e) =>
      new ConflictError(
        'CONNECTION_EXISTS',
        `Operator ${e.operatorId} already has a connection to ${e.connectorId}`,
      ),
  },
  optional: [],
  build: (input) => ({
    operatorId: input.operatorId,
    connectorId: input.connectorId,
    status: input.status ?? 'active',
  }),
  apply: (current, patch) => ({
    operatorId: current.operatorId,
    connectorId: current.connectorId,
    status: patch.status ?? current.status,
  }),
  validate: async (ports, tenantId, next, previous) => {
    if (previous) return; // the pair never changes
    await assertExists(ports, tenantId, 'operators', next.operatorId, 'operatorId');
    await assertExists(ports, tenantId, 'connectors', next.connectorId, 'connectorId');
  },
});

export function connectionFilter(query: {
  operatorId?: string;
  connectorId?: string;
  status?: ConnectionStatus;
}): ListFilter<Connection> | undefined {
  const { operatorId, connectorId, status } = query;
  if (operatorId === undefined && connectorId === undefined && status === undefined) return undefined;
  return {
    scope: JSON.stringify([operatorId, connectorId, status]),
    where: (c: Stored<Connection>) =>
      (operatorId === undefined || c.operatorId === operatorId) &&
      (connectorId === undefined || c.connectorId === connectorId) &&
      (status === undefined || c.status === status),
  };
}

// accounts

export interface AccountInput {
  id?: string;
  name: string;
  operatorId: string;
  projectIds?: string[];
}
export interface AccountPatch {
  name?: string;
  operatorId?: string;
  projectIds?: string[];
}

export const accounts = entityService<Account, AccountInput, AccountPatch>({
  noun: 'account',
  code: 'ACCOUNT',
  repository: (stores) => stores.accounts,
  optional: [],
  build: (input) => ({ name: input.name, operatorId: input.operatorId, projectIds: input.projectIds ?? [] }),
  apply: (current, patch) => ({
    name: patch.name ?? current.name,
    operatorId: patch.operatorId ?? current.operatorId,
    projectIds: patch.projectIds ?? current.projectIds,
  }),
  validate: async (ports, tenantId, next, previous) => {
    if (next.operatorId !== previous?.operatorId) {
      await assertExists(ports, tenantId, 'operators', next.operatorId, 'operatorId');
    }
    const added = next.projectIds.filter((id) => !previous?.projectIds.includes(id));
    const missing = (
      await Promise.all(
        added.map(async (id) => ((await exists(ports, tenantId, 'projects', id)) ? undefined : id)),
      )
    ).filter((id) => id !== undefined);
    if (missing.length > 0) {
      throw new UnprocessableError('UNKNOWN_PROJECT', `No project ${missing.join(', ')} (projectIds)`, {
        errors: missing.map((id) => ({ in: 'body', name: 'projectIds', message: `no project ${id}` })),
      });
    }
  },
  assertDeletable: async (ports, tenantId, account) => {
    if (await activeKeyScopedTo(ports, tenantId, { accountId: account.id })) {
      throw inUse('account', account.id, 'active API keys');
    }
  },
});

export function accountFilter(query: {
  operatorId?: string;
  projectId?: string;
}): ListFilter<Account> | undefined {
  const { operatorId, projectId } = query;
  if (operatorId === undefined && projectId === undefined) return undefined;
  return {
    scope: JSON.stringify([operatorId, projectId]),
    where: (a: Stored<Account>) =>
      (operatorId === undefined || a.operatorId === operatorId) &&
      (projectId === undefined || a.projectIds.includes(projectId)),
  };
}

// projects

export interface ProjectInput {
  id?: string;
  name: string;
  description?: string;
}
export interface ProjectPatch {
  name?: string;
  description?: string | null;
}

export const projects = entityService<Project, ProjectInput, ProjectPatch>({
  noun: 'project',
  code: 'PROJECT',
  repository: (stores) => stores.projects,
  unique: { scope: 'PROJECT_NAME', keyOf: (e) => nameKey(e.name), taken: nameTaken('project') },
  optional: ['description'],
  build: (input) => compact({ name: input.name, description: input.description }),
  apply: (current, patch) =>
    compact({
      name: patch.name ?? current.name,
      description: patched(current.description, patch.description),
    }),
  assertDeletable: async (ports, tenantId, project) => {
    if (await anyOf(ports.registry.accounts, tenantId, (a) => a.projectIds.includes(project.id))) {
      throw inUse('project', project.id, 'accounts');
    }
    if (await activeKeyScopedTo(ports, tenantId, { projectId: project.id })) {
      throw inUse('project', project.id, 'active API keys');
    }
  },
});
