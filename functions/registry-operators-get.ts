import { idParams, operatorView } from '#lib/contracts/platform-registry.ts';
import { operators } from '#lib/domain/registry/registry.ts';
import { resource } from '#lib/http/resources.ts';
import { httpRoute } from '#lib/http/route.ts';

/** GET /platform-api/operators/{id} — one operator, with its version as ETag. */
export const handler = httpRoute(
  'registry-operators-get',
  { params: idParams, response: operatorView },
  async ({ params, principal, runtime }) =>
    resource(operators.view(await operators.get(runtime, principal.tenantId, params.id))),
);
