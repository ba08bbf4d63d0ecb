import { pricePlanCreateBody, pricePlanView as pricePlanSchema } from '#lib/contracts/platform-registry.ts';
import { createPricePlan, pricePlanView } from '#lib/domain/registry/price-plan-service.ts';
import { created } from '#lib/http/resources.ts';
import { httpRoute } from '#lib/http/route.ts';

/** POST /platform-api/price-plans — adds a price plan; 409 when its validity overlaps another's. */
export const handler = httpRoute(
  'registry-price-plans-create',
  { body: pricePlanCreateBody, response: pricePlanSchema, status: 201, idempotent: true },
  async ({ body, principal, runtime }) => {
    const plan = await createPricePlan(runtime, principal.tenantId, body);
    return created(`/platform-api/price-plans/${encodeURIComponent(plan.id)}`, pricePlanView(plan));
  },
);
