import { deliveryBreakdown, registryOperatorNames } from '#lib/analytics/delivery.ts';
import { breakdownQuery, deliveryBreakdownResponse } from '#lib/contracts/delivery-analytics.ts';
import { resolveWindow } from '#lib/domain/windows.ts';
import { httpRoute } from '#lib/http/route.ts';

/** GET /v1/internal/analytics/delivery-breakdown — messages by status and by operator. */
export const handler = httpRoute(
  'delivery-breakdown',
  { query: breakdownQuery, response: deliveryBreakdownResponse },
  async ({ query, principal, runtime }) => {
    const window = resolveWindow(query, runtime.clock());
    const names = registryOperatorNames(runtime.registry.operators);
    return { body: await deliveryBreakdown(runtime.timeSeries, principal.tenantId, window, names) };
  },
);
