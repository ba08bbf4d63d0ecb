import { connectionView, idParams } from '#lib/contracts/platform-registry.ts';
import { connections } from '#lib/domain/registry/registry.ts';
import { resource } from '#lib/http/resources.ts';
import { httpRoute } from '#lib/http/route.ts';

/** GET /platform-api/connections/{id} — one connection, with its version as ETag. */
export const handler = httpRoute(
  'registry-connections-get',
  { params: idParams, response: connectionView },
  async ({ params, principal, runtime }) =>
    resource(connections.view(await connections.get(runtime, principal.tenantId, params.id))),
);
