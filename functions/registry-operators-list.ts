import { listResponse, operatorView, pageQuery } from '#lib/contracts/platform-registry.ts';
import { operators } from '#lib/domain/registry/registry.ts';
import { page } from '#lib/http/resources.ts';
import { httpRoute } from '#lib/http/route.ts';

/** GET /platform-api/operators — the tenant's operators in id order, paged. */
export const handler = httpRoute(
  'registry-operators-list',
  { query: pageQuery, response: listResponse(operatorView) },
  async ({ query, principal, runtime }) =>
    page(await operators.list(runtime, principal.tenantId, query), operators.view),
);
