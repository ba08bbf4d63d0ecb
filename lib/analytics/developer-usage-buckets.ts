import type { Granularity } from '../contracts/developer-usage.ts';
import type { TimeWindow } from '../domain/windows.ts';

/**
 * The UTC calendar buckets of a window, as the query engine bins them (lib/query/dialect.ts):
 * minute, hour and day truncate; `week` starts on Monday 00:00 UTC (ISO week); `month` on the
 * 1st. A window's buckets are every bucket that overlaps [from, to): the first and the last may
 * be partial, so the buckets' figures always add up to the window's.
 */

const FIXED_WIDTH_MS: Record<Exclude<Granularity, 'month'>, number> = {
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  week: 7 * 86_400_000,
};
/** 1970-01-05, the first Monday after the epoch: the origin of ISO weeks. */
const WEEK_ORIGIN_MS = 4 * 86_400_000;

const monthIndex = (at: Date) => at.getUTCFullYear() * 12 + at.getUTCMonth();

/** Start of the bucket containing `at`. */
export function bucketStart(at: Date, granularity: Granularity): Date {
  if (granularity === 'month') return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
  const width = FIXED_WIDTH_MS[granularity];
  const origin = granularity === 'week' ? WEEK_ORIGIN_MS : 0;
  return new Date(origin + Math.floor((at.getTime() - origin) / width) * width);
}

/** Start of the bucket `n` buckets after the one starting at `start` (which must be a bucket start). */
export function addBuckets(start: Date, granularity: Granularity, n: number): Date {
  if (granularity === 'month') return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + n, 1));
  return new Date(start.getTime() + n * FIXED_WIDTH_MS[granularity]);
}

/** How many buckets overlap the window; computed, never enumerated, so it is safe for any window. */
export function bucketCount(window: TimeWindow, granularity: Granularity): number {
  const first = bucketStart(window.from, granularity);
  const last = bucketStart(new Date(window.to.getTime() - 1), granularity);
  if (granularity === 'month') return monthIndex(last) - monthIndex(first) + 1;
  return Math.round((last.getTime() - first.getTime()) / FIXED_WIDTH_MS[granularity]) + 1;
}

export interface BucketPage {
  /** Bucket starts in the order they are shown. */
  starts: Date[];
  /** The part of the window these buckets cover; absent when the page is empty. */
  window?: TimeWindow;
}

/**
 * The page [offset, offset + limit) of the window's buckets, oldest first or newest first. Its
 * `window` is the one range the page's figures are read from, so a page never reads the rest.
 */
export function bucketPage(
  window: TimeWindow,
  granularity: Granularity,
  page: { offset: number; limit: number; newestFirst: boolean },
): BucketPage {
  const total = bucketCount(window, granularity);
  const size = Math.max(0, Math.min(page.limit, total - page.offset));
  if (size === 0) return { starts: [] };
  // Positions count from the oldest bucket; a newest-first page is the mirror image.
  const oldest = page.newestFirst ? total - page.offset - size : page.offset;
  const first = addBuckets(bucketStart(window.from, granularity), granularity, oldest);
  const starts = Array.from({ length: size }, (_, i) => addBuckets(first, granularity, i));
  if (page.newestFirst) starts.reverse();
  const end = addBuckets(first, granularity, size);
  return {
    starts,
    window: {
      from: new Date(Math.max(first.getTime(), window.from.getTime())),
      to: new Date(Math.min(end.getTime(), window.to.getTime())),
    },
  };
}
