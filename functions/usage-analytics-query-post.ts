import { queryUsage, resolveUsageRequest } from '#lib/analytics/usage-cost.ts';
import { usageQueryBody, usageResponse } from '#lib/contracts/usage-cost.ts';
import { UnsupportedMediaTypeError, ValidationError } from '#lib/domain/errors.ts';
import { httpRoute } from '#lib/http/route.ts';

/**
 * `curl -d '{…}'`, as the contract calls this endpoint, sends the JSON body labelled
 * application/x-www-form-urlencoded; the body is JSON whichever of the two labels it carries.
 */
const JSON_LABELS = new Set(['application/json', 'application/x-www-form-urlencoded', '']);

/** POST /v1/analytics/usage — the same query as GET, with the contract's JSON body. */
export const handler = httpRoute(
  'usage-analytics-query-post',
  {
    bodyFormat: 'raw',
    accepts: ['application/json'],
    rawBodySchema: usageQueryBody,
    response: usageResponse,
  },
  async ({ headers, rawBody, principal, runtime }) => {
    const mediaType = (headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    if (!JSON_LABELS.has(mediaType)) throw new UnsupportedMediaTypeError('Send the body as application/json');
    let json: unknown;
    try {
      json = JSON.parse(rawBody.trim() === '' ? '{}' : rawBody);
    } catch {
      throw new ValidationError('MALFORMED_JSON', 'The request body is not valid JSON');
    }
    // A ZodError becomes a 400 naming each offending body field (lib/http/problem.ts).
    const body = usageQueryBody.parse(json);
    const plan = resolveUsageRequest(body, runtime.clock(), 'body');
    return { body: await queryUsage(runtime.timeSeries, principal.tenantId, plan) };
  },
);
