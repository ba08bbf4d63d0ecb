import {
  listResponse,
  pageQuery,
  pricePlanView as pricePlanSchema,
} from '#lib/contracts/platform-registry.ts';
import { listPricePlans, pricePlanView } from '#lib/domain/registry/price-plan-service.ts';
import { page } from '#lib/http/resources.ts';
import { httpRoute } from '#lib/http/route.ts';

/** GET /platform-api/price-plans — the tenant's price plans in id order, paged. */
export const handler = httpRoute(
  'registry-price-plans-list',
  { query: pageQuery, response: listResponse(pricePlanSchema) },
  async ({ query, principal, runtime }) =>
    page(await listPricePlans(runtime, principal.tenantId, query), pricePlanView),
);
