import { idParams, operatorPatchBody, operatorView } from '#lib/contracts/platform-registry.ts';
import { operators } from '#lib/domain/registry/registry.ts';
import { ifMatchVersion, resource } from '#lib/http/resources.ts';
import { httpRoute } from '#lib/http/route.ts';

/** PATCH /platform-api/operators/{id} — changes an operator; `If-Match: <version>` makes a stale write a 409. */
export const handler = httpRoute(
  'registry-operators-update',
  { params: idParams, body: operatorPatchBody, response: operatorView, idempotent: true, ifMatch: true },
  async ({ params, body, headers, principal, runtime }) => {
    const operator = await operators.update(
      runtime,
      principal.tenantId,
      params.id,
      body,
      ifMatchVersion(headers),
    );
    return resource(operators.view(operator));
  },
);
