import { deliveryThroughput, THROUGHPUT_DEFAULT_MS } from '#lib/analytics/delivery-throughput.ts';
import { throughputQuery, throughputResponse } from '#lib/contracts/delivery-analytics.ts';
import { resolveWindow } from '#lib/domain/windows.ts';
import { httpRoute } from '#lib/http/route.ts';

/** GET /v1/internal/analytics/throughput — messages per bucket; by default the last hour in 5-minute buckets. */
export const handler = httpRoute(
  'delivery-throughput',
  { query: throughputQuery, response: throughputResponse },
  async ({ query, principal, runtime }) => {
    const window = resolveWindow(query, runtime.clock(), {
      defaultFrom: (to) => new Date(to.getTime() - THROUGHPUT_DEFAULT_MS),
    });
    return {
      body: await deliveryThroughput(runtime.timeSeries, principal.tenantId, window, query.resolution),
    };
  },
);
