import { describe, expect, it } from 'vitest';
import { issueApiKey, parseApiKey, secretMatches, sha256Hex } from '#lib/domain/api-keys.ts';
import { UnauthorizedError } from '#lib/domain/errors.ts';

describe('API keys', () => {
  const now = new Date('2026-11-23T10:00:00Z');

  it('are random, carry their public id, and keep only the hash of the secret', () => {
    const a = issueApiKey({ tenantId: 'ten_1', role: 'platform', now });
    const b = issueApiKey({ tenantId: 'ten_1', role: 'platform', now });
    expect(a.key).not.toBe(b.key);
    expect(a.key).toMatch(/^mh_platform_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    const { keyId, secret } = parseApiKey(a.key);
    expect(keyId).toBe(a.record.keyId);
    expect(a.record.secretHash).toBe(sha256Hex(secret));
    expect(JSON.stringify(a.record)).not.toContain(secret);
    expect(a.record.hint).toBe(`${a.key.slice(0, 16)}…`);
  });

  it('verify the secret in constant time against the stored hash', () => {
    const { key, record } = issueApiKey({ tenantId: 'ten_1', role: 'ingest', now });
    const { secret } = parseApiKey(key);
    expect(secretMatches(secret, record.secretHash)).toBe(true);
    expect(secretMatches(`${secret.slice(0, -1)}x`, record.secretHash)).toBe(false);
  });

  it.each(['', 'Bearer', `mh_root_0123456789abcdef_${'a'.repeat(43)}`, 'mh_platform_XYZ_abc', 'sk_live_123'])(
    'reject %j as not a key',
    (value) => {
      expect(() => parseApiKey(value)).toThrow(UnauthorizedError);
    },
  );
});
