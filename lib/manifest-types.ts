import type { Role } from './domain/roles.ts';

/**
 * What a function needs from the platform. The CDK stack turns each binding into an environment
 * variable plus the least IAM grant that serves it; the local runtime wires the embedded adapter.
 */
export type Binding =
  | 'config:read'
  | 'config:write'
  /** Read, and create once, the key that seals list cursors (one item of the config table). */
  | 'config:cursor-key'
  | 'timeseries:read'
  | 'timeseries:write'
  | 'alerts:publish';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface FunctionSpec {
  /** File under `functions/` (without `.ts`) that exports `handler`. Also the Lambda's logical name. */
  function: string;
  binds: readonly Binding[];
  /** Lambda memory in MB; 512 when omitted. */
  memoryMb?: number;
  /** Lambda timeout in seconds; 10 for routes and 60 for jobs when omitted. */
  timeoutSeconds?: number;
}

export interface RouteEntry extends FunctionSpec {
  /** `ANY` only with the `$default` path: the catch-all that answers unknown routes with problem+json. */
  method: HttpMethod | 'ANY';
  /** API Gateway path syntax: `/platform-api/operators/{id}`, or `$default` for the catch-all. */
  path: string;
  /** `public` routes skip authentication (health checks only). */
  auth: Role | 'public';
  /**
   * Largest accepted request body in bytes; {@link DEFAULT_MAX_BODY_BYTES} when omitted. Declared
   * here, not in the handler, so the local runtime refuses a larger body on its Content-Length
   * before reading it (the handler stack checks it again: in AWS, API Gateway buffers up to 10 MB).
   */
  maxBodyBytes?: number;
}

/** Where a manifest entry runs: AWS (the CDK stack) and the local runtime (`npm start`). */
export type RuntimeName = 'aws' | 'local';

/** The body limit of a route that declares none. */
export const DEFAULT_MAX_BODY_BYTES = 256 * 1024;

export interface ScheduleEntry extends FunctionSpec {
  /** EventBridge schedule expression: `rate(1 minute)`, `cron(0 * * * ? *)`. */
  expression: string;
  description: string;
  /**
   * The runtimes that schedule this job; both when omitted. A job that only stands in locally for
   * a cloud feature (the expired-items sweep for DynamoDB TTL) names `['local']`, and the CDK stack
   * deploys no function for it.
   */
  runtimes?: readonly RuntimeName[];
}

/** True when the runtime schedules the job. */
export function scheduledIn(entry: ScheduleEntry, runtime: RuntimeName): boolean {
  return entry.runtimes === undefined || entry.runtimes.includes(runtime);
}
