import type { ApiKeyRepository } from '#lib/domain/ports/api-key-repository.ts';
import type { RateLimits } from '../domain/api-keys.ts';
import { assertAccountAccess } from '../domain/authenticate.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../domain/errors.ts';
import type { Principal } from '../domain/roles.ts';

/** Whose usage a developer-usage request reads, and the rate limits it is measured against. */
export interface DeveloperScope {
  tenantId: string;
  accountId: string;
  /** Only this key's requests when set. */
  keyId?: string;
  /** The configured limits in scope (see resolveDeveloperScope); null when none are configured. */
  limits: RateLimits | null;
}

const KEY_PAGE_SIZE = 100;

/**
 * An `account` key reads its own account (it may name it in `accountId`, and no other: 403);
 * a `platform` key must name the account (`accountId`, else 400 ACCOUNT_REQUIRED). An account
 * nobody has sent events for is not an error: its usage is all zeros.
 *
 * `keyId` must be a key of that account (else 404, whether the key is unknown, another
 * account's or another tenant's): its own limits apply, revoked or not, since its past usage is
 * still measured against them. Without `keyId` the limits are the sum over the account's ACTIVE
 * keys that have limits configured, which is what the account may send in total.
 */
export async function resolveDeveloperScope(
  principal: Principal,
  query: { accountId?: string | undefined; keyId?: string | undefined },
  apiKeys: ApiKeyRepository,
): Promise<DeveloperScope> {
  let accountId: string;
  if (principal.role === 'account') {
    if (!principal.accountId)
      throw new ForbiddenError('ACCOUNT_SCOPE', 'This key is not bound to an account');
    accountId = query.accountId ?? principal.accountId;
    assertAccountAccess(principal, accountId);
  } else {
    if (query.accountId === undefined) {
      throw new ValidationError(
        'ACCOUNT_REQUIRED',
        "query parameter 'accountId': a platform key must name the account whose usage to read",
        { parameter: 'accountId' },
      );
    }
    accountId = query.accountId;
  }
  const { tenantId } = principal;

  if (query.keyId !== undefined) {
    const record = await apiKeys.get(query.keyId);
    if (!record || record.tenantId !== tenantId || record.accountId !== accountId) {
      throw new NotFoundError(
        'KEY_NOT_FOUND',
        `query parameter 'keyId': account ${accountId} has no key ${query.keyId}`,
        {
          parameter: 'keyId',
        },
      );
    }
    return { tenantId, accountId, keyId: record.keyId, limits: record.rateLimits ?? null };
  }

  const configured: RateLimits[] = [];
  let cursor: string | undefined;
  do {
    const page = await apiKeys.listByTenant(tenantId, {
      limit: KEY_PAGE_SIZE,
      ...(cursor === undefined ? {} : { cursor }),
    });
    for (const key of page.items) {
      if (key.accountId === accountId && key.status === 'active' && key.rateLimits)
        configured.push(key.rateLimits);
    }
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  const limits =
    configured.length === 0
      ? null
      : configured.reduce((sum, key) => ({
          requestsPerMinute: sum.requestsPerMinute + key.requestsPerMinute,
          requestsPerHour: sum.requestsPerHour + key.requestsPerHour,
          requestsPerDay: sum.requestsPerDay + key.requestsPerDay,
        }));
  return { tenantId, accountId, limits };
}
