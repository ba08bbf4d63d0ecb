import { accountView, idParams } from '#lib/contracts/platform-registry.ts';
import { accounts } from '#lib/domain/registry/registry.ts';
import { resource } from '#lib/http/resources.ts';
import { httpRoute } from '#lib/http/route.ts';

/** GET /platform-api/accounts/{id} — one account, with its version as ETag. */
export const handler = httpRoute(
  'registry-accounts-get',
  { params: idParams, response: accountView },
  async ({ params, principal, runtime }) =>
    resource(accounts.view(await accounts.get(runtime, principal.tenantId, params.id))),
);
