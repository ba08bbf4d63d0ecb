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
    // A batch of up to 1,000 events (lib/domain/ingest.ts MAX_BATCH_BYTES).
    maxBodyBytes: 1024 * 1024,
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
  {
    method: 'GET',
    path: '/v1/internal/analytics/operators/{id}/performance',
    function: 'delivery-operator-performance',
    auth: 'platform',
    binds: ['config:read', 'timeseries:read'],
  },
  {
    method: 'GET',
    path: '/v1/internal/analytics/accounts/{id}/usage',
    function: 'delivery-account-usage',
    // An account key reads its own account (the customer portal); platform keys any of the tenant's.
    auth: 'account',
    binds: ['config:read', 'timeseries:read'],
  },
  {
    method: 'GET',
    path: '/v1/internal/analytics/throughput',
    function: 'delivery-throughput',
    auth: 'platform',
    binds: ['config:read', 'timeseries:read'],
  },
  {
    method: 'GET',
    path: '/v1/internal/analytics/delivery-breakdown',
    function: 'delivery-breakdown',
    auth: 'platform',
    binds: ['config:read', 'timeseries:read'],
  },
  {
    // The contract's operational /metrics, served per tenant: the platform key's tenant's counters.
    method: 'GET',
    path: '/metrics',
    function: 'prometheus-metrics',
    auth: 'platform',
    binds: ['config:read', 'timeseries:read'],
  },
  // registry (section owned by the registry work)
  {
    method: 'POST',
    path: '/platform-api/operators',
    function: 'registry-operators-create',
    auth: 'platform',
    binds: ['config:read', 'config:write'],
  },
  {
    method: 'GET',
    path: '/platform-api/operators',
    function: 'registry-operators-list',
    auth: 'platform',
    binds: ['config:read', 'config:cursor-key'],
  },
  {
    method: 'GET',
    path: '/platform-api/operators/{id}',
    function: 'registry-operators-get',
    auth: 'platform',
    binds: ['config:read'],
  },
  {
    method: 'PATCH',
    path: '/platform-api/operators/{id}',
    function: 'registry-operators-update',
    auth: 'platform',
    binds: ['config:read', 'config:write'],
  },
  {
    method: 'DELETE',
    path: '/platform-api/operators/{id}',
    function: 'registry-operators-delete',
    auth: 'platform',
    binds: ['config:read', 'config:write'],
  },
  {
    method: 'POST',
    path: '/platform-api/connectors',
    function: 'registry-connectors-create',
    auth: 'platform',
    binds: ['config:read', 'config:write'],
  },
  {
    method: 'GET',
    path: '/platform-api/connectors',
    function: 'registry-connectors-list',
    auth: 'platform',
    binds: ['config:read', 'config:cursor-key'],
  },
  {
    method: 'GET',
    path: '/platform-api/connectors/{id}',
    function: 'registry-connectors-get',
    auth: 'platform',
    binds: ['config:read'],
  },
  {
    method: 'PATCH',
    path: '/platform-api/connectors/{id}',
    function: 'registry-connectors-update',
    auth: 'platform',
    binds: ['config:read', 'config:write'],
  },
  {
    method: 'DELETE',
    path: '/platform-api/connectors/{id}',
    function: 'registry-connectors-delete',
    auth: 'platform',
    binds: ['config:read', 'config:write'],
  },
  {
    method: 'POST',
    path: '/platform-api/connections',
    function: 'registry-connections-create',
    auth: 'platform',
    binds: ['config:read', 'config:write'],
  },
  {
    method: 'GET',
    path: '/platform-api/connections',
    function: 'registry-connections-list',
    auth: 'platform',
    binds: ['config:read', 'config:cursor-key'],
  },
  {
    method: 'GET',
    path: '/platform-api/connections/{id}',
    function: 'registry-connections-get',
    auth: 'platform',
    binds: ['config:read'],
  },
  {
    method: 'PATCH',
    path: '/platform-api/connections/{id}',
    function: 'registry-connections-update',
    auth: 'platform',
    binds: ['config:read', 'config:write'],
  },
  {
    method: 'DELETE',
    path: '/platform-api/connections/{id}',
    function: 'registry-connections-delete',
    auth: 'platform',
    binds: ['config:read', 'config:write'],
  },
  {
    method: 'POST',
    path: '/platform-api/accounts',
    function: 'registry-accounts-create',
    auth: 'platform',
    binds: ['config:read', 'config:write'],
  },
  {
    method: 'GET',
    path: '/platform-api/accounts',
    function: 'registry-accounts-list',
    auth: 'platform',
    binds: ['config:read', 'config:cursor-key'],
  },
  {
    method: 'GET',
    path: '/platform-api/accounts/{id}',
    function: 'registry-accounts-get',
    auth: 'platform',
    binds: ['config:read'],
  },
  {
    method: 'PATCH',
    path: '/platform-api/accounts/{id}',
    function: 'registry-accounts-update',
    auth: 'platform',
    binds: ['config:read', 'config:write'],
  },
  {
    method: 'DELETE',
    path: '/platform-api/accounts/{id}',
    function: 'registry-accounts-delete',
    auth: 'platform',
    binds: ['config:read', 'config:write'],
  },
  {
    method: 'POST',
    path: '/platform-api/projects',
    function: 'registry-projects-create',
    auth: 'platform',
    binds: ['config:read', 'config:write'],
  },
  {
    method: 'GET',
    path: '/platform-api/projects',
    function: 'registry-projects-list',
    auth: 'platform',
    binds: ['config:read', 'config:cursor-key'],
  },
  {
    method: 'GET',
    path: '/platform-api/projects/{id}',
    function: 'registry-projects-get',
    auth: 'platform',
    binds: ['config:read'],
  },
  {
    method: 'PATCH',
    path: '/platform-api/projects/{id}',
    function: 'registry-projects-update',
    auth: 'platform',
    binds: ['config:read', 'config:write'],
  },
  {
    method: 'DELETE',
    path: '/platform-api/projects/{id}',
    function: 'registry-projects-delete',
    auth: 'platform',
    binds: ['config:read', 'config:write'],
  },
  {
    method: 'GET',
    path: '/platform-api/settings',
    function: 'registry-settings-get',
    auth: 'platform',
    binds: ['config:read'],
  },
  {
    method: 'PUT',
    path: '/platform-api/settings',
    function: 'registry-settings-put',
    auth: 'platform',
    binds: ['config:read', 'config:write'],
  },
  {
    method: 'POST',
    path: '/platform-api/keys',
    function: 'registry-keys-create',
    auth: 'platform',
    binds: ['config:read', 'config:write'],
  },
  {
    method: 'GET',
    path: '/platform-api/keys',
    function: 'registry-keys-list',
    auth: 'platform',
    binds: ['config:read', 'config:cursor-key'],
  },
  {
    method: 'GET',
    path: '/platform-api/keys/{keyId}',
    function: 'registry-keys-get',
    auth: 'platform',
    binds: ['config:read'],
  },
  {
    method: 'PATCH',
    path: '/platform-api/keys/{keyId}',
    function: 'registry-keys-update',
    auth: 'platform',
    binds: ['config:read', 'config:write'],
  },
  {
    method: 'DELETE',
    path: '/platform-api/keys/{keyId}',
    function: 'registry-keys-revoke',
    auth: 'platform',
    binds: ['config:read', 'config:write'],
  },
  {
    method: 'POST',
    path: '/platform-api/price-plans',
    function: 'registry-price-plans-create',
    auth: 'platform',
    binds: ['config:read', 'config:write'],
  },
  {
    method: 'GET',
    path: '/platform-api/price-plans',
    function: 'registry-price-plans-list',
    auth: 'platform',
    binds: ['config:read', 'config:cursor-key'],
  },
  {
    method: 'GET',
    path: '/platform-api/price-plans/{id}',
    function: 'registry-price-plans-get',
    auth: 'platform',
    binds: ['config:read'],
  },
  {
    method: 'PATCH',
    path: '/platform-api/price-plans/{id}',
    function: 'registry-price-plans-update',
    auth: 'platform',
    binds: ['config:read', 'config:write'],
  },
  {
    method: 'DELETE',
    path: '/platform-api/price-plans/{id}',
    function: 'registry-price-plans-delete',
    auth: 'platform',
    binds: ['config:read', 'config:write'],
  },
  // platform metrics (section owned by the platform-metrics work)
  // contracts/platform-metrics-api.txt
  {
    method: 'GET',
    path: '/platform-api/metrics/summary',
    function: 'platform-metrics-summary',
    auth: 'platform',
    binds: ['config:read', 'timeseries:read'],
  },
  {
    method: 'GET',
    path: '/platform-api/metrics/operators',
    function: 'platform-metrics-operators',
    auth: 'platform',
    binds: ['config:read', 'timeseries:read'],
  },
  {
    method: 'GET',
    path: '/platform-api/metrics/connectors',
    function: 'platform-metrics-connectors',
    auth: 'platform',
    binds: ['config:read', 'timeseries:read'],
  },
  {
    method: 'GET',
    path: '/platform-api/usage/report',
    function: 'platform-usage-report',
    auth: 'platform',
    binds: ['config:read', 'timeseries:read'],
    // Every operator's priced lines for up to 92 days, built in memory; API Gateway waits 30 s at most.
    memoryMb: 1024,
    timeoutSeconds: 29,
  },
  // developer usage (section owned by the developer-usage work)
  // contracts/developer-usage-api.txt
  {
    method: 'GET',
    path: '/v1/developer/usage',
    function: 'developer-usage',
    auth: 'account',
    binds: ['config:read', 'timeseries:read'],
  },
  // usage and cost analytics (section owned by the usage-cost work)
  {
    method: 'GET',
    path: '/v1/analytics/usage',
    function: 'usage-analytics-query',
    auth: 'platform',
    binds: ['config:read', 'timeseries:read'],
  },
  {
    method: 'POST',
    path: '/v1/analytics/usage',
    function: 'usage-analytics-query-post',
    auth: 'platform',
    binds: ['config:read', 'timeseries:read'],
  },
  {
    method: 'GET',
    path: '/v1/analytics/export',
    function: 'usage-analytics-export',
    auth: 'platform',
    binds: ['config:read', 'timeseries:read'],
    // Up to 5 MiB of body built in memory; API Gateway gives up on an integration after 30 s.
    memoryMb: 1024,
    timeoutSeconds: 29,
  },
  {
    method: 'GET',
    path: '/v1/analytics/overview',
    function: 'usage-analytics-overview',
    auth: 'platform',
    binds: ['config:read', 'timeseries:read'],
  },
  // Unknown paths and methods get a problem+json 404/405 instead of API Gateway's bare 404.
  { method: 'ANY', path: '$default', function: 'route-not-found', auth: 'public', binds: [] },
] as const satisfies readonly RouteEntry[];

export type RouteFunctionName = (typeof manifest)[number]['function'];

export const routes: readonly (RouteEntry & { function: RouteFunctionName })[] = manifest;
