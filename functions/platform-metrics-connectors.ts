import { defaultPlatformFrom, platformConnectors } from '#lib/analytics/platform-metrics.ts';
import { platformConnectorsResponse, platformWindowQuery } from '#lib/contracts/platform-metrics.ts';
import { resolveWindow } from '#lib/domain/windows.ts';
import { httpRoute } from '#lib/http/route.ts';

/** GET /platform-api/metrics/connectors — connector adoption: connections, operators, gateway requests. */
export const handler = httpRoute(
  'platform-metrics-connectors',
  { query: platformWindowQuery, response: platformConnectorsResponse },
  async ({ query, principal, runtime }) => {
    const window = resolveWindow(query, runtime.clock(), { defaultFrom: defaultPlatformFrom });
    return {
      body: await platformConnectors(runtime.timeSeries, runtime.registry, principal.tenantId, window),
    };
  },
);
