import { httpRoute } from '#lib/http/route.ts';
import { checkReadiness } from '#lib/domain/readiness.ts';

/** Readiness: every store answers; 503 naming the failing dependency otherwise. */
export const handler = httpRoute('health-ready', {}, async ({ runtime }) => {
  const report = await checkReadiness(runtime.readinessChecks());
  return { status: report.status === 'ready' ? 200 : 503, body: report };
});
