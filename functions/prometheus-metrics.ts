import { Registry } from 'prom-client';
import { tenantMetrics } from '#lib/analytics/prometheus.ts';
import { metricsQuery } from '#lib/contracts/delivery-analytics.ts';
import { httpRoute } from '#lib/http/route.ts';

/** GET /metrics — the tenant's counters of the current UTC day in the Prometheus text format. */
export const handler = httpRoute(
  'prometheus-metrics',
  { query: metricsQuery, responseTypes: [Registry.PROMETHEUS_CONTENT_TYPE] },
  async ({ principal, runtime }) => {
    const { text, contentType } = await tenantMetrics(
      runtime.timeSeries,
      principal.tenantId,
      runtime.clock(),
    );
    return { text, contentType };
  },
);
