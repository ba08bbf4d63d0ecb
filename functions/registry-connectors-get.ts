import { connectorView, idParams } from '#lib/contracts/platform-registry.ts';
import { connectors } from '#lib/domain/registry/registry.ts';
import { resource } from '#lib/http/resources.ts';
import { httpRoute } from '#lib/http/route.ts';

/** GET /platform-api/connectors/{id} — one connector, with its version as ETag. */
export const handler = httpRoute(
  'registry-connectors-get',
  { params: idParams, response: connectorView },
  async ({ params, principal, runtime }) =>
    resource(connectors.view(await connectors.get(runtime, principal.tenantId, params.id))),
);
