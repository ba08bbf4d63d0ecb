import type { RouteEntry } from './manifest-types.ts';

/**
 * The route manifest: every HTTP endpoint of Meterhouse, declared once. The CDK stack creates one
 * Lambda and one HttpApi route per entry; the local runtime mounts the same handler for the same
 * entry. Keep entries grouped by contract family.
 */
const manifest = [
  // operations
  { method: 'GET', path: '/health/live', function: 'health-live', auth: 'public', binds: [] },
  {
    method: 'GET',
    path: '/health/ready',
    function: 'health-ready',
    auth: 'public',
    binds: ['config:read', 'timeseries:read'],
  },
  // ingest
  {
    method: 'POST',
    path: '/v1/events',
    function: 'ingest-events',
    auth: 'ingest',
    // config:write: the Timestream adapter records seen event ids in the config table.
    binds: ['config:read', 'config:write', 'timeseries:write'],
    memoryMb: 1024,
    timeoutSeconds: 30,
  },
  // delivery analytics (contracts/delivery-analytics-api.txt)
  {
    method: 'GET',
    path: '/v1/internal/analytics/summary',
    function: 'delivery-summary',
    auth: 'platform',
    binds: ['config:read', 'timeseries:read'],
  },
  // delivery analytics: more routes (section owned by the delivery-analytics work)
  // registry (section owned by the registry work)
  // platform metrics (section owned by the platform-metrics work)
  // developer usage (section owned by the developer-usage work)
  // usage and cost analytics (section owned by the usage-cost work)
  // Unknown paths and methods get a problem+json 404/405 instead of API Gateway's bare 404.
  { method: 'ANY', path: '$default', function: 'route-not-found', auth: 'public', binds: [] },
] as const satisfies readonly RouteEntry[];

export type RouteFunctionName = (typeof manifest)[number]['function'];

export const routes: readonly (RouteEntry & { function: RouteFunctionName })[] = manifest;
