import * as z from 'zod';
import { UnsupportedMediaTypeError } from '#lib/domain/errors.ts';
import {
  EVENT_TYPES,
  eventIdSchema,
  INTEGER_MEASURES,
  MAX_DIMENSION_LENGTH,
  STRING_DIMENSIONS,
} from '#lib/domain/events.ts';
import { ingestEvents, MAX_BATCH_EVENTS, parseBatch } from '#lib/domain/ingest.ts';
import { httpRoute } from '#lib/http/route.ts';

/**
 * The batch as the OpenAPI document shows it. Each event is validated on its own by
 * lib/domain/event-validation.ts, which says why one is rejected; null is the same as absent.
 */
const optional = <T extends z.ZodType>(schema: T) => schema.nullable().optional();
const eventDoc = z.strictObject({
  id: eventIdSchema,
  time: z.string().describe('ISO 8601 with a zone; at most 15 minutes ahead and 365 days behind'),
  type: z.enum(EVENT_TYPES),
  ...Object.fromEntries(
    STRING_DIMENSIONS.map((name) => [name, optional(z.string().min(1).max(MAX_DIMENSION_LENGTH))]),
  ),
  statusCode: optional(z.number().int().min(100).max(599)),
  ...Object.fromEntries(INTEGER_MEASURES.map((name) => [name, optional(z.number().int().nonnegative())])),
  latencyMs: optional(z.number().nonnegative()),
  units: optional(z.number().nonnegative()),
  cost: optional(
    z
      .string()
      .regex(/^\d{1,15}(\.\d{1,6})?$/)
      .describe('decimal string, at most 6 decimals'),
  ),
});
const batchDoc = z.strictObject({ events: z.array(eventDoc).min(1).max(MAX_BATCH_EVENTS) });
const ingestResponse = z.strictObject({
  accepted: z.number().int().nonnegative(),
  duplicates: z.number().int().nonnegative(),
  rejected: z.array(
    z.strictObject({ index: z.number().int().nonnegative(), code: z.string(), detail: z.string() }),
  ),
});

/** POST /v1/events: a JSON `{"events": [...]}` or NDJSON batch; the tenant comes from the key. */
export const handler = httpRoute(
  'ingest-events',
  {
    bodyFormat: 'raw',
    accepts: ['application/json', 'application/x-ndjson'],
    rawBodySchema: batchDoc,
    response: ingestResponse,
    answers: [422],
  },
  async ({ headers, rawBody, principal, runtime }) => {
    const mediaType = (headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    const format =
      mediaType === 'application/json' ? 'json' : mediaType === 'application/x-ndjson' ? 'ndjson' : undefined;
    if (!format) {
      throw new UnsupportedMediaTypeError(
        'Send events as application/json {"events": [...]} or application/x-ndjson',
      );
    }
    const items = parseBatch(rawBody, format);
    const result: z.output<typeof ingestResponse> = await ingestEvents(
      runtime.timeSeries,
      principal.tenantId,
      items,
      runtime.clock(),
    );
    return { body: result };
  },
);
