import { connectionListQuery, connectionView, listResponse } from '#lib/contracts/platform-registry.ts';
import { connectionFilter, connections } from '#lib/domain/registry/registry.ts';
import { page } from '#lib/http/resources.ts';
import { httpRoute } from '#lib/http/route.ts';

/** GET /platform-api/connections — the tenant's connections in id order, paged, optionally filtered. */
export const handler = httpRoute(
  'registry-connections-list',
  { query: connectionListQuery, response: listResponse(connectionView) },
  async ({ query, principal, runtime }) =>
    page(
      await connections.list(runtime, principal.tenantId, query, connectionFilter(query)),
      connections.view,
    ),
);
