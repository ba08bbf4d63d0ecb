import * as z from 'zod';
import { checkReadiness } from '#lib/domain/readiness.ts';
import { httpRoute } from '#lib/http/route.ts';

/** The report, 200 when every store answers and 503 (the same body) when one does not. */
const readinessResponse = z.strictObject({
  status: z.enum(['ready', 'unavailable']),
  checks: z.array(
    z.strictObject({
      name: z.string(),
      status: z.enum(['up', 'down']),
      detail: z.string().optional(),
      durationMs: z.number().int().nonnegative(),
    }),
  ),
});

/** Readiness: every store answers; 503 naming the failing dependency otherwise. */
export const handler = httpRoute(
  'health-ready',
  {
    response: readinessResponse,
    responseStatuses: [
      { status: 503, description: 'A store does not answer: the same report, its check down' },
    ],
  },
  async ({ runtime }) => {
    const report: z.output<typeof readinessResponse> = await checkReadiness(runtime.readinessChecks());
    return { status: report.status === 'ready' ? 200 : 503, body: report };
  },
);
