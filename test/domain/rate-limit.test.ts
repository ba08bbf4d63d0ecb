import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RATE_LIMITS,
  InMemoryRateLimiter,
  rateLimitOf,
  TokenBucket,
} from '#lib/domain/rate-limit.ts';

describe('token bucket', () => {
  it('lets a burst through, refuses the next with the seconds until a token is back, then refills', () => {
    const bucket = new TokenBucket({ requestsPerSecond: 2, burst: 3 }, 0);
    expect([bucket.take(0), bucket.take(0), bucket.take(0)].map((d) => d.allowed)).toEqual([
      true,
      true,
      true,
    ]);
    expect(bucket.take(0)).toEqual({ allowed: false, limit: 3, remaining: 0, retryAfterSeconds: 1 });
    expect(bucket.take(500)).toMatchObject({ allowed: true, remaining: 0 });
    expect(bucket.take(500).allowed).toBe(false);
    // A long pause refills to the burst, never beyond it.
    expect(bucket.take(60_000)).toMatchObject({ allowed: true, remaining: 2 });
  });

  it('says how long to wait at a slow rate, and refills at a changed rate from then on', () => {
    const bucket = new TokenBucket({ requestsPerSecond: 0.1, burst: 1 }, 0);
    expect(bucket.take(0).allowed).toBe(true);
    expect(bucket.take(1_000)).toMatchObject({ allowed: false, retryAfterSeconds: 9 });
    const faster = { requestsPerSecond: 100, burst: 10 };
    expect(bucket.take(2_000, faster)).toMatchObject({ allowed: false, retryAfterSeconds: 1 });
    expect(bucket.take(2_010, faster)).toMatchObject({ allowed: true, limit: 10 });
  });

  it('keeps one bucket per key', () => {
    let now = 0;
    const limiter = new InMemoryRateLimiter(() => now);
    const limit = { requestsPerSecond: 1, burst: 1 };
    expect(limiter.takeNow('key_a', limit).allowed).toBe(true);
    expect(limiter.takeNow('key_a', limit).allowed).toBe(false);
    expect(limiter.takeNow('key_b', limit).allowed).toBe(true);
    now = 1_000;
    expect(limiter.takeNow('key_a', limit).allowed).toBe(true);
  });

  it("takes a tenant's limit for a role where it sets one, else the role's default", () => {
    const own = { requestsPerSecond: 5, burst: 5 };
    expect(rateLimitOf('ingest', { ingest: own })).toEqual(own);
    expect(rateLimitOf('platform', { ingest: own })).toEqual(DEFAULT_RATE_LIMITS.platform);
    expect(rateLimitOf('account', undefined)).toEqual(DEFAULT_RATE_LIMITS.account);
  });
});
