import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MAX_THROUGHPUT_BUCKETS, THROUGHPUT_DEFAULT_MS } from '#lib/analytics/delivery-throughput.ts';
import { MAX_TIME_SERIES_BUCKETS } from '#lib/analytics/developer-usage.ts';
import { EXPORT_LIMITS } from '#lib/analytics/usage-cost-export.ts';
import { DEFAULT_TIME_SERIES_LIMIT, MAX_TIME_SERIES_LIMIT } from '#lib/contracts/developer-usage.ts';
import {
  DEFAULT_OPERATORS_LIMIT,
  MAX_OPERATORS_LIMIT,
  MAX_REPORT_DAYS,
  PLATFORM_DEFAULT_WINDOW_DAYS,
} from '#lib/contracts/platform-metrics.ts';
import { MAX_USAGE_LIMIT } from '#lib/contracts/usage-cost.ts';
import { MAX_EVENT_AGE_MS } from '#lib/domain/event-validation.ts';
import { MAX_EVENT_FUTURE_MS } from '#lib/domain/events.ts';
import { MAX_BATCH_BYTES, MAX_BATCH_EVENTS } from '#lib/domain/ingest.ts';
import { DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT } from '#lib/domain/registry/paging.ts';
import { MAX_WINDOW_DAYS } from '#lib/domain/windows.ts';
import { IDEMPOTENCY_TTL_SECONDS } from '#lib/http/idempotency.ts';

/** The README's "Limits and defaults" table, row by row (`what` → the rest of the row). */
function limitsTable(): Map<string, string> {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.split('### Limits and defaults')[1]?.split('\n### ')[0] ?? '';
  const rows = section.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| what'));
  return new Map(
    rows.map((row) => {
      const [what = '', ...rest] = row.split(' | ');
      return [what.replace(/^\| /, ''), rest.join(' | ')];
    }),
  );
}

const n = (value: number) => value.toLocaleString('en-US');
const DAY_MS = 86_400_000;

describe('README limits and defaults', () => {
  const table = limitsTable();
  const row = (what: string) => {
    const text = table.get(what);
    if (text === undefined) throw new Error(`README's limits table has no row "${what}"`);
    return text;
  };

  it('states the numbers the code uses', () => {
    expect(row('ingest request')).toContain(
      `${n(MAX_BATCH_EVENTS)} events and 1 MiB (${n(MAX_BATCH_BYTES)} bytes)`,
    );
    expect(row('event `time`')).toContain(
      `${MAX_EVENT_FUTURE_MS / 60_000} minutes ahead of the server's clock and ${MAX_EVENT_AGE_MS / DAY_MS} days behind`,
    );
    expect(row('windows')).toContain(
      `at most ${MAX_WINDOW_DAYS} days; the billing report ${MAX_REPORT_DAYS}`,
    );
    expect([THROUGHPUT_DEFAULT_MS, row('delivery throughput')]).toEqual([
      3_600_000,
      expect.stringContaining('`from` one hour before `to`'),
    ]);
    expect(row('throughput buckets')).toContain(`at most ${n(MAX_THROUGHPUT_BUCKETS)} per answer`);
    expect(row('platform metrics (`/platform-api/metrics/*`)')).toContain(
      `\`from\` ${PLATFORM_DEFAULT_WINDOW_DAYS} days before \`to\``,
    );
    expect(row('platform operators list')).toContain(
      `\`limit\` 1–${MAX_OPERATORS_LIMIT}, default ${DEFAULT_OPERATORS_LIMIT}`,
    );
    expect(row('developer usage')).toContain(
      `\`limit\` 1–${n(MAX_TIME_SERIES_LIMIT)}, default ${DEFAULT_TIME_SERIES_LIMIT}`,
    );
    expect(row('developer usage buckets')).toContain(`at most ${n(MAX_TIME_SERIES_BUCKETS)} per window`);
    expect(row('usage query')).toContain(`\`limit\` 1–${n(MAX_USAGE_LIMIT)}, default ${n(MAX_USAGE_LIMIT)}`);
    expect(row('usage export')).toContain(
      `at most ${n(EXPORT_LIMITS.maxRows)} rows and 5 MiB (${n(EXPORT_LIMITS.maxBytes)} bytes`,
    );
    expect(row('registry lists')).toContain(`\`limit\` 1–${MAX_PAGE_LIMIT}, default ${DEFAULT_PAGE_LIMIT}`);
    expect(row('`Idempotency-Key`')).toContain(`${IDEMPOTENCY_TTL_SECONDS / 3600} hours`);
  });
});
