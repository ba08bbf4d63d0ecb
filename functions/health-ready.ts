import { checkReadiness } from '#lib/domain/readiness.ts';
import { httpRoute } from '#lib/http/route.ts';

/** Readiness: every store answers; 503 naming the failing dependency otherwise. */
export const handler = httpRoute('health-ready', {}, async ({ runtime }) => {
  const report = await checkReadiness(runtime.readinessChecks());
  return { status: report.status === 'ready' ? 200 : 503, body: report };
});
