import * as z from 'zod';
import { dateOrInstantParam } from './calendar.ts';
import { exactCount, moneyString, windowSchema } from './common.ts';

/**
 * contracts/delivery-analytics-api.txt: request and response schemas. Handlers parse with the
 * request schemas and type their answers with the response schemas; the contract tests validate
 * real answers against the same ones.
 */
export const deliveryWindowQuery = z.strictObject({
  from: dateOrInstantParam.optional(),
  to: dateOrInstantParam.optional(),
  granularity: z.enum(['hourly', 'daily']).default('daily'),
});

export const deliverySummaryResponse = z.strictObject({
  window: windowSchema,
  totalMessages: z.number().int().nonnegative(),
  deliveredMessages: z.number().int().nonnegative(),
  failedMessages: z.number().int().nonnegative(),
  pendingMessages: z.number().int().nonnegative(),
  deliveryRate: z.number().min(0).max(1),
  totalCost: moneyString,
  activeAccounts: z.number().int().nonnegative(),
  peakTps: z.number().int().nonnegative(),
  avgLatencyMs: z.number().int().nonnegative(),
  p95LatencyMs: z.number().int().nonnegative(),
});
export type DeliverySummaryResponse = z.infer<typeof deliverySummaryResponse>;

/** A path `{id}` (operator or account id): the ingest rules for a dimension value. */
const dimensionId = z
  .string()
  .min(1)
  .max(256)
  .refine((value) => ![...value].some((c) => c < ' ' || c === '\x7f'), 'must not contain control characters');
export const deliveryIdParams = z.strictObject({ id: dimensionId });

const count = z.number().int().nonnegative();
const rate = z.number().min(0).max(1);

export const operatorPerformanceResponse = z.strictObject({
  operatorId: z.string(),
  window: windowSchema,
  totalMessages: count,
  deliveredMessages: count,
  failedMessages: count,
  deliveryRate: rate,
  avgLatencyMs: count,
  p95LatencyMs: count,
  errorRate: rate,
  peakTps: count,
  totalCost: moneyString,
});
export type OperatorPerformanceResponse = z.infer<typeof operatorPerformanceResponse>;

export const accountUsageRow = z.strictObject({
  /** `YYYY-MM-DD` (daily), or the hour's start `YYYY-MM-DDTHH:00:00Z` (granularity=hourly). */
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:00:00Z)?$/),
  sent: count,
  delivered: count,
  failed: count,
  cost: moneyString,
});
export const accountUsageResponse = z.strictObject({
  accountId: z.string(),
  window: windowSchema,
  messagesSent: count,
  messagesDelivered: count,
  messagesFailed: count,
  deliveryRate: rate,
  totalCost: moneyString,
  avgCostPerMessage: moneyString,
  /** Sum of `segments`: a number, its exact decimal string past 2^53 − 1. */
  segments: exactCount,
  dailyBreakdown: z.array(accountUsageRow),
});
export type AccountUsageResponse = z.infer<typeof accountUsageResponse>;

export const THROUGHPUT_RESOLUTIONS = ['1m', '5m', '1h'] as const;
export type ThroughputResolution = (typeof THROUGHPUT_RESOLUTIONS)[number];
export const throughputQuery = z.strictObject({
  from: dateOrInstantParam.optional(),
  to: dateOrInstantParam.optional(),
  resolution: z.enum(THROUGHPUT_RESOLUTIONS).default('5m'),
});
export const throughputResponse = z.strictObject({
  resolution: z.enum(THROUGHPUT_RESOLUTIONS),
  series: z.array(
    z.strictObject({
      at: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00Z$/),
      /** Average messages per second over the bucket's part inside the window, 2 decimals. */
      tps: z.number().nonnegative(),
      messages: count,
    }),
  ),
});
export type ThroughputResponse = z.infer<typeof throughputResponse>;

export const breakdownQuery = z.strictObject({
  from: dateOrInstantParam.optional(),
  to: dateOrInstantParam.optional(),
});
export const deliveryBreakdownResponse = z.strictObject({
  window: windowSchema,
  byStatus: z.strictObject({ DELIVERED: count, FAILED: count, PENDING: count, UNDELIVERABLE: count }),
  byOperator: z.array(
    z.strictObject({
      operatorId: z.string(),
      /** The registry's name for the operator; null when the registry has no such operator. */
      name: z.string().nullable(),
      delivered: count,
      failed: count,
      deliveryRate: rate,
    }),
  ),
});
export type DeliveryBreakdownResponse = z.infer<typeof deliveryBreakdownResponse>;

/** `/metrics` takes no parameters (a scraper sends none); anything else is a mistake worth a 400. */
export const metricsQuery = z.strictObject({});
