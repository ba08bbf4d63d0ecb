import { z } from 'zod';
import { isoDateTimeParam, moneyString, windowSchema } from './common.ts';

/**
 * contracts/delivery-analytics-api.txt: request and response schemas. Handlers parse with the
 * request schemas and type their answers with the response schemas; the contract tests validate
 * real answers against the same ones.
 */
export const deliveryWindowQuery = z.strictObject({
  from: isoDateTimeParam.optional(),
  to: isoDateTimeParam.optional(),
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
