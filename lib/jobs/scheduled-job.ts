import middy from '@middy/core';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { logger } from '../http/logger.ts';
import { type JobFunctionName, schedules } from '../schedules.ts';
import { type Runtime, runtime } from '../wiring/index.ts';

export interface JobRequest {
  runtime: Runtime;
  /** The time the schedule fired (EventBridge `time`), not the time the function started. */
  scheduledAt: Date;
  event: ScheduledEvent;
}

/**
 * Builds the Lambda handler for one job of the job manifest. A failure is logged and re-thrown
 * so that EventBridge retries the invocation and, after the last retry, it lands in the DLQ.
 */
export function scheduledJob<R>(functionName: JobFunctionName, fn: (request: JobRequest) => Promise<R>) {
  if (!schedules.some((job) => job.function === functionName)) {
    throw new Error(`Job ${functionName} is not in lib/schedules.ts`);
  }
  return middy<ScheduledEvent, R>()
    .before(async (request) => {
      logger.addContext(request.context as Context);
      logger.appendKeys({ job: functionName, scheduledAt: request.event.time });
    })
    .handler(async (event) => {
      const started = performance.now();
      try {
        const result = await fn({ runtime: runtime(), scheduledAt: new Date(event.time), event });
        logger.info('job completed', { durationMs: Math.round(performance.now() - started), result });
        return result;
      } catch (error) {
        logger.error('job failed', { error: error as Error });
        throw error;
      } finally {
        logger.resetKeys();
      }
    });
}
