import { randomUUID } from 'node:crypto';
import type { UniqueClaimRepository } from '#lib/domain/ports/registry-repository.ts';
import { ConflictError, type DomainError } from '../errors.ts';

/**
 * Unique keys (operator names, connection pairs, …) without transactions.
 *
 * A key is held by a claim item written with a single conditional put before the entity that
 * uses it; the entity records the claim's token. The entity item is the truth, the claim only a
 * lock: a claim is VALID while its owner entity currently carries that key. Order of writes:
 *
 * - create: claim key → write entity (conditional); if the entity write fails, release the claim.
 * - rename: claim new key → replace entity (conditional on version) → release the old claim.
 * - delete: delete entity (conditional on version) → release its claim.
 *
 * A client never sees a claim, so a crash between two writes can leave only a claim that no
 * entity uses (never an entity without its claim). Such an orphan is taken over by the next
 * claimant once it is older than CLAIM_GRACE_MS and its owner does not carry the key: every
 * request that could still write under it has timed out by then (the longest Lambda timeout is
 * 30 s), so the takeover cannot race a write. Releases are conditional on the releaser's token,
 * and a request releases only a claim it created fresh: a claim that was already its owner's
 * (a retry, a concurrent request for the same entity) is left for the lazy takeover, so no
 * request ever deletes a claim another in-flight request relies on.
 */
export const CLAIM_GRACE_MS = 120_000;
const MAX_ATTEMPTS = 4;

export interface HeldClaim {
  token: string;
  /** True when this request created the claim; only then may it release it on failure. */
  fresh: boolean;
}

export interface ClaimRequest {
  tenantId: string;
  scope: string;
  key: string;
  ownerId: string;
  now: Date;
  /** The key the given entity currently carries, or undefined when it does not exist. */
  currentKeyOf: (ownerId: string) => Promise<string | undefined>;
  /** The error to throw when the key is validly held by another entity. */
  taken: () => DomainError;
}

export async function claimUnique(claims: UniqueClaimRepository, request: ClaimRequest): Promise<HeldClaim> {
  const { tenantId, scope, key, ownerId, now } = request;
  const token = randomUUID();
  const claim = { ownerId, token, claimedAt: now.toISOString() };
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
    if (await claims.put(tenantId, scope, key, claim, { absent: true })) return { token, fresh: true };
    const existing = await claims.get(tenantId, scope, key);
    if (!existing) continue; // released meanwhile: try again
    if (existing.ownerId === ownerId) {
      if (await claims.put(tenantId, scope, key, claim, { ownerId })) return { token, fresh: false };
      continue;
    }
    const age = now.getTime() - Date.parse(existing.claimedAt);
    if (!(age >= CLAIM_GRACE_MS) || (await request.currentKeyOf(existing.ownerId)) === key)
      throw request.taken();
    // An orphan: its owner never wrote, was renamed or deleted, and nothing can still be writing under it.
    if (await claims.put(tenantId, scope, key, claim, { token: existing.token }))
      return { token, fresh: true };
  }
  throw new ConflictError('CONCURRENT_UPDATE', 'The resource is being changed by another request; retry');
}

/** Best effort: a claim that cannot be released now is an orphan, taken over later. */
export async function releaseUnique(
  claims: UniqueClaimRepository,
  tenantId: string,
  scope: string,
  key: string,
  token: string,
): Promise<void> {
  try {
    await claims.delete(tenantId, scope, key, token);
  } catch {
    // left as an orphan on purpose: see the protocol above
  }
}
