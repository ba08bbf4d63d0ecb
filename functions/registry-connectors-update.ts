import { connectorPatchBody, connectorView, idParams } from '#lib/contracts/platform-registry.ts';
import { connectors } from '#lib/domain/registry/registry.ts';
import { ifMatchVersion, resource } from '#lib/http/resources.ts';
import { httpRoute } from '#lib/http/route.ts';

/** PATCH /platform-api/connectors/{id} — changes a connector; `If-Match: <version>` makes a stale write a 409. */
export const handler = httpRoute(
  'registry-connectors-update',
  { params: idParams, body: connectorPatchBody, response: connectorView, idempotent: true, ifMatch: true },
  async ({ params, body, headers, principal, runtime }) => {
    const connector = await connectors.update(
      runtime,
      principal.tenantId,
      params.id,
      body,
      ifMatchVersion(headers),
    );
    return resource(connectors.view(connector));
  },
);
