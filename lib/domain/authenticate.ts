import type { ApiKeyRepository } from '#lib/domain/ports/api-key-repository.ts';

/** Where authentication reads keys: it may answer from a short-lived cache (runtime.authKeyLookup). */
export type ApiKeyLookup = Pick<ApiKeyRepository, 'get'>;

import { parseApiKey, secretMatches } from './api-keys.ts';
import { ForbiddenError, UnauthorizedError } from './errors.ts';
import type { Principal, Role } from './roles.ts';

/** Resolves `Authorization: Bearer <key>` to a principal; 401 for missing, unknown or revoked keys. */
export async function authenticate(
  authorization: string | undefined,
  apiKeys: ApiKeyLookup,
): Promise<Principal> {
  if (!authorization) {
    throw new UnauthorizedError('MISSING_API_KEY', 'Send an API key as "Authorization: Bearer <key>"');
  }
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!match?.[1]) {
    throw new UnauthorizedError('INVALID_API_KEY', 'The Authorization header must be "Bearer <key>"');
  }
  const { role, keyId, secret } = parseApiKey(match[1]);
  const record = await apiKeys.get(keyId);
  // One message for unknown and wrong-secret keys, and for a key whose text names another role
  // than it was issued with (`mh_ingest_…` over a platform key's id and secret): a key is valid
  // only exactly as it was issued, and a caller cannot probe which key ids exist.
  if (!record || record.role !== role || !secretMatches(secret, record.secretHash)) {
    throw new UnauthorizedError('INVALID_API_KEY', 'The API key is not valid');
  }
  if (record.status !== 'active') {
    throw new UnauthorizedError('REVOKED_API_KEY', 'The API key has been revoked');
  }
  return {
    tenantId: record.tenantId,
    keyId: record.keyId,
    role: record.role,
    ...(record.accountId === undefined ? {} : { accountId: record.accountId }),
  };
}

/**
 * A route names the role it needs. `platform` keys may do everything of their tenant; other roles
 * only what their route names (`ingest` posts events, `account` reads its own account).
 */
export function authorize(principal: Principal, required: Role): void {
  if (principal.role === 'platform' || principal.role === required) return;
  throw new ForbiddenError(
    'INSUFFICIENT_ROLE',
    `This endpoint needs a ${required} key; the key presented is a ${principal.role} key`,
  );
}

/** An `account` key may read only its own account; existence of other accounts must not leak. */
export function assertAccountAccess(principal: Principal, accountId: string): void {
  if (principal.role === 'account' && principal.accountId !== accountId) {
    throw new ForbiddenError('ACCOUNT_SCOPE', 'This key may read only its own account');
  }
}
