import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError } from '#lib/domain/errors.ts';
import { takeUndocumentedAnswers } from '#lib/http/documented-answers.ts';
import { httpRoute } from '#lib/http/route.ts';
import type { RouteEntry } from '#lib/manifest-types.ts';
import { routes } from '#lib/routes.ts';
import { localLambdaContext } from '../../infra/local/api-gateway-event.ts';
import type { LambdaHandler } from '../../infra/local/handlers.ts';
import { type LocalStack, readProblem, startLocalStack } from '../support/local-stack.ts';

// A handler for the real health-live route that answers what its document does not list: a 202,
// and a 409 (live takes no writes). It re-records health-live's contract in this file's modules only.
const liveRoute = routes.find((route) => route.function === 'health-live') as RouteEntry;
const misdocumented = httpRoute('health-live', {}, async ({ headers }) => {
  if (headers['x-answer'] === 'conflict') throw new ConflictError('SOMETHING_TAKEN', 'Taken');
  if (headers['x-answer'] === 'accepted') return { status: 202, body: { status: 'ok' } };
  return { body: { status: 'ok' } };
});

let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack({
    routes: [liveRoute],
    handlers: new Map<string, LambdaHandler>([['health-live', misdocumented as LambdaHandler]]),
  });
});
afterAll(() => stack.close());

describe('every answer is checked against the statuses its route documents', () => {
  it('records an undocumented status, and answers it all the same', async () => {
    const accepted = await stack.request('/health/live', { headers: { 'x-answer': 'accepted' } });
    expect(accepted.status).toBe(202);
    const conflict = await stack.request('/health/live', { headers: { 'x-answer': 'conflict' } });
    expect((await readProblem(conflict)).code).toBe('SOMETHING_TAKEN');

    // Taken here, so the setup file (test/support/documented-answers.ts) does not fail this test.
    expect(takeUndocumentedAnswers()).toEqual([
      { route: 'health-live', status: 202 },
      { route: 'health-live', status: 409, code: 'SOMETHING_TAKEN' },
    ]);
  });

  it('records nothing for documented ones: the success status, and the limits of the stack', async () => {
    expect((await stack.request('/health/live')).status).toBe(200);
    // A GET with a body over the limit (API Gateway passes it on; fetch would not send it).
    const event = {
      version: '2.0',
      routeKey: 'GET /health/live',
      rawPath: '/health/live',
      rawQueryString: '',
      headers: { 'content-type': 'text/plain' },
      requestContext: { requestId: 'req-413', http: { method: 'GET', path: '/health/live' } },
      body: 'x'.repeat(300 * 1024),
      isBase64Encoded: false,
    } as unknown as APIGatewayProxyEventV2;
    const tooLarge = await misdocumented(event, localLambdaContext('health-live', 10));
    expect(tooLarge.statusCode).toBe(413);
    expect(takeUndocumentedAnswers()).toEqual([]);
  });
});
