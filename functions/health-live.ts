import * as z from 'zod';
import { httpRoute } from '#lib/http/route.ts';

const liveResponse = z.strictObject({ status: z.literal('ok') });

/** Liveness: the process is up and answering. Checks no dependency, by design. */
export const handler = httpRoute('health-live', { response: liveResponse }, async () => ({
  body: { status: 'ok' },
}));
