import { deliverySummary } from '#lib/analytics/delivery.ts';
import { deliverySummaryResponse, deliveryWindowQuery } from '#lib/contracts/delivery-analytics.ts';
import { resolveWindow } from '#lib/domain/windows.ts';
import { httpRoute } from '#lib/http/route.ts';

/** GET /v1/internal/analytics/summary — platform-wide delivery summary. */
export const handler = httpRoute(
  'delivery-summary',
  { query: deliveryWindowQuery, response: deliverySummaryResponse },
  async ({ query, principal, runtime }) => {
    const window = resolveWindow(query, runtime.clock());
    return { body: await deliverySummary(runtime.timeSeries, principal.tenantId, window) };
  },
);
