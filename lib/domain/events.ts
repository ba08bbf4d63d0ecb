import * as z from 'zod';
import type { Micros } from './money.ts';

/**
 * The usage event model (DESIGN.md, "Events"). Clients send `UsageEventInput`; after validation
 * it becomes a `UsageEvent`, whose cost is integer micros and whose time is a Date in UTC.
 */
export const EVENT_TYPES = [
  'api.request',
  'gateway.request',
  'event.ingested',
  'storage.sample',
  'llm.request',
  'message',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** String dimensions, in the order they are stored. `statusCode` is numeric and kept apart. */
export const STRING_DIMENSIONS = [
  'operatorId',
  'accountId',
  'projectId',
  'apiKeyId',
  'connectorId',
  'service',
  'endpoint',
  'category',
  'method',
  'model',
  'status',
] as const;
export type StringDimension = (typeof STRING_DIMENSIONS)[number];
export type Dimension = StringDimension | 'statusCode' | 'type';

/** Integer measures (exact, stored as BIGINT) and the one fractional measure. */
export const INTEGER_MEASURES = ['bytes', 'inputTokens', 'outputTokens', 'segments', 'storageBytes'] as const;
export type IntegerMeasure = (typeof INTEGER_MEASURES)[number];
export type Measure = IntegerMeasure | 'latencyMs' | 'units' | 'cost';

/** Delivery statuses of `message` events (delivery-analytics contract). */
export const MESSAGE_STATUSES = ['DELIVERED', 'FAILED', 'PENDING', 'UNDELIVERABLE'] as const;

export const MAX_EVENT_FUTURE_MS = 15 * 60 * 1000;
export const MAX_DIMENSION_LENGTH = 256;

export interface UsageEvent {
  id: string;
  time: Date;
  type: EventType;
  operatorId?: string;
  accountId?: string;
  projectId?: string;
  apiKeyId?: string;
  connectorId?: string;
  service?: string;
  endpoint?: string;
  category?: string;
  method?: string;
  model?: string;
  status?: string;
  statusCode?: number;
  latencyMs?: number;
  bytes?: number;
  inputTokens?: number;
  outputTokens?: number;
  segments?: number;
  units?: number;
  storageBytes?: number;
  /** Cost in integer micro-units. */
  cost?: Micros;
}

/**
 * The event types that are requests (DESIGN.md, Events): only these count as requests, and every
 * figure "of requests" (error rates, request latency percentiles) reads only these. The rest are
 * usage, never requests: NON_REQUEST_EVENT_TYPES.
 */
export const REQUEST_EVENT_TYPES = [
  'api.request',
  'gateway.request',
  'llm.request',
  'message',
] as const satisfies readonly EventType[];
export type RequestEventType = (typeof REQUEST_EVENT_TYPES)[number];

/**
 * Usage that is never a request: samples of a state (`storage.sample`, and `saturation.sample`,
 * listed before ingest accepts it, with alerts, so that it cannot count as a request when it
 * comes) and records of events the platform ingested. A platform that samples storage hourly
 * served no request by doing so, and its error rate must not be diluted by the samples.
 */
export const NON_REQUEST_EVENT_TYPES = ['event.ingested', 'storage.sample', 'saturation.sample'] as const;

const REQUEST_TYPES = new Set<string>(REQUEST_EVENT_TYPES);
export const isRequestType = (type: string): type is RequestEventType => REQUEST_TYPES.has(type);

/**
 * The failure rule (DESIGN.md), as data: a request fails when its status code is at least
 * `minStatusCode` or its status is one of `failedStatuses`. isFailure below and the query
 * compiler's SQL (lib/query/compile.ts, failedSql) are both written from it.
 */
export const FAILURE_RULE = {
  minStatusCode: 400,
  failedStatuses: ['FAILED', 'UNDELIVERABLE'],
} as const satisfies { minStatusCode: number; failedStatuses: readonly (typeof MESSAGE_STATUSES)[number][] };

const FAILED_STATUSES = new Set<string>(FAILURE_RULE.failedStatuses);

/** FAILURE_RULE applied to one event. */
export function isFailure(event: Pick<UsageEvent, 'statusCode' | 'status'>): boolean {
  return (
    (event.statusCode !== undefined && event.statusCode >= FAILURE_RULE.minStatusCode) ||
    (event.status !== undefined && FAILED_STATUSES.has(event.status))
  );
}

export const eventIdSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces');
