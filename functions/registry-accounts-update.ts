import { accountPatchBody, accountView, idParams } from '#lib/contracts/platform-registry.ts';
import { accounts } from '#lib/domain/registry/registry.ts';
import { ifMatchVersion, resource } from '#lib/http/resources.ts';
import { httpRoute } from '#lib/http/route.ts';

/** PATCH /platform-api/accounts/{id} — changes an account; `If-Match: <version>` makes a stale write a 409. */
export const handler = httpRoute(
  'registry-accounts-update',
  { params: idParams, body: accountPatchBody, response: accountView, idempotent: true, ifMatch: true },
  async ({ params, body, headers, principal, runtime }) => {
    const account = await accounts.update(
      runtime,
      principal.tenantId,
      params.id,
      body,
      ifMatchVersion(headers),
    );
    return resource(accounts.view(account));
  },
);
