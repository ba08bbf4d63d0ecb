import type { StoredApiKey } from '#lib/domain/ports/api-key-repository.ts';
import type { RateLimits } from '../api-keys.ts';
import { NotFoundError, UnprocessableError } from '../errors.ts';
import type { Role } from '../roles.ts';
import { createApiKey } from '../tenants.ts';
import { type RegistryPorts, versionConflict } from './entities.ts';
import { type CursorKeySource, openCursor, type Page, type PageQuery, sealCursor } from './paging.ts';

/**
 * API keys managed through the platform API. A key's id is global (verifying a bearer key is one
 * GetItem by id), so every read and write here checks the key's tenant, and a key of another
 * tenant is answered exactly like a key that does not exist: 404. The secret is returned once,
 * by create; no view ever carries it or its hash. DELETE revokes (the record stays, `revoked`).
 */
export interface ApiKeyView {
  keyId: string;
  name: string | null;
  role: Role;
  accountId: string | null;
  projectId: string | null;
  status: 'active' | 'revoked';
  /** The first characters of the key, safe to show. */
  hint: string;
  rateLimits: RateLimits | null;
  createdAt: string;
  revokedAt: string | null;
  version: number;
}

export function apiKeyView(record: StoredApiKey): ApiKeyView {
  return {
    keyId: record.keyId,
    name: record.name ?? null,
    role: record.role,
    accountId: record.accountId ?? null,
    projectId: record.projectId ?? null,
    status: record.status,
    hint: record.hint,
    rateLimits: record.rateLimits ?? null,
    createdAt: record.createdAt,
    revokedAt: record.revokedAt ?? null,
    version: record.version,
  };
}

export interface ApiKeyInput {
  role: Role;
  name?: string;
  accountId?: string;
  projectId?: string;
  rateLimits?: RateLimits;
}

export interface ApiKeyPatch {
  name?: string | null;
  rateLimits?: RateLimits | null;
}

const notFound = (keyId: string) => new NotFoundError('API_KEY_NOT_FOUND', `No API key ${keyId}`);

/** Issues a key; its account and project must be in the registry, the project within the account. */
export async function createKey(
  ports: RegistryPorts,
  tenantId: string,
  input: ApiKeyInput,
): Promise<{ view: ApiKeyView; key: string }> {
  const account = input.accountId ? await ports.registry.accounts.get(tenantId, input.accountId) : undefined;
  if (input.accountId && !account) {
    throw new UnprocessableError('UNKNOWN_ACCOUNT', `No account ${input.accountId} (accountId)`);
  }
  if (input.projectId) {
    if (!(await ports.registry.projects.get(tenantId, input.projectId))) {
      throw new UnprocessableError('UNKNOWN_PROJECT', `No project ${input.projectId} (projectId)`);
    }
    if (account && !account.projectIds.includes(input.projectId)) {
      throw new UnprocessableError(
        'PROJECT_NOT_IN_ACCOUNT',
        `Project ${input.projectId} is not one of account ${account.id}'s projects`,
      );
    }
  }
  const issued = await createApiKey(ports, { tenantId, ...input }, ports.clock());
  return { view: apiKeyView({ ...issued.record, version: 1 }), key: issued.key };
}

export async function listKeys(
  ports: RegistryPorts & CursorKeySource,
  tenantId: string,
  page: PageQuery,
): Promise<Page<ApiKeyView>> {
  const scope = `${tenantId}|APIKEY|`;
  const inner = await openCursor(ports, scope, page.cursor);
  const result = await ports.apiKeys.listByTenant(tenantId, {
    limit: page.limit,
    ...(inner ? { cursor: inner } : {}),
  });
  return {
    items: result.items.map(apiKeyView),
    nextCursor: result.nextCursor ? await sealCursor(ports, scope, result.nextCursor) : null,
  };
}

export async function getKey(ports: RegistryPorts, tenantId: string, keyId: string): Promise<ApiKeyView> {
  const record = await ports.apiKeys.get(keyId);
  if (!record || record.tenantId !== tenantId) throw notFound(keyId);
  return apiKeyView(record);
}

export async function updateKey(
  ports: RegistryPorts,
  tenantId: string,
  keyId: string,
  patch: ApiKeyPatch,
  expectedVersion?: number,
): Promise<ApiKeyView> {
  const result = await ports.apiKeys.update(keyId, tenantId, patch, expectedVersion);
  if (result === 'not-found') throw notFound(keyId);
  if (result === 'version-conflict') throw versionConflict('API key', keyId);
  return apiKeyView(result);
}

/** Revokes the key (idempotent: revoking a revoked key changes nothing and answers the same). */
export async function revokeKey(
  ports: RegistryPorts,
  tenantId: string,
  keyId: string,
  expectedVersion?: number,
): Promise<ApiKeyView> {
  const current = await ports.apiKeys.get(keyId);
  if (!current || current.tenantId !== tenantId) throw notFound(keyId);
  if (expectedVersion !== undefined && current.version !== expectedVersion)
    throw versionConflict('API key', keyId);
  if (current.status === 'revoked') return apiKeyView(current);
  const result = await ports.apiKeys.update(
    keyId,
    tenantId,
    { revokedAt: ports.clock().toISOString() },
    expectedVersion,
  );
  if (result === 'not-found') throw notFound(keyId);
  if (result === 'version-conflict') throw versionConflict('API key', keyId);
  return apiKeyView(result);
}
