import { defaultPlatformFrom, platformSummary } from '#lib/analytics/platform-metrics.ts';
import { platformSummaryResponse, platformWindowQuery } from '#lib/contracts/platform-metrics.ts';
import { resolveWindow } from '#lib/domain/windows.ts';
import { httpRoute } from '#lib/http/route.ts';

/** GET /platform-api/metrics/summary — operators, usage and connections across the platform. */
export const handler = httpRoute(
  'platform-metrics-summary',
  { query: platformWindowQuery, response: platformSummaryResponse },
  async ({ query, principal, runtime }) => {
    const window = resolveWindow(query, runtime.clock(), { defaultFrom: defaultPlatformFrom });
    return { body: await platformSummary(runtime.timeSeries, runtime.registry, principal.tenantId, window) };
  },
);
