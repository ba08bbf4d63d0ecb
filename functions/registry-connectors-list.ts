import { connectorView, listResponse, pageQuery } from '#lib/contracts/platform-registry.ts';
import { connectors } from '#lib/domain/registry/registry.ts';
import { page } from '#lib/http/resources.ts';
import { httpRoute } from '#lib/http/route.ts';

/** GET /platform-api/connectors — the tenant's connectors in id order, paged. */
export const handler = httpRoute(
  'registry-connectors-list',
  { query: pageQuery, response: listResponse(connectorView) },
  async ({ query, principal, runtime }) =>
    page(await connectors.list(runtime, principal.tenantId, query), connectors.view),
);
