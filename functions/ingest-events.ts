import { UnsupportedMediaTypeError } from '#lib/domain/errors.ts';
import { ingestEvents, MAX_BATCH_BYTES, parseBatch } from '#lib/domain/ingest.ts';
import { httpRoute } from '#lib/http/route.ts';

/** POST /v1/events: a JSON `{"events": [...]}` or NDJSON batch; the tenant comes from the key. */
export const handler = httpRoute(
  'ingest-events',
  { bodyFormat: 'raw', maxBodyBytes: MAX_BATCH_BYTES },
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
    return { body: await ingestEvents(runtime.timeSeries, principal.tenantId, items, runtime.clock()) };
  },
);
