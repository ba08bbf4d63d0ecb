import { accountCreateBody, accountView } from '#lib/contracts/platform-registry.ts';
import { accounts } from '#lib/domain/registry/registry.ts';
import { created } from '#lib/http/resources.ts';
import { httpRoute } from '#lib/http/route.ts';

/** POST /platform-api/accounts — registers an account (the client may bring its own id); 201 with it. */
export const handler = httpRoute(
  'registry-accounts-create',
  { body: accountCreateBody, response: accountView, status: 201, idempotent: true },
  async ({ body, principal, runtime }) => {
    const account = await accounts.create(runtime, principal.tenantId, body);
    return created(`/platform-api/accounts/${encodeURIComponent(account.id)}`, accounts.view(account));
  },
);
