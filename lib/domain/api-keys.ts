import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { UnauthorizedError } from './errors.ts';
import { ROLES, type Role } from './roles.ts';

/**
 * API keys look like `mh_<role>_<keyHex>_<secret>`. The key id (`key_<keyHex>`) is public and is
 * how a key is found, listed and revoked; the secret is shown once at creation and stored only as
 * its SHA-256 hash. Putting the id in the key makes verification one GetItem by primary key.
 */
export interface RateLimits {
  requestsPerMinute: number;
  requestsPerHour: number;
  requestsPerDay: number;
}

export interface ApiKeyRecord {
  keyId: string;
  tenantId: string;
  role: Role;
  accountId?: string;
  projectId?: string;
  name?: string;
  /** Hex SHA-256 of the secret part. */
  secretHash: string;
  status: 'active' | 'revoked';
  /** The first characters of the key, safe to show (`mh_platform_1a2b…`). */
  hint: string;
  rateLimits?: RateLimits;
  createdAt: string;
  revokedAt?: string;
}

export interface IssuedApiKey {
  record: ApiKeyRecord;
  /** The full key: returned once, never stored. */
  key: string;
}

const KEY_PATTERN = /^mh_([a-z]+)_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

export function issueApiKey(input: {
  tenantId: string;
  role: Role;
  accountId?: string;
  projectId?: string;
  name?: string;
  rateLimits?: RateLimits;
  now: Date;
}): IssuedApiKey {
  const keyHex = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  const key = `mh_${input.role}_${keyHex}_${secret}`;
  const record: ApiKeyRecord = {
    keyId: `key_${keyHex}`,
    tenantId: input.tenantId,
    role: input.role,
    secretHash: sha256Hex(secret),
    status: 'active',
    hint: `${key.slice(0, `mh_${input.role}_`.length + 4)}…`,
    createdAt: input.now.toISOString(),
    ...(input.accountId === undefined ? {} : { accountId: input.accountId }),
    ...(input.projectId === undefined ? {} : { projectId: input.projectId }),
    ...(input.name === undefined ? {} : { name: input.name }),
    ...(input.rateLimits === undefined ? {} : { rateLimits: input.rateLimits }),
  };
  return { record, key };
}

/** Splits a presented key into the role its text names, its id and secret; 401 for anything that is not a key. */
export function parseApiKey(key: string): { role: Role; keyId: string; secret: string } {
  const match = KEY_PATTERN.exec(key);
  const role = match?.[1];
  if (!match || !role || !(ROLES as readonly string[]).includes(role)) {
    throw new UnauthorizedError('INVALID_API_KEY', 'The bearer token is not a Meterhouse API key');
  }
  return { role: role as Role, keyId: `key_${match[2]}`, secret: match[3] ?? '' };
}

/** Constant-time comparison of a presented secret with a stored hash. */
export function secretMatches(secret: string, secretHash: string): boolean {
  const presented = Buffer.from(sha256Hex(secret), 'hex');
  const stored = Buffer.from(secretHash, 'hex');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}
