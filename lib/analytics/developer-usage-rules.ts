import type { DeveloperUsageAlert, RateLimitFigures } from '../contracts/developer-usage.ts';
import type { Condition } from '../query/spec.ts';

/**
 * The developer-usage contract's classifications: error types from status codes, and alerts
 * from the computed figures. Pure; the figures come from the store (developer-usage.ts).
 */

type ErrorTypeName =
  | 'rate_limit_exceeded'
  | 'authentication_error'
  | 'not_found'
  | 'validation_error'
  | 'client_error'
  | 'server_error';

/** THE mapping table, first match wins: every status code ≥ 400 has exactly one type. */
const ERROR_TYPE_TABLE: readonly {
  type: ErrorTypeName;
  description: string;
  matches: (statusCode: number) => boolean;
}[] = [
  { type: 'rate_limit_exceeded', description: 'Rate limit exceeded', matches: (c) => c === 429 },
  {
    type: 'authentication_error',
    description: 'Authentication failed or access denied',
    matches: (c) => c === 401 || c === 403,
  },
  { type: 'not_found', description: 'Resource not found', matches: (c) => c === 404 },
  { type: 'validation_error', description: 'Invalid request', matches: (c) => c === 400 || c === 422 },
  { type: 'server_error', description: 'Internal server error', matches: (c) => c >= 500 },
  { type: 'client_error', description: 'Client error', matches: (c) => c >= 400 && c < 500 },
];

export function errorTypeOf(statusCode: number): ErrorTypeName | undefined {
  return ERROR_TYPE_TABLE.find((row) => row.matches(statusCode))?.type;
}

/** Ingest accepts status codes 100–599 (lib/domain/event-validation.ts); ≥ 400 fail. */
const ERROR_STATUS_CODES = Array.from({ length: 200 }, (_, i) => 400 + i);

export interface ErrorType {
  type: ErrorTypeName;
  description: string;
  /** The events of this type, as a query condition: the status codes the table gives it. */
  where: Condition;
}

/** The table as query conditions, so each type is counted by the store, not in JS. */
export const ERROR_TYPES: readonly ErrorType[] = ERROR_TYPE_TABLE.map(({ type, description }) => ({
  type,
  description,
  where: {
    dimension: 'statusCode',
    op: 'in',
    values: ERROR_STATUS_CODES.filter((code) => errorTypeOf(code) === type),
  },
}));

/**
 * Failures the table cannot type: DESIGN.md also fails a request whose `status` is FAILED or
 * UNDELIVERABLE, with no status code ≥ 400. Counted as the remainder, so byType sums to totalErrors.
 */
export const OTHER_ERROR = {
  type: 'other_error',
  description: 'Failed without an error status code',
} as const;

// Alerts ------------------------------------------------------------------------------------------

/** Utilization (percent) from which a period's rate limit alerts; high from 100. */
export const RATE_LIMIT_ALERT_PERCENT = 80;
/** Error rate (percent) above which errors alert; high above the second. */
export const ERROR_RATE_ALERT_PERCENT = 1;
export const ERROR_RATE_HIGH_PERCENT = 5;
/** Average latency (ms) above which latency alerts. */
export const LATENCY_ALERT_MS = 1000;

const PERIOD_NAMES: Record<keyof RateLimitFigures, string> = {
  requestsPerMinute: 'Per-minute',
  requestsPerHour: 'Hourly',
  requestsPerDay: 'Daily',
};

/**
 * The alerts of an answer, from its printed (rounded) figures so a message never contradicts
 * the numbers beside it: one per rate-limit period at or over 80 % (minute, hour, day), then the
 * error rate, then latency.
 */
export function developerUsageAlerts(figures: {
  utilization: RateLimitFigures | null;
  errorRate: number;
  averageLatency: number;
}): DeveloperUsageAlert[] {
  const alerts: DeveloperUsageAlert[] = [];
  if (figures.utilization) {
    for (const period of Object.keys(PERIOD_NAMES) as (keyof RateLimitFigures)[]) {
      const percent = figures.utilization[period];
      if (percent < RATE_LIMIT_ALERT_PERCENT) continue;
      alerts.push({
        type: 'rate_limit_approaching',
        message: `${PERIOD_NAMES[period]} rate limit is ${percent}% utilized`,
        priority: percent >= 100 ? 'high' : 'medium',
        recommendation: 'Consider upgrading your plan or optimizing requests',
      });
    }
  }
  if (figures.errorRate > ERROR_RATE_ALERT_PERCENT) {
    alerts.push({
      type: 'error_rate_high',
      message: `Error rate is ${figures.errorRate}%, above recommended ${ERROR_RATE_ALERT_PERCENT}%`,
      priority: figures.errorRate > ERROR_RATE_HIGH_PERCENT ? 'high' : 'medium',
      recommendation: 'Review error patterns and implement retry logic',
    });
  }
  if (figures.averageLatency > LATENCY_ALERT_MS) {
    alerts.push({
      type: 'latency_high',
      message: `Average latency is ${figures.averageLatency} ms, above recommended ${LATENCY_ALERT_MS} ms`,
      priority: 'medium',
      recommendation: 'Find the slowest endpoints in breakdown.byEndpoint and cache or optimize them',
    });
  }
  return alerts;
}
