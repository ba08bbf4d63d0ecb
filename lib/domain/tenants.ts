import { randomBytes } from 'node:crypto';
import type { ApiKeyRepository } from '#lib/domain/ports/api-key-repository.ts';
import type { TenantRepository } from '#lib/domain/ports/tenant-repository.ts';
import { type IssuedApiKey, issueApiKey, type RateLimits } from './api-keys.ts';
import { NotFoundError, ValidationError } from './errors.ts';
import type { Role } from './roles.ts';

export interface TenantPorts {
  tenants: TenantRepository;
  apiKeys: ApiKeyRepository;
}

export interface CreatedTenant {
  tenantId: string;
  name: string;
  /** Full keys, shown once. */
  keys: { platform: string; ingest: string };
}

export const newTenantId = () => `ten_${randomBytes(8).toString('hex')}`;

/** A new tenant starts with one platform key (everything) and one ingest key (POST events only). */
export async function createTenant(ports: TenantPorts, name: string, now: Date): Promise<CreatedTenant> {
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > 200) {
    throw new ValidationError('INVALID_NAME', 'A tenant name is 1 to 200 characters');
  }
  const tenantId = newTenantId();
  await ports.tenants.create({ tenantId, name: trimmed, createdAt: now.toISOString() });
  const platform = await createApiKey(ports, { tenantId, role: 'platform', name: 'platform (initial)' }, now);
  const ingest = await createApiKey(ports, { tenantId, role: 'ingest', name: 'ingest (initial)' }, now);
  return { tenantId, name: trimmed, keys: { platform: platform.key, ingest: ingest.key } };
}

export interface NewApiKey {
  tenantId: string;
  role: Role;
  accountId?: string;
  projectId?: string;
  name?: string;
  rateLimits?: RateLimits;
}

export async function createApiKey(ports: TenantPorts, input: NewApiKey, now: Date): Promise<IssuedApiKey> {
  if (input.role === 'account' && !input.accountId) {
    throw new ValidationError('ACCOUNT_REQUIRED', 'An account key must name its account');
  }
  if (input.role !== 'account' && input.accountId) {
    throw new ValidationError('ACCOUNT_NOT_ALLOWED', `A ${input.role} key is not bound to an account`);
  }
  if (!(await ports.tenants.get(input.tenantId))) {
    throw new NotFoundError('TENANT_NOT_FOUND', `No tenant ${input.tenantId}`);
  }
  const issued = issueApiKey({ ...input, now });
  await ports.apiKeys.create(issued.record);
  return issued;
}
