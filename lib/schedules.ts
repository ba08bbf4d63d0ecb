import type { ScheduleEntry } from './manifest-types.ts';

/** The job manifest: every scheduled Lambda, declared once, read by the CDK stack and the local runtime. */
const manifest = [
  {
    function: 'job-expired-items-sweep',
    expression: 'rate(1 hour)',
    description:
      'Deletes config items whose expiresAt has passed (idempotency records, event-id ledger items) from ' +
      'dynalite, which has no TTL. Local only: in AWS, DynamoDB TTL deletes them at no cost, where a sweep ' +
      'would Scan a table that holds one item per ingested event. Readers ignore expired items either way.',
    binds: ['config:read', 'config:write'],
    runtimes: ['local'],
  },
] as const satisfies readonly ScheduleEntry[];

export type JobFunctionName = (typeof manifest)[number]['function'];

export const schedules: readonly (ScheduleEntry & { function: JobFunctionName })[] = manifest;
