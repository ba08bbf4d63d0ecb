import { scheduledJob } from '#lib/jobs/scheduled-job.ts';
import { sweepExpiredItems } from '#lib/stores/dynamodb/expired-items-sweep.ts';

export const handler = scheduledJob('job-expired-items-sweep', async ({ runtime, scheduledAt }) => ({
  deleted: await sweepExpiredItems(runtime.configTable, scheduledAt),
}));
