import type { ScheduleEntry } from './manifest-types.ts';

/** The job manifest: every scheduled Lambda, declared once, read by the CDK stack and the local runtime. */
const manifest = [
  {
    function: 'job-expired-items-sweep',
    expression: 'rate(1 hour)',
    description:
      'Deletes config items whose expiresAt has passed (idempotency records, one-time tokens). DynamoDB TTL ' +
      'removes them only eventually and dynalite never does, so correctness never depends on TTL.',
    binds: ['config:read', 'config:write'],
  },
] as const satisfies readonly ScheduleEntry[];

export type JobFunctionName = (typeof manifest)[number]['function'];

export const schedules: readonly (ScheduleEntry & { function: JobFunctionName })[] = manifest;
