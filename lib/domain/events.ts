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

/** A request fails when its status code is ≥ 400 or its delivery status is FAILED/UNDELIVERABLE (DESIGN.md). */
export function isFailure(event: Pick<UsageEvent, 'statusCode' | 'status'>): boolean {
  return (
    (event.statusCode !== undefined && event.statusCode >= 400) ||
    event.status === 'FAILED' ||
    event.status === 'UNDELIVERABLE'
  );
}

export const eventIdSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces');
