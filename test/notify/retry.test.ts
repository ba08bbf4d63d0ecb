import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  JITTER_RATIO,
  MAX_ATTEMPTS,
  MAX_RETRY_AFTER_MS,
  nextAttemptAt,
  parseRetryAfter,
  RETRY_DELAYS_MS,
} from '#lib/domain/notifications/retry.ts';

const now = new Date('2026-11-23T10:00:00Z');
const middle = () => 0.5; // no jitter
const delayAfter = (attempts: number, retryAfter?: string, random = middle) => {
  const next = nextAttemptAt(attempts, now, retryAfter, random);
  return next === 'dead' ? 'dead' : next.getTime() - now.getTime();
};

describe('retry schedule', () => {
  it('waits 5 s, 30 s, 2 min, 10 min, 30 min, 2 h, 6 h, then the delivery is dead', () => {
    const waits = Array.from({ length: MAX_ATTEMPTS }, (_, i) => delayAfter(i + 1));
    expect(waits).toEqual([5_000, 30_000, 120_000, 600_000, 1_800_000, 7_200_000, 21_600_000, 'dead']);
    expect(MAX_ATTEMPTS).toBe(8);
  });

  it('jitters each wait by at most ±20 %, deterministically for a given random source', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: RETRY_DELAYS_MS.length }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempts, r) => {
          const base = RETRY_DELAYS_MS[attempts - 1] ?? 0;
          const wait = delayAfter(attempts, undefined, () => r);
          expect(wait).toBe(delayAfter(attempts, undefined, () => r));
          expect(wait).toBeGreaterThanOrEqual(Math.floor(base * (1 - JITTER_RATIO)));
          expect(wait).toBeLessThanOrEqual(Math.ceil(base * (1 + JITTER_RATIO)));
        },
      ),
    );
    expect(delayAfter(1, undefined, () => 0)).toBe(4_000);
    expect(delayAfter(1, undefined, () => 0.999_999)).toBe(6_000);
  });

  it("honours a receiver's Retry-After when it asks for longer, in seconds or as an HTTP date", () => {
    expect(delayAfter(1, '120')).toBe(120_000);
    expect(delayAfter(1, 'Mon, 23 Nov 2026 10:01:00 GMT')).toBe(60_000);
    // Shorter than the schedule: the schedule wins.
    expect(delayAfter(3, '1')).toBe(120_000);
    expect(delayAfter(1, 'Mon, 23 Nov 2026 09:00:00 GMT')).toBe(5_000);
  });

  it('caps Retry-After at 6 h and ignores what it cannot read', () => {
    expect(delayAfter(1, String(86_400 * 30))).toBe(MAX_RETRY_AFTER_MS);
    expect(delayAfter(1, 'soon')).toBe(5_000);
    expect(delayAfter(1, '-5')).toBe(5_000);
    expect(delayAfter(1, '1.5')).toBe(5_000);
  });

  it('still ends dead after the last attempt, whatever Retry-After says', () => {
    expect(nextAttemptAt(MAX_ATTEMPTS, now, '5')).toBe('dead');
  });

  it('rejects an attempt count that is not a positive integer', () => {
    expect(() => nextAttemptAt(0, now)).toThrow(RangeError);
    expect(() => nextAttemptAt(1.5, now)).toThrow(RangeError);
  });
});

describe('Retry-After', () => {
  it.each([
    [undefined, undefined],
    ['0', 0],
    [' 30 ', 30_000],
    ['Mon, 23 Nov 2026 10:00:30 GMT', 30_000],
    ['Sun, 22 Nov 2026 10:00:00 GMT', 0],
    ['2026-11-23T10:00:30Z', undefined],
    ['5 minutes', undefined],
  ])('%j → %j ms', (header, expected) => {
    expect(parseRetryAfter(header, now)).toBe(expected);
  });
});
