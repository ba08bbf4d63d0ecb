import { apiKeyView, listResponse, pageQuery } from '#lib/contracts/platform-registry.ts';
import { listKeys } from '#lib/domain/registry/api-key-admin.ts';
import { httpRoute } from '#lib/http/route.ts';

/** GET /platform-api/keys — the tenant's keys, oldest first, paged; never a secret or its hash. */
export const handler = httpRoute(
  'registry-keys-list',
  { query: pageQuery, response: listResponse(apiKeyView) },
  async ({ query, principal, runtime }) => ({
    body: await listKeys(runtime, principal.tenantId, query),
  }),
);
