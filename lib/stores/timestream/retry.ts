import { UnavailableError } from '../../domain/errors.ts';

/**
 * Bounded retry with exponential backoff and full jitter (delay drawn uniformly from
 * [0, min(maxDelayMs, baseDelayMs · 2^attempt)]), as AWS recommends for throttled APIs: jitter
 * spreads the retries of concurrent Lambdas instead of having them hit the table in lockstep.
 */
export interface RetryPolicy {
  /** Total attempts, the first included (≥ 1). */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export type Sleep = (ms: number) => Promise<void>;

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 3_000 };

/** A readiness probe answers fast: one retry, short delays. */
export const PING_RETRY_POLICY: RetryPolicy = { maxAttempts: 2, baseDelayMs: 100, maxDelayMs: 500 };

/** The injectable parts of a store's options (tests give fake timers and a fixed random). */
export interface RetryInjection {
  retry?: RetryPolicy;
  sleep?: Sleep;
  random?: () => number;
}

/** The set members of `options`, to spread into a target without passing `undefined`s on. */
export function retryInjection(options: RetryInjection): RetryInjection {
  const { retry, sleep, random } = options;
  return { ...(retry ? { retry } : {}), ...(sleep ? { sleep } : {}), ...(random ? { random } : {}) };
}

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function backoffDelayMs(
  retry: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return Math.floor(random() * ceiling);
}

const TRANSIENT_NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN']);

/**
 * Errors worth another attempt: throttling, Timestream's InternalServerException, any 5xx or
 * server-fault SDK error, and transient network failures. Safe for WriteRecords because a re-sent
 * record is an idempotent upsert (see records.ts), and for Query because it only reads.
 */
export function isRetryableAwsError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as {
    name?: unknown;
    code?: unknown;
    $fault?: unknown;
    $retryable?: unknown;
    $metadata?: { httpStatusCode?: unknown };
  };
  if (e.name === 'ThrottlingException' || e.name === 'InternalServerException') return true;
  if (e.name === 'TimeoutError' || e.name === 'RequestTimeout') return true;
  if (e.$fault === 'server' || e.$retryable !== undefined) return true;
  const status = e.$metadata?.httpStatusCode;
  if (typeof status === 'number' && status >= 500) return true;
  return typeof e.code === 'string' && TRANSIENT_NETWORK_CODES.has(e.code);
}

export interface RetryOptions {
  policy?: RetryPolicy;
  sleep?: Sleep;
  random?: () => number;
  isRetryable?: (error: unknown) => boolean;
  /** Names the operation in the error thrown once attempts are exhausted. */
  operation: string;
  /** `code` of the UnavailableError thrown once attempts are exhausted. */
  code: string;
}

/**
 * Runs `op` until it succeeds, fails with a non-retryable error (rethrown as is), or runs out of
 * attempts: then it throws an UnavailableError (503, safe to retry) whose `cause` is the last error.
 */
export async function withRetry<T>(op: () => Promise<T>, options: RetryOptions): Promise<T> {
  const policy = options.policy ?? DEFAULT_RETRY_POLICY;
  const sleep = options.sleep ?? realSleep;
  const isRetryable = options.isRetryable ?? isRetryableAwsError;
  const attempts = Math.max(1, policy.maxAttempts);
  let last: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (attempt > 0) await sleep(backoffDelayMs(attempt - 1, policy, options.random));
    try {
      return await op();
    } catch (error) {
      if (!isRetryable(error)) throw error;
      last = error;
    }
  }
  const name = last instanceof Error ? last.name : 'Error';
  const unavailable = new UnavailableError(
    options.code,
    `${options.operation} still failing after ${attempts} attempts (${name})`,
  );
  unavailable.cause = last;
  throw unavailable;
}
