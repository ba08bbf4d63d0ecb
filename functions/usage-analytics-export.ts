import { EXPORT_CONTENT_TYPES, exportUsage, resolveExportRequest } from '#lib/analytics/usage-cost-export.ts';
import { exportQueryParams, usageExportJson } from '#lib/contracts/usage-cost.ts';
import { httpRoute } from '#lib/http/route.ts';

/** GET /v1/analytics/export — the usage rows as a CSV, JSON or NDJSON download. */
export const handler = httpRoute(
  'usage-analytics-export',
  {
    query: exportQueryParams,
    // `format=json` answers the usage rows as JSON; csv and ndjson are text.
    response: usageExportJson,
    responseTypes: Object.values(EXPORT_CONTENT_TYPES),
    answers: [413],
  },
  async ({ query, principal, runtime }) => {
    const plan = resolveExportRequest(query, runtime.clock());
    const file = await exportUsage(runtime.timeSeries, principal.tenantId, plan);
    return {
      text: file.text,
      contentType: file.contentType,
      headers: {
        'content-disposition': `attachment; filename="${file.filename}"`,
        'cache-control': 'no-store',
      },
    };
  },
);
