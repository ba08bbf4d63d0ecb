import { defaultPlatformFrom, platformOperators } from '#lib/analytics/platform-metrics.ts';
import { platformOperatorsQuery, platformOperatorsResponse } from '#lib/contracts/platform-metrics.ts';
import { resolveWindow } from '#lib/domain/windows.ts';
import { httpRoute } from '#lib/http/route.ts';

/** GET /platform-api/metrics/operators — per-operator connections and usage, sorted and paged. */
export const handler = httpRoute(
  'platform-metrics-operators',
  { query: platformOperatorsQuery, response: platformOperatorsResponse },
  async ({ query, principal, runtime }) => {
    const { limit, offset, sort, order } = query;
    const window = resolveWindow(query, runtime.clock(), { defaultFrom: defaultPlatformFrom });
    return {
      body: await platformOperators(runtime.timeSeries, runtime.registry, principal.tenantId, window, {
        limit,
        offset,
        sort,
        order,
      }),
    };
  },
);
