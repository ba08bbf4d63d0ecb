import { operatorPerformance } from '#lib/analytics/delivery.ts';
import {
  deliveryIdParams,
  deliveryWindowQuery,
  operatorPerformanceResponse,
} from '#lib/contracts/delivery-analytics.ts';
import { resolveWindow } from '#lib/domain/windows.ts';
import { httpRoute } from '#lib/http/route.ts';

/** GET /v1/internal/analytics/operators/{id}/performance — one operator's delivery performance. */
export const handler = httpRoute(
  'delivery-operator-performance',
  { query: deliveryWindowQuery, params: deliveryIdParams, response: operatorPerformanceResponse },
  async ({ query, params, principal, runtime }) => {
    const window = resolveWindow(query, runtime.clock());
    return { body: await operatorPerformance(runtime.timeSeries, principal.tenantId, params.id, window) };
  },
);
