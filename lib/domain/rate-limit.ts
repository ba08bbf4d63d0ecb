import { TooManyRequestsError } from './errors.ts';
import type { Principal, Role } from './roles.ts';

/**
 * Request rate limits per API key: a token bucket that holds `burst` requests and refills at
 * `requestsPerSecond`. Each role has a default; a tenant may set its own per role in its
 * platform settings. Pure: the caller passes the time.
 */
export interface RateLimit {
  requestsPerSecond: number;
  burst: number;
}

/** A tenant's own limits, by role (platform settings `rateLimits`); roles left out keep the default. */
export type RateLimitOverrides = Partial<Record<Role, RateLimit>>;

/**
 * Defaults by role. Ingest: the benchmark's ~100k events/s in 1,000-event batches is ~100
 * requests/s on one key, with 16 in flight; 500/s with a burst of 1,000 leaves it five-fold room.
 * Platform keys serve dashboards and the registry (a page load is a few dozen requests); account
 * keys a customer portal.
 */
export const DEFAULT_RATE_LIMITS: Readonly<Record<Role, RateLimit>> = {
  ingest: { requestsPerSecond: 500, burst: 1_000 },
  platform: { requestsPerSecond: 100, burst: 1_000 },
  account: { requestsPerSecond: 20, burst: 200 },
};

export function rateLimitOf(role: Role, overrides: RateLimitOverrides | undefined): RateLimit {
  return overrides?.[role] ?? DEFAULT_RATE_LIMITS[role];
}

export type RateDecision =
  | { allowed: true; limit: number; remaining: number }
  | { allowed: false; limit: number; remaining: 0; retryAfterSeconds: number };

/** One key's bucket. */
export class TokenBucket {
  #tokens: number;
  #at: number;
  #limit: RateLimit;

  constructor(limit: RateLimit, nowMs: number) {
    this.#limit = limit;
    this.#tokens = limit.burst;
    this.#at = nowMs;
  }

  /** Takes one request's token at `nowMs`; a changed limit applies from now on. */
  take(nowMs: number, limit: RateLimit = this.#limit): RateDecision {
    this.#refill(nowMs);
    if (limit.burst !== this.#limit.burst || limit.requestsPerSecond !== this.#limit.requestsPerSecond) {
      this.#limit = limit;
      this.#tokens = Math.min(this.#tokens, limit.burst);
    }
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return { allowed: true, limit: limit.burst, remaining: Math.floor(this.#tokens) };
    }
    const retryAfterSeconds = Math.max(1, Math.ceil((1 - this.#tokens) / limit.requestsPerSecond));
    return { allowed: false, limit: limit.burst, remaining: 0, retryAfterSeconds };
  }

  /** Whether the bucket is full again at `nowMs` (then forgetting it changes nothing). */
  isFull(nowMs: number): boolean {
    this.#refill(nowMs);
    return this.#tokens >= this.#limit.burst;
  }

  #refill(nowMs: number): void {
    const elapsedSeconds = Math.max(0, nowMs - this.#at) / 1000;
    this.#tokens = Math.min(this.#limit.burst, this.#tokens + elapsedSeconds * this.#limit.requestsPerSecond);
    this.#at = Math.max(this.#at, nowMs);
  }
}

/** Where the middleware takes tokens: in this container's memory, or the local runtime's main thread. */
export interface RateLimiter {
  take(keyId: string, limit: RateLimit): Promise<RateDecision>;
}

/** Buckets by key id in memory. Full buckets are dropped now and then, so idle keys cost nothing. */
export class InMemoryRateLimiter implements RateLimiter {
  readonly #buckets = new Map<string, TokenBucket>();
  readonly #now: () => number;
  #takesSinceSweep = 0;

  constructor(now: () => number = () => performance.timeOrigin + performance.now()) {
    this.#now = now;
  }

  takeNow(keyId: string, limit: RateLimit): RateDecision {
    const now = this.#now();
    if (++this.#takesSinceSweep >= 10_000) this.#sweep(now);
    let bucket = this.#buckets.get(keyId);
    if (!bucket) {
      bucket = new TokenBucket(limit, now);
      this.#buckets.set(keyId, bucket);
    }
    return bucket.take(now, limit);
  }

  async take(keyId: string, limit: RateLimit): Promise<RateDecision> {
    return this.takeNow(keyId, limit);
  }

  #sweep(now: number): void {
    this.#takesSinceSweep = 0;
    for (const [keyId, bucket] of this.#buckets) if (bucket.isFull(now)) this.#buckets.delete(keyId);
  }
}

/** 429 for a refused request; the error mapper turns `retryAfterSeconds` into `Retry-After`. */
export class RateLimitedError extends TooManyRequestsError {
  readonly retryAfterSeconds: number;
  /** `Retry-After` and the RateLimit headers, which the error mapper adds to the answer. */
  readonly headers: Record<string, string>;
  constructor(principal: Principal, limit: RateLimit, decision: Extract<RateDecision, { allowed: false }>) {
    super(
      'RATE_LIMITED',
      `This ${principal.role} key is over its limit of ${limit.requestsPerSecond} requests/s ` +
        `(bursts up to ${limit.burst}); retry in ${decision.retryAfterSeconds} s`,
      { retryAfterSeconds: decision.retryAfterSeconds },
    );
    this.retryAfterSeconds = decision.retryAfterSeconds;
    this.headers = rateLimitHeaders(decision);
  }
}

/** The headers a rate-limited route answers with (draft-ietf-httpapi-ratelimit-headers, first form). */
export function rateLimitHeaders(decision: RateDecision): Record<string, string> {
  return {
    'ratelimit-limit': String(decision.limit),
    'ratelimit-remaining': String(decision.remaining),
    ...(decision.allowed ? {} : { 'retry-after': String(decision.retryAfterSeconds) }),
  };
}

/**
 * A tenant's overrides, read at most once per `ttlMs` per tenant (a settings change made
 * elsewhere takes effect within that time, as a key revocation does).
 */
export class TenantRateLimits {
  readonly #read: (tenantId: string) => Promise<RateLimitOverrides | undefined>;
  readonly #ttlMs: number;
  readonly #entries = new Map<string, { overrides: RateLimitOverrides | undefined; readAt: number }>();

  constructor(read: (tenantId: string) => Promise<RateLimitOverrides | undefined>, ttlMs: number) {
    this.#read = read;
    this.#ttlMs = ttlMs;
  }

  async limitFor(principal: Principal): Promise<RateLimit> {
    const now = Date.now();
    const cached = this.#entries.get(principal.tenantId);
    if (cached && now - cached.readAt < this.#ttlMs) return rateLimitOf(principal.role, cached.overrides);
    const overrides = await this.#read(principal.tenantId);
    if (this.#ttlMs > 0) {
      if (this.#entries.size >= 10_000) this.#entries.clear();
      this.#entries.set(principal.tenantId, { overrides, readAt: now });
    }
    return rateLimitOf(principal.role, overrides);
  }
}
