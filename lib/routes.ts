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
  // Unknown paths and methods get a problem+json 404/405 instead of API Gateway's bare 404.
  { method: 'ANY', path: '$default', function: 'route-not-found', auth: 'public', binds: [] },
] as const satisfies readonly RouteEntry[];

export type RouteFunctionName = (typeof manifest)[number]['function'];

export const routes: readonly (RouteEntry & { function: RouteFunctionName })[] = manifest;
