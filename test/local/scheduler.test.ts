import { describe, expect, it } from 'vitest';
import { schedules } from '#lib/schedules.ts';
import { localJobs, nextRun, parseScheduleExpression, scheduledEvent } from '../../infra/local/scheduler.ts';

describe('EventBridge schedule expressions in the local runtime', () => {
  it('parses rates', () => {
    expect(parseScheduleExpression('rate(1 minute)')).toEqual({ kind: 'rate', everyMs: 60_000 });
    expect(parseScheduleExpression('rate(2 hours)')).toEqual({ kind: 'rate', everyMs: 7_200_000 });
    expect(
      nextRun(parseScheduleExpression('rate(5 minutes)'), new Date('2026-11-23T10:00:00Z')).toISOString(),
    ).toBe('2026-11-23T10:05:00.000Z');
  });

  it('runs six-field cron in UTC with EventBridge weekdays (1 = Sunday)', () => {
    const hourly = parseScheduleExpression('cron(0 * * * ? *)');
    expect(nextRun(hourly, new Date('2026-11-23T10:15:00Z')).toISOString()).toBe('2026-11-23T11:00:00.000Z');
    // 2026-11-23 is a Monday: weekday 2 in EventBridge numbering.
    const mondays = parseScheduleExpression('cron(30 6 ? * 2 *)');
    expect(nextRun(mondays, new Date('2026-11-23T07:00:00Z')).toISOString()).toBe('2026-11-30T06:30:00.000Z');
    const monthly = parseScheduleExpression('cron(15 0 1 * ? *)');
    expect(nextRun(monthly, new Date('2026-11-23T00:00:00Z')).toISOString()).toBe('2026-12-01T00:15:00.000Z');
  });

  it('refuses what EventBridge would refuse', () => {
    expect(() => parseScheduleExpression('every 5 minutes')).toThrow(/Unsupported/);
    expect(() => parseScheduleExpression('cron(* * * *)')).toThrow(/Unsupported/);
  });

  it('runs the expired-items sweep locally, where dynalite has no TTL (AWS deploys no sweep)', () => {
    const sweep = schedules.find((job) => job.function === 'job-expired-items-sweep');
    expect(sweep?.runtimes).toEqual(['local']);
    expect(localJobs(schedules).map((job) => job.function)).toContain('job-expired-items-sweep');
    const cloudOnly = { function: 'cloud-job', expression: 'rate(1 day)', description: 'x', binds: [] };
    expect(localJobs([{ ...cloudOnly, runtimes: ['aws'] as const }, cloudOnly])).toEqual([cloudOnly]);
  });

  it('understands every job of the manifest and builds its Scheduled Event', () => {
    for (const job of schedules) {
      const parsed = parseScheduleExpression(job.expression);
      const at = nextRun(parsed, new Date('2026-11-23T10:00:00Z'));
      expect(at.getTime()).toBeGreaterThan(Date.parse('2026-11-23T10:00:00Z'));
      const event = scheduledEvent(job, at);
      expect(event['detail-type']).toBe('Scheduled Event');
      expect(event.time).toBe(at.toISOString().replace(/\.\d{3}Z$/, 'Z'));
    }
  });
});
