import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RouteMatcher } from '#lib/http/route-match.ts';
import { routes } from '#lib/routes.ts';
import { schedules } from '#lib/schedules.ts';
import {
  EVENTS_DIR,
  loadApiGatewayEvent,
  loadScheduledEvent,
  samplePathFor,
} from '../../events/sample-events.ts';
import { loadHandlers } from '../../infra/local/handlers.ts';
import { type LocalStack, startLocalStack } from '../support/local-stack.ts';

/** A concrete path for a route template: each `{param}` becomes a sample value. */
const concretePath = (path: string) => path.replace(/\{[^}]+\}/g, 'sample-id');

describe('every manifest entry', () => {
  it('has a function file exporting a handler, and a sample event', async () => {
    const handlers = await loadHandlers([...routes, ...schedules]);
    expect(handlers.size).toBe(new Set([...routes, ...schedules].map((e) => e.function)).size);
    for (const route of routes) {
      const sample = samplePathFor(route.function, 'route');
      expect(existsSync(`${EVENTS_DIR}${sample}`), sample).toBe(true);
      const event = loadApiGatewayEvent(sample);
      if (route.path !== '$default') {
        expect(event.routeKey).toBe(`${route.method} ${route.path}`);
        expect(event.requestContext.http.method).toBe(route.method);
      }
    }
    for (const job of schedules) {
      const sample = samplePathFor(job.function, 'job');
      expect(existsSync(`${EVENTS_DIR}${sample}`), sample).toBe(true);
      expect(loadScheduledEvent(sample).source).toBe('aws.events');
    }
  });

  it('is declared once: no two routes share a method and path, no function serves two entries', () => {
    const keys = routes.map((r) => `${r.method} ${r.path}`);
    expect(new Set(keys).size).toBe(keys.length);
    const functions = [...routes, ...schedules].map((e) => e.function);
    expect(new Set(functions).size).toBe(functions.length);
  });

  it('is matched to itself by the router, most specific first', () => {
    const matcher = new RouteMatcher(routes);
    for (const route of routes.filter((r) => r.path !== '$default')) {
      expect(matcher.match(route.method, concretePath(route.path))?.route.function).toBe(route.function);
    }
  });
});

describe('the local runtime serves every route through its own handler', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack();
  });
  afterAll(() => stack.close());

  it.each(routes.filter((r) => r.path !== '$default').map((r) => [`${r.method} ${r.path}`, r] as const))(
    '%s',
    async (_key, route) => {
      const response = await stack.request(concretePath(route.path), {
        method: route.method,
        ...(route.method === 'GET' || route.method === 'DELETE'
          ? {}
          : { headers: { 'content-type': 'application/json' }, body: '{}' }),
      });
      // Reaching the handler's stack means: not the gateway's unknown-route answer and no crash.
      expect(response.status).not.toBe(500);
      if (response.status === 404 || response.status === 405) {
        const body = (await response.json()) as { code: string };
        expect(body.code).not.toBe('ROUTE_NOT_FOUND');
        expect(body.code).not.toBe('METHOD_NOT_ALLOWED');
      }
      if (route.auth !== 'public') expect(response.status).toBe(401);
    },
  );
});
