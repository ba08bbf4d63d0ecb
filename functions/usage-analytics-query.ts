import { queryUsage, resolveUsageRequest } from '#lib/analytics/usage-cost.ts';
import { usageQueryParams, usageResponse } from '#lib/contracts/usage-cost.ts';
import { httpRoute } from '#lib/http/route.ts';

/** GET /v1/analytics/usage — usage and cost, grouped as asked, with its summary. */
export const handler = httpRoute(
  'usage-analytics-query',
  { query: usageQueryParams, response: usageResponse },
  async ({ query, principal, runtime }) => {
    const plan = resolveUsageRequest(query, runtime.clock(), 'query');
    return { body: await queryUsage(runtime.timeSeries, principal.tenantId, plan) };
  },
);
