import { accountListQuery, accountView, listResponse } from '#lib/contracts/platform-registry.ts';
import { accountFilter, accounts } from '#lib/domain/registry/registry.ts';
import { page } from '#lib/http/resources.ts';
import { httpRoute } from '#lib/http/route.ts';

/** GET /platform-api/accounts — the tenant's accounts in id order, paged, optionally filtered. */
export const handler = httpRoute(
  'registry-accounts-list',
  { query: accountListQuery, response: listResponse(accountView) },
  async ({ query, principal, runtime }) =>
    page(await accounts.list(runtime, principal.tenantId, query, accountFilter(query)), accounts.view),
);
