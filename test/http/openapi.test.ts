import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { OPENAPI_FILE, openApiDocument, renderOpenApi } from '#infra/openapi.ts';
import type { OpenApiDocument, OpenApiOperation, OpenApiParameter } from '#lib/http/openapi.ts';
import { type RouteDoc, routeDocs, routeStatuses } from '#lib/http/route-docs.ts';
import { routes } from '#lib/routes.ts';
import packageJson from '../../package.json' with { type: 'json' };
import { type LocalStack, startLocalStack } from '../support/local-stack.ts';

type Json = Record<string, unknown>;

let document: OpenApiDocument;
beforeAll(async () => {
  document = await openApiDocument();
});

const served = routes.filter((route) => route.path !== '$default');

function operation(functionName: string): OpenApiOperation {
  const route = routes.find((r) => r.function === functionName);
  const found = route && document.paths[route.path]?.[route.method.toLowerCase()];
  if (!found) throw new Error(`${functionName} is not in the document`);
  return found;
}

function param(op: OpenApiOperation, name: string, where: OpenApiParameter['in']): OpenApiParameter {
  const found = op.parameters?.find((p) => p.name === name && p.in === where);
  if (!found) throw new Error(`${op.operationId} has no ${where} parameter ${name}`);
  return found;
}

/** Resolves a local JSON pointer (`#/components/schemas/X`) in the document. */
function resolve(ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = document;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (node === null || typeof node !== 'object' || !(key in node)) return undefined;
    node = (node as Json)[key];
  }
  return node;
}

const deref = (node: unknown): Json => {
  const ref = (node as Json | undefined)?.$ref;
  return (typeof ref === 'string' ? resolve(ref) : node) as Json;
};

function* refsIn(node: unknown, at = '#'): Generator<[string, string]> {
  if (Array.isArray(node)) {
    for (const [i, item] of node.entries()) yield* refsIn(item, `${at}/${i}`);
  } else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') yield [at, value];
      else yield* refsIn(value, `${at}/${key}`);
    }
  }
}

describe('the OpenAPI document', () => {
  it('has one operation per manifest route but $default, with its method, path, role and id', () => {
    const operations = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, op]) => `${method.toUpperCase()} ${path} ${op.operationId}`),
    );
    expect(operations.sort()).toEqual(served.map((r) => `${r.method} ${r.path} ${r.function}`).sort());
    expect(operations.some((line) => line.includes('route-not-found'))).toBe(false);

    for (const route of served) {
      const op = operation(route.function);
      expect(op.operationId).toBe(route.function);
      expect(op['x-meterhouse-role']).toBe(route.auth);
      expect(op.tags).toEqual([route.function.split('-')[0]]);
      expect(op.security).toEqual(route.auth === 'public' ? [] : [{ bearerAuth: [] }]);
    }
    expect(operation('health-live').security).toEqual([]);
    expect(operation('ingest-events')['x-meterhouse-role']).toBe('ingest');
    expect(operation('delivery-account-usage')['x-meterhouse-role']).toBe('account');
  });

  it('takes query parameters from the zod schemas', () => {
    const summary = operation('delivery-summary');
    expect(summary.parameters?.map((p) => `${p.in}:${p.name}`)).toEqual([
      'query:from',
      'query:to',
      'query:granularity',
    ]);
    expect(param(summary, 'from', 'query').required).toBe(false);
    expect(param(summary, 'granularity', 'query').schema).toMatchObject({
      enum: ['hourly', 'daily'],
      default: 'daily',
    });

    const developer = operation('developer-usage');
    expect(param(developer, 'timeframe', 'query').schema).toMatchObject({
      type: 'string',
      enum: ['1h', '24h', '7d', '30d', '90d', '1y', 'all'],
      default: '24h',
    });
    expect(developer.parameters?.map((p) => p.name)).toEqual([
      'timeframe',
      'granularity',
      'sort',
      'order',
      'limit',
      'offset',
      'accountId',
      'keyId',
    ]);

    const report = operation('platform-usage-report');
    expect(param(report, 'start', 'query').required).toBe(true);
    expect(param(report, 'end', 'query').required).toBe(true);
    expect(operation('registry-operators-list').parameters?.map((p) => p.name)).toEqual(['limit', 'cursor']);
  });

  it('documents a registry update: path id, If-Match, Idempotency-Key, JSON body, the resource', () => {
    const update = operation('registry-operators-update');
    expect(update.parameters?.map((p) => `${p.in}:${p.name}:${p.required}`)).toEqual([
      'path:id:true',
      'header:Idempotency-Key:false',
      'header:If-Match:false',
    ]);
    expect(update.requestBody?.required).toBe(true);
    expect(Object.keys(update.requestBody?.content ?? {})).toEqual(['application/json']);
    const body = deref(update.requestBody?.content['application/json']?.schema);
    expect(Object.keys(body.properties as Json)).toEqual(['name', 'status', 'contactEmail']);
    expect(body.additionalProperties).toBe(false);

    const ok = update.responses['200'] as { content: Record<string, { schema: unknown }> };
    const view = deref(ok.content['application/json']?.schema);
    expect(view.required).toEqual([
      'id',
      'name',
      'status',
      'contactEmail',
      'version',
      'createdAt',
      'updatedAt',
    ]);
    expect(Object.keys(update.responses)).toEqual([
      '200',
      '400',
      '401',
      '403',
      '404',
      '409',
      '413',
      '415',
      '422',
      '429',
      '500',
    ]);

    const created = operation('registry-operators-create');
    expect(Object.keys(created.responses)[0]).toBe('201');
    expect(Object.keys((created.responses['201'] as { headers: Json }).headers)).toContain('Location');
    expect(param(created, 'Idempotency-Key', 'header').required).toBe(false);
    expect(created.parameters?.some((p) => p.name === 'If-Match')).toBe(false);

    const removed = operation('registry-operators-delete');
    expect(removed.responses['204']).not.toHaveProperty('content');
    expect(removed.requestBody).toBeUndefined();
    expect(param(removed, 'If-Match', 'header')).toBeDefined();
    expect(param(operation('registry-settings-put'), 'If-Match', 'header')).toBeDefined();
    expect(param(operation('registry-keys-revoke'), 'If-Match', 'header')).toBeDefined();
    expect(operation('registry-operators-get').parameters?.map((p) => p.name)).toEqual(['id']);
  });

  it('documents both media types of ingest and the text answers', () => {
    const ingest = operation('ingest-events');
    const content = ingest.requestBody?.content ?? {};
    expect(Object.keys(content)).toEqual(['application/json', 'application/x-ndjson']);
    const batch = deref(content['application/json']?.schema);
    expect(batch.required).toEqual(['events']);
    expect((batch.properties as Record<string, Json>).events).toMatchObject({ minItems: 1, maxItems: 1000 });
    expect(content['application/x-ndjson']?.schema).toMatchObject({ type: 'string' });
    expect(Object.keys(ingest.responses)).toEqual([
      '200',
      '400',
      '401',
      '403',
      '413',
      '415',
      '422',
      '429',
      '500',
      '503',
    ]);

    const metrics = operation('prometheus-metrics').responses['200'] as { content: Json };
    expect(Object.keys(metrics.content)).toEqual(['text/plain; version=0.0.4; charset=utf-8']);
    const exported = operation('usage-analytics-export').responses['200'] as { content: Json };
    expect(Object.keys(exported.content)).toEqual([
      'text/csv; charset=utf-8',
      'application/json',
      'application/x-ndjson',
    ]);
  });

  it('answers every error with the shared Problem schema; public routes have no 401/403/429', () => {
    const problem = document.components.schemas.Problem as { required: string[]; properties: Json };
    expect(problem.required).toEqual(['type', 'title', 'status', 'code', 'detail', 'instance', 'requestId']);
    expect(Object.keys(problem.properties)).toContain('errors');

    for (const route of served) {
      const { responses } = operation(route.function);
      const sameBody = new Set(
        routeDocs()
          .get(route.function)
          ?.responseStatuses.map((a) => String(a.status)),
      );
      const errors = Object.keys(responses).filter(
        (status) => Number(status) >= 400 && !sameBody.has(status),
      );
      expect(errors, route.function).toContain('500');
      for (const status of errors) {
        const answer = deref(responses[status]);
        expect(answer.content, `${route.function} ${status}`).toEqual({
          'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } },
        });
      }
      const auth = ['401', '403', '429'].filter((status) => status in responses);
      expect(auth, route.function).toEqual(route.auth === 'public' ? [] : ['401', '403', '429']);
    }
  });

  it('lists every status the route answers, as the answer check does (route-docs.ts routeStatuses)', () => {
    for (const route of served) {
      const doc = routeDocs().get(route.function);
      if (!doc) throw new Error(`no doc for ${route.function}`);
      const { body, problems } = routeStatuses(route, doc);
      const listed = Object.keys(operation(route.function).responses).map(Number);
      expect(listed, route.function).toEqual([...body, ...problems].sort((a, b) => a - b));
    }
    // Every route may meet the body limit; routes that read a body also a media type they refuse.
    const { responses } = operation('registry-settings-get');
    expect(Object.keys(responses)).toEqual(['200', '401', '403', '404', '413', '429', '500']);
    expect(Object.keys(operation('health-live').responses)).toEqual(['200', '413', '500']);
    expect(Object.keys(operation('registry-operators-create').responses)).toContain('415');
    expect(Object.keys(operation('delivery-summary').responses)).not.toContain('415');
    // Timestream throttling after the retries: 503 on every route that reads or writes it.
    for (const route of served) {
      const usesTimeSeries = route.binds.some((binding) => binding.startsWith('timeseries:'));
      expect('503' in operation(route.function).responses, route.function).toBe(usesTimeSeries);
    }
  });

  it('documents the 503 of /health/ready: the readiness report, not a problem', () => {
    const { responses } = operation('health-ready');
    expect(Object.keys(responses)).toEqual(['200', '413', '500', '503']);
    const unavailable = responses['503'] as {
      description: string;
      content: Record<string, { schema: Json }>;
    };
    const ok = responses['200'] as { content: Record<string, { schema: Json }> };
    expect(unavailable.description).toMatch(/report/);
    expect(unavailable.content).toEqual(ok.content);
    expect(deref(unavailable.content['application/json']?.schema).required).toEqual(['status', 'checks']);
  });

  it('is structurally valid OpenAPI 3.1', () => {
    expect(document.openapi).toMatch(/^3\.1\.\d+$/);
    expect(document.info).toMatchObject({ title: 'Meterhouse', version: packageJson.version });
    expect(document.servers[0]?.url).toBe('http://127.0.0.1:3030');
    expect(document.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });

    const tags = new Set(document.tags.map((t) => t.name));
    const operationIds = new Set<string>();
    for (const [path, item] of Object.entries(document.paths)) {
      expect(path).toMatch(/^\//);
      const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      for (const [method, op] of Object.entries(item)) {
        expect(['get', 'put', 'post', 'delete', 'patch']).toContain(method);
        expect(operationIds.has(op.operationId), op.operationId).toBe(false);
        operationIds.add(op.operationId);
        for (const tag of op.tags) expect(tags.has(tag), tag).toBe(true);
        for (const requirement of op.security) {
          for (const scheme of Object.keys(requirement)) {
            expect(document.components.securitySchemes).toHaveProperty(scheme);
          }
        }
        const parameters = op.parameters ?? [];
        const keys = parameters.map((p) => `${p.in}:${p.name}`);
        expect(new Set(keys).size, op.operationId).toBe(keys.length);
        // Every templated segment has exactly one required path parameter, and no other path parameters.
        expect(parameters.filter((p) => p.in === 'path').map((p) => p.name)).toEqual(templated);
        for (const p of parameters) {
          expect(['query', 'header', 'path', 'cookie']).toContain(p.in);
          if (p.in === 'path') expect(p.required).toBe(true);
          expect(p.schema).toBeTypeOf('object');
        }
        expect(Object.keys(op.responses).length).toBeGreaterThan(0);
        for (const [status, response] of Object.entries(op.responses)) {
          expect(status).toMatch(/^[1-5]\d\d$/);
          expect(deref(response).description, `${op.operationId} ${status}`).toBeTypeOf('string');
        }
      }
    }
    // No JSON Schema keyword OpenAPI would misread as a document of its own.
    expect(JSON.stringify(document)).not.toContain('"$schema"');
    const refs = [...refsIn(document)];
    expect(refs.length).toBeGreaterThan(0);
    for (const [at, ref] of refs) expect(resolve(ref), `${at} → ${ref}`).toBeDefined();
  });

  it('names contract schemas once as components', () => {
    const ok = (fn: string, status = '200') =>
      (operation(fn).responses[status] as { content: Record<string, { schema: unknown }> }).content[
        'application/json'
      ]?.schema;
    expect(ok('registry-operators-get')).toEqual({ $ref: '#/components/schemas/OperatorView' });
    expect(ok('registry-operators-create', '201')).toEqual({ $ref: '#/components/schemas/OperatorView' });
    expect(ok('delivery-summary')).toEqual({ $ref: '#/components/schemas/DeliverySummaryResponse' });
    expect(ok('registry-operators-list')).toMatchObject({
      properties: { items: { items: { $ref: '#/components/schemas/OperatorView' } } },
    });
  });
});

describe('the route contracts behind the document', () => {
  const docOf = (fn: string): RouteDoc => {
    const doc = routeDocs().get(fn);
    if (!doc) throw new Error(`no doc for ${fn}`);
    return doc;
  };

  it('declare what the handler does: If-Match read, 201 created, 204 no content', () => {
    for (const route of served) {
      const source = readFileSync(new URL(`../../functions/${route.function}.ts`, import.meta.url), 'utf8');
      const doc = docOf(route.function);
      expect(doc.ifMatch, `${route.function}: ifMatch`).toBe(source.includes('ifMatchVersion('));
      expect(doc.status === 201, `${route.function}: status 201`).toBe(source.includes('created('));
      expect(doc.status === 204, `${route.function}: status 204`).toBe(source.includes('noContent'));
    }
  });

  it('give every JSON answer a response schema; only the text endpoint goes without', () => {
    const without = served.filter((r) => docOf(r.function).status !== 204 && !docOf(r.function).response);
    expect(without.map((r) => r.function)).toEqual(['prometheus-metrics']);
  });

  describe('describe real answers', () => {
    let stack: LocalStack;
    beforeAll(async () => {
      stack = await startLocalStack();
    });
    afterAll(() => stack.close());

    const schemaOf = (fn: string): z.ZodType => {
      const schema = docOf(fn).response;
      if (!schema) throw new Error(`no response schema for ${fn}`);
      return schema;
    };

    it('health and ingest answers match their schemas', async () => {
      const live = await stack.request('/health/live');
      expect(schemaOf('health-live').parse(await live.json())).toEqual({ status: 'ok' });
      const ready = await stack.request('/health/ready');
      expect(schemaOf('health-ready').parse(await ready.json())).toMatchObject({ status: 'ready' });

      const event = {
        id: `openapi-${Date.now()}`,
        time: new Date(Date.now() - 60_000).toISOString(),
        type: 'message',
        operatorId: 'op_alpha',
        status: 'DELIVERED',
        cost: '0.006500',
        latencyMs: 840,
      };
      const batch = { events: [event, { ...event, id: `${event.id}-b`, latencyMS: 1 }] };
      // The documented batch schema takes the valid event and refuses the misspelt field, as ingest does.
      const documented = docOf('ingest-events').rawBodySchema;
      expect(documented?.safeParse({ events: [event] }).success).toBe(true);
      expect(documented?.safeParse(batch).success).toBe(false);
      const ingested = await stack.request('/v1/events', {
        method: 'POST',
        key: stack.tenant.keys.ingest,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(batch),
      });
      expect(ingested.status).toBe(200);
      const answer = schemaOf('ingest-events').parse(await ingested.json()) as {
        rejected: { code: string }[];
      };
      expect(answer).toMatchObject({ accepted: 1, duplicates: 0 });
      expect(answer.rejected.map((r) => r.code)).toEqual(['UNKNOWN_FIELD']);
    });
  });
});

describe('openapi.json', () => {
  it('is the document the code builds now', () => {
    const committed = readFileSync(OPENAPI_FILE, 'utf8');
    const fresh = renderOpenApi(document);
    expect(committed === fresh, 'openapi.json is stale: run `npm run openapi` and commit it').toBe(true);
  });
});
