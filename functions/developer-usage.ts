import { developerUsage } from '#lib/analytics/developer-usage.ts';
import { resolveDeveloperScope } from '#lib/analytics/developer-usage-scope.ts';
import { developerUsageQuery, developerUsageResponse } from '#lib/contracts/developer-usage.ts';
import { httpRoute } from '#lib/http/route.ts';

/** GET /v1/developer/usage — one account's API usage (account key, or platform key + accountId). */
export const handler = httpRoute(
  'developer-usage',
  { query: developerUsageQuery, response: developerUsageResponse, answers: [404] },
  async ({ query, principal, runtime }) => {
    const scope = await resolveDeveloperScope(principal, query, runtime.apiKeys);
    return { body: await developerUsage(runtime.timeSeries, { ...query, scope, now: runtime.clock() }) };
  },
);
