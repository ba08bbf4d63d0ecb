import { reportWindow, usageReport } from '#lib/analytics/billing-report.ts';
import { usageReportQuery, usageReportResponse } from '#lib/contracts/platform-metrics.ts';
import { httpRoute } from '#lib/http/route.ts';

/** GET /platform-api/usage/report — per-operator billable usage of [start, end], priced by the plans in force. */
export const handler = httpRoute(
  'platform-usage-report',
  { query: usageReportQuery, response: usageReportResponse, answers: [422] },
  async ({ query, principal, runtime }) => {
    const period = reportWindow(query.start, query.end);
    return { body: await usageReport(runtime.timeSeries, runtime.registry, principal.tenantId, period) };
  },
);
