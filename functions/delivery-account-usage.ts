import { accountUsage } from '#lib/analytics/delivery.ts';
import {
  accountUsageResponse,
  deliveryIdParams,
  deliveryWindowQuery,
} from '#lib/contracts/delivery-analytics.ts';
import { assertAccountAccess } from '#lib/domain/authenticate.ts';
import { resolveWindow } from '#lib/domain/windows.ts';
import { httpRoute } from '#lib/http/route.ts';

/** GET /v1/internal/analytics/accounts/{id}/usage — an account's usage; account keys read only their own. */
export const handler = httpRoute(
  'delivery-account-usage',
  { query: deliveryWindowQuery, params: deliveryIdParams, response: accountUsageResponse },
  async ({ query, params, principal, runtime }) => {
    assertAccountAccess(principal, params.id);
    const window = resolveWindow(query, runtime.clock());
    return {
      body: await accountUsage(runtime.timeSeries, principal.tenantId, params.id, window, query.granularity),
    };
  },
);
