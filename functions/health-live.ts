import { httpRoute } from '#lib/http/route.ts';

/** Liveness: the process is up and answering. Checks no dependency, by design. */
export const handler = httpRoute('health-live', {}, async () => ({ body: { status: 'ok' } }));
