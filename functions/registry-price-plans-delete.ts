import { idParams } from '#lib/contracts/platform-registry.ts';
import { deletePricePlan } from '#lib/domain/registry/price-plan-service.ts';
import { ifMatchVersion, noContent } from '#lib/http/resources.ts';
import { httpRoute } from '#lib/http/route.ts';

/** DELETE /platform-api/price-plans/{id} — removes a price plan; 204. */
export const handler = httpRoute(
  'registry-price-plans-delete',
  { params: idParams, status: 204, idempotent: true, ifMatch: true },
  async ({ params, headers, principal, runtime }) => {
    await deletePricePlan(runtime, principal.tenantId, params.id, ifMatchVersion(headers));
    return noContent;
  },
);
