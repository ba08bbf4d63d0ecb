import { idParams, pricePlanView as pricePlanSchema } from '#lib/contracts/platform-registry.ts';
import { getPricePlan, pricePlanView } from '#lib/domain/registry/price-plan-service.ts';
import { resource } from '#lib/http/resources.ts';
import { httpRoute } from '#lib/http/route.ts';

/** GET /platform-api/price-plans/{id} — one price plan. */
export const handler = httpRoute(
  'registry-price-plans-get',
  { params: idParams, response: pricePlanSchema },
  async ({ params, principal, runtime }) =>
    resource(pricePlanView(await getPricePlan(runtime, principal.tenantId, params.id))),
);
