import { connectionPatchBody, connectionView, idParams } from '#lib/contracts/platform-registry.ts';
import { connections } from '#lib/domain/registry/registry.ts';
import { ifMatchVersion, resource } from '#lib/http/resources.ts';
import { httpRoute } from '#lib/http/route.ts';

/** PATCH /platform-api/connections/{id} — changes a connection; `If-Match: <version>` makes a stale write a 409. */
export const handler = httpRoute(
  'registry-connections-update',
  { params: idParams, body: connectionPatchBody, response: connectionView, idempotent: true, ifMatch: true },
  async ({ params, body, headers, principal, runtime }) => {
    const connection = await connections.update(
      runtime,
      principal.tenantId,
      params.id,
      body,
      ifMatchVersion(headers),
    );
    return resource(connections.view(connection));
  },
);
