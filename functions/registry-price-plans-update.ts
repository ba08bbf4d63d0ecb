import {
  idParams,
  pricePlanPatchBody,
  pricePlanView as pricePlanSchema,
} from '#lib/contracts/platform-registry.ts';
import { pricePlanView, updatePricePlan } from '#lib/domain/registry/price-plan-service.ts';
import { ifMatchVersion, resource } from '#lib/http/resources.ts';
import { httpRoute } from '#lib/http/route.ts';

/** PATCH /platform-api/price-plans/{id} — changes a plan (`prices` replaces the whole list). */
export const handler = httpRoute(
  'registry-price-plans-update',
  { params: idParams, body: pricePlanPatchBody, response: pricePlanSchema, idempotent: true, ifMatch: true },
  async ({ params, body, headers, principal, runtime }) =>
    resource(
      pricePlanView(
        await updatePricePlan(runtime, principal.tenantId, params.id, body, ifMatchVersion(headers)),
      ),
    ),
);
