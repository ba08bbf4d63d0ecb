import { idParams } from '#lib/contracts/platform-registry.ts';
import { connectors } from '#lib/domain/registry/registry.ts';
import { ifMatchVersion, noContent } from '#lib/http/resources.ts';
import { httpRoute } from '#lib/http/route.ts';

/** DELETE /platform-api/connectors/{id} — removes a connector (409 while still referenced); 204. */
export const handler = httpRoute(
  'registry-connectors-delete',
  { params: idParams, status: 204, idempotent: true, ifMatch: true },
  async ({ params, headers, principal, runtime }) => {
    await connectors.remove(runtime, principal.tenantId, params.id, ifMatchVersion(headers));
    return noContent;
  },
);
