import { describe, expect, it } from 'vitest';
import { addBuckets, bucketCount, bucketPage, bucketStart } from '#lib/analytics/developer-usage-buckets.ts';
import { developerUsageAlerts, ERROR_TYPES, errorTypeOf } from '#lib/analytics/developer-usage-rules.ts';

const at = (iso: string) => new Date(iso);
const iso = (date: Date) => date.toISOString();

describe('error types', () => {
  it.each([
    [429, 'rate_limit_exceeded'],
    [500, 'server_error'],
    [503, 'server_error'],
    [599, 'server_error'],
    [401, 'authentication_error'],
    [403, 'authentication_error'],
    [404, 'not_found'],
    [400, 'validation_error'],
    [422, 'validation_error'],
    [402, 'client_error'],
    [409, 'client_error'],
    [499, 'client_error'],
    [399, undefined],
    [200, undefined],
  ])('classifies %i as %s', (statusCode, type) => {
    expect(errorTypeOf(statusCode)).toBe(type);
  });

  it('gives every failing status code exactly one type, as query conditions', () => {
    const codes = ERROR_TYPES.flatMap((t) => (t.where as { values: readonly number[] }).values);
    expect(codes).toHaveLength(200);
    expect(new Set(codes)).toEqual(new Set(Array.from({ length: 200 }, (_, i) => 400 + i)));
    for (const errorType of ERROR_TYPES) {
      for (const code of (errorType.where as { values: readonly number[] }).values) {
        expect(errorTypeOf(code)).toBe(errorType.type);
      }
    }
  });
});

describe('alerts', () => {
  const quiet = { utilization: null, errorRate: 0, averageLatency: 0 };

  it('raises nothing below every threshold', () => {
    expect(
      developerUsageAlerts({
        utilization: { requestsPerMinute: 79.99, requestsPerHour: 0, requestsPerDay: 50 },
        errorRate: 1,
        averageLatency: 1000,
      }),
    ).toEqual([]);
    expect(developerUsageAlerts(quiet)).toEqual([]);
  });

  it('raises one rate-limit alert per period at or over 80 %, high from 100 %', () => {
    const alerts = developerUsageAlerts({
      ...quiet,
      utilization: { requestsPerMinute: 10.7, requestsPerHour: 80, requestsPerDay: 154.2 },
    });
    expect(alerts.map((a) => [a.message, a.priority])).toEqual([
      ['Hourly rate limit is 80% utilized', 'medium'],
      ['Daily rate limit is 154.2% utilized', 'high'],
    ]);
    expect(alerts.every((a) => a.type === 'rate_limit_approaching')).toBe(true);
  });

  it('raises error-rate alerts above 1 % (medium) and 5 % (high), as the contract words them', () => {
    expect(developerUsageAlerts({ ...quiet, errorRate: 2.2 })).toEqual([
      {
        type: 'error_rate_high',
        message: 'Error rate is 2.2%, above recommended 1%',
        priority: 'medium',
        recommendation: 'Review error patterns and implement retry logic',
      },
    ]);
    expect(developerUsageAlerts({ ...quiet, errorRate: 5 })[0]?.priority).toBe('medium');
    expect(developerUsageAlerts({ ...quiet, errorRate: 5.1 })[0]?.priority).toBe('high');
  });

  it('raises a latency alert above 1000 ms', () => {
    expect(developerUsageAlerts({ ...quiet, averageLatency: 1000.1 })).toEqual([
      expect.objectContaining({
        type: 'latency_high',
        priority: 'medium',
        message: 'Average latency is 1000.1 ms, above recommended 1000 ms',
      }),
    ]);
  });
});

describe('time buckets', () => {
  it('starts weeks on Monday and months on the 1st, in UTC', () => {
    expect(iso(bucketStart(at('2026-04-15T12:30:00Z'), 'week'))).toBe('2026-04-13T00:00:00.000Z');
    expect(iso(bucketStart(at('2026-04-13T00:00:00Z'), 'week'))).toBe('2026-04-13T00:00:00.000Z');
    expect(iso(bucketStart(at('2026-04-12T23:59:59.999Z'), 'week'))).toBe('2026-04-06T00:00:00.000Z');
    expect(iso(bucketStart(at('2026-02-28T23:00:00Z'), 'month'))).toBe('2026-02-01T00:00:00.000Z');
    expect(iso(addBuckets(at('2025-12-01T00:00:00Z'), 'month', 3))).toBe('2026-03-01T00:00:00.000Z');
  });

  it('counts every bucket that overlaps the window, partial ones included', () => {
    const window = { from: at('2026-04-14T12:30:00Z'), to: at('2026-04-15T12:30:00Z') };
    expect(bucketCount(window, 'hour')).toBe(25);
    expect(bucketCount(window, 'day')).toBe(2);
    expect(bucketCount({ from: at('2026-04-14T12:00:00Z'), to: at('2026-04-15T12:00:00Z') }, 'hour')).toBe(
      24,
    );
    expect(bucketCount({ from: at('2025-04-15T00:00:00Z'), to: at('2026-04-15T00:00:00Z') }, 'month')).toBe(
      13,
    );
    expect(bucketCount({ from: at('2026-04-01T00:00:00Z'), to: at('2026-04-01T00:00:01Z') }, 'month')).toBe(
      1,
    );
  });

  it('pages oldest or newest first and reads only the page’s part of the window', () => {
    const window = { from: at('2026-04-14T12:30:00Z'), to: at('2026-04-15T12:30:00Z') };
    const oldest = bucketPage(window, 'hour', { offset: 0, limit: 2, newestFirst: false });
    expect(oldest.starts.map(iso)).toEqual(['2026-04-14T12:00:00.000Z', '2026-04-14T13:00:00.000Z']);
    expect(oldest.window).toEqual({ from: at('2026-04-14T12:30:00Z'), to: at('2026-04-14T14:00:00Z') });
    const newest = bucketPage(window, 'hour', { offset: 0, limit: 2, newestFirst: true });
    expect(newest.starts.map(iso)).toEqual(['2026-04-15T12:00:00.000Z', '2026-04-15T11:00:00.000Z']);
    expect(newest.window).toEqual({ from: at('2026-04-15T11:00:00Z'), to: at('2026-04-15T12:30:00Z') });
    const tail = bucketPage(window, 'hour', { offset: 24, limit: 10, newestFirst: false });
    expect(tail.starts.map(iso)).toEqual(['2026-04-15T12:00:00.000Z']);
    expect(bucketPage(window, 'hour', { offset: 25, limit: 10, newestFirst: true })).toEqual({ starts: [] });
  });
});
