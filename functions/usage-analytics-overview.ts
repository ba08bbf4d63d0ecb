import { usageOverview } from '#lib/analytics/usage-cost-overview.ts';
import { overviewQueryParams, overviewResponse } from '#lib/contracts/usage-cost.ts';
import { httpRoute } from '#lib/http/route.ts';

/** GET /v1/analytics/overview — the dashboard: KPIs against the previous period, volume, models, projects. */
export const handler = httpRoute(
  'usage-analytics-overview',
  { query: overviewQueryParams, response: overviewResponse },
  async ({ query, principal, runtime }) => {
    return {
      body: await usageOverview(runtime.timeSeries, principal.tenantId, query.range, runtime.clock()),
    };
  },
);
