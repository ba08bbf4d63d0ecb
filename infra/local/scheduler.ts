import { randomUUID } from 'node:crypto';
import type { ScheduledEvent } from 'aws-lambda';
import { Cron } from 'croner';
import { logger } from '#lib/http/logger.ts';
import { type ScheduleEntry, scheduledIn } from '#lib/manifest-types.ts';
import { localLambdaContext } from './api-gateway-event.ts';
import type { LambdaHandler } from './handlers.ts';

const RATE_UNITS_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

export type ParsedSchedule = { kind: 'rate'; everyMs: number } | { kind: 'cron'; pattern: string };

/**
 * Parses an EventBridge schedule expression: `rate(5 minutes)` or the six-field
 * `cron(min hour day-of-month month day-of-week year)`, whose weekdays count from 1 = Sunday.
 */
export function parseScheduleExpression(expression: string): ParsedSchedule {
  const rate = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(expression);
  if (rate) {
    const unitMs = RATE_UNITS_MS[rate[2] ?? ''] ?? 0;
    const everyMs = Number(rate[1]) * unitMs;
    if (everyMs <= 0) throw new Error(`Invalid rate in ${expression}`);
    return { kind: 'rate', everyMs };
  }
  const cron = /^cron\((.+)\)$/.exec(expression);
  const fields = cron?.[1]?.trim().split(/\s+/);
  if (fields?.length !== 6) throw new Error(`Unsupported schedule expression ${expression}`);
  return { kind: 'cron', pattern: `0 ${fields.join(' ')}` };
}

/** The next time the expression fires after `from` (for cron), or `from + rate`. */
export function nextRun(schedule: ParsedSchedule, from: Date): Date {
  if (schedule.kind === 'rate') return new Date(from.getTime() + schedule.everyMs);
  const next = new Cron(schedule.pattern, {
    timezone: 'UTC',
    mode: '7-part',
    alternativeWeekdays: true,
  }).nextRun(from);
  if (!next) throw new Error(`${schedule.pattern} never fires again`);
  return next;
}

/** The EventBridge "Scheduled Event" a rule hands its target. */
export function scheduledEvent(entry: ScheduleEntry, at: Date): ScheduledEvent {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '000000000000',
    time: at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: 'local',
    resources: [`arn:aws:events:local:000000000000:rule/${entry.function}`],
    detail: {},
  };
}

/** The jobs `npm start` schedules: every manifest job that runs locally (all but AWS-only ones). */
export function localJobs<E extends ScheduleEntry>(entries: readonly E[]): E[] {
  return entries.filter((entry) => scheduledIn(entry, 'local'));
}

export interface LocalScheduler {
  stop(): void;
}

/** Runs each job of the manifest on its own expression, one run at a time per job. */
export function startScheduler(
  entries: readonly ScheduleEntry[],
  handlers: Map<string, LambdaHandler>,
): LocalScheduler {
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;
  for (const entry of entries) {
    const schedule = parseScheduleExpression(entry.expression);
    const handler = handlers.get(entry.function);
    if (!handler) throw new Error(`No handler loaded for job ${entry.function}`);
    const plan = (after: Date) => {
      if (stopped) return;
      const at = nextRun(schedule, after);
      const timer = setTimeout(
        async () => {
          timers.delete(timer);
          try {
            await handler(
              scheduledEvent(entry, at),
              localLambdaContext(entry.function, entry.timeoutSeconds ?? 60),
            );
          } catch (error) {
            logger.error('scheduled job failed', { job: entry.function, error: error as Error });
          }
          plan(new Date(Math.max(Date.now(), at.getTime())));
        },
        Math.max(0, at.getTime() - Date.now()),
      );
      timer.unref();
      timers.add(timer);
    };
    plan(new Date());
  }
  return {
    stop: () => {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}
