/**
 * The delivery retry schedule, on top of (never instead of) Lambda's own retries.
 *
 * | attempt | waits after the previous failure | earliest since the first attempt |
 * |---|---|---|
 * | 1 | — (at once) | 0 |
 * | 2 | 5 s | 5 s |
 * | 3 | 30 s | 35 s |
 * | 4 | 2 min | 2 min 35 s |
 * | 5 | 10 min | 12 min 35 s |
 * | 6 | 30 min | 42 min 35 s |
 * | 7 | 2 h | 2 h 42 min 35 s |
 * | 8 | 6 h | 8 h 42 min 35 s |
 *
 * After the eighth failed attempt the delivery is dead (the owner can read and resend it). Every
 * wait is jittered by ±20 % so deliveries that failed together (a receiver's outage) do not all
 * come back in the same second; a receiver's `Retry-After` wins when it asks for longer than the
 * schedule, up to 6 h (a receiver cannot park a delivery for days, past the owner's sight).
 * Like Standard Webhooks and Svix: a few quick retries for blips, then hours for outages.
 */
export const RETRY_DELAYS_MS: readonly number[] = [
  5_000, 30_000, 120_000, 600_000, 1_800_000, 7_200_000, 21_600_000,
];
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;
export const JITTER_RATIO = 0.2;
export const MAX_RETRY_AFTER_MS = 6 * 3_600_000;

/** A source of uniform numbers in [0, 1): `Math.random` in service, a fixed one in tests. */
export type RandomSource = () => number;

/**
 * When to try again after `attempts` attempts have failed (the last one at `now`), or `'dead'`
 * when that was the last. `retryAfter` is the receiver's `Retry-After` header, as sent.
 */
export function nextAttemptAt(
  attempts: number,
  now: Date,
  retryAfter?: string,
  random: RandomSource = Math.random,
): Date | 'dead' {
  if (!Number.isInteger(attempts) || attempts < 1)
    throw new RangeError(`attempts must be ≥ 1, got ${attempts}`);
  const base = RETRY_DELAYS_MS[attempts - 1];
  if (base === undefined) return 'dead';
  const jittered = Math.round(base * (1 + JITTER_RATIO * (2 * random() - 1)));
  const asked = parseRetryAfter(retryAfter, now);
  const delay = asked === undefined ? jittered : Math.max(jittered, Math.min(asked, MAX_RETRY_AFTER_MS));
  return new Date(now.getTime() + delay);
}

/**
 * `Retry-After` in milliseconds from `now` (RFC 9110 §10.2.3: delay-seconds or an HTTP-date);
 * undefined when absent or unreadable, 0 for a date in the past.
 */
export function parseRetryAfter(header: string | undefined, now: Date): number | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1_000;
  // Only HTTP-dates ("Sun, 06 Nov 1994 08:49:37 GMT"); Date.parse alone would also take "5".
  if (!/^[A-Za-z]{3},? .*\d{2}:\d{2}:\d{2} GMT$/.test(value)) return undefined;
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now.getTime());
}
