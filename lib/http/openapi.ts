import * as z from 'zod';
import packageJson from '../../package.json' with { type: 'json' };
import type { RouteEntry } from '../manifest-types.ts';
import { type ErrorStatus, type ResponseStatus, type RouteDoc, routeStatuses } from './route-docs.ts';

/**
 * The OpenAPI 3.1 document of every manifest route, built from the manifest (method, path, role)
 * and the zod schemas each handler gives `httpRoute` (route-docs.ts): nothing about a route is
 * written a second time for the document. `npm run openapi` writes it to openapi.json.
 *
 * The responses are the statuses route-docs.ts `routeStatuses` derives from the route's stack and
 * its handler's `answers`: the same set every answer of the route is checked against
 * (documented-answers.ts), so a status the code answers and this document omits fails the tests.
 */

type Json = Record<string, unknown>;

export interface OpenApiParameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  description?: string;
  schema: Json;
}

export interface OpenApiOperation {
  operationId: string;
  tags: string[];
  summary?: string;
  security: Record<string, string[]>[];
  'x-meterhouse-role': string;
  parameters?: OpenApiParameter[];
  requestBody?: { required: boolean; description?: string; content: Record<string, { schema: Json }> };
  responses: Record<string, Json>;
}

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  servers: { url: string; description: string }[];
  tags: { name: string }[];
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: {
    securitySchemes: Record<string, Json>;
    schemas: Record<string, Json>;
    responses: Record<string, Json>;
  };
}

export interface OpenApiOptions {
  /** One line per function name (the handler's doc comment), shown as the operation's summary. */
  summaries?: ReadonlyMap<string, string>;
  /**
   * Names for body and response schemas (and the object schemas inside them): each becomes one
   * entry of `components.schemas` that operations refer to, instead of a copy per operation.
   */
  names?: ReadonlyMap<z.ZodType, string>;
}

const SECURITY_SCHEME = 'bearerAuth';
const PROBLEM_MEDIA_TYPE = 'application/problem+json';

/** The problem+json body of every error (lib/http/problem.ts); extension members may follow. */
const problemSchema = z.looseObject({
  type: z.string().describe('URI of the problem type; ends with the code'),
  title: z.string(),
  status: z.number().int().min(400).max(599),
  code: z.string().describe('Stable machine-readable code, e.g. INVALID_WINDOW'),
  detail: z.string(),
  instance: z.string().describe('The request path'),
  requestId: z.string().describe('Quote it when reporting a problem'),
  errors: z
    .array(
      z.strictObject({
        in: z.enum(['query', 'path', 'body', 'header']),
        name: z.string(),
        code: z
          .string()
          .optional()
          .describe('INVALID_TIME for a malformed or impossible date or time, as ingest rejects one'),
        message: z.string(),
      }),
    )
    .optional()
    .describe('Validation errors: one entry per offending parameter'),
});

const ERROR_RESPONSES: Record<ErrorStatus, { name: string; description: string }> = {
  400: { name: 'BadRequest', description: 'Invalid parameters or body; `code` and `errors` name them' },
  401: { name: 'Unauthorized', description: 'Missing, unknown or revoked API key' },
  403: { name: 'Forbidden', description: "The key's role (or account) may not do this" },
  404: { name: 'NotFound', description: 'No such resource for this tenant' },
  405: { name: 'MethodNotAllowed', description: 'The path exists under other methods; `Allow` names them' },
  409: {
    name: 'Conflict',
    description: 'A stale `If-Match` version, a taken name, or the same `Idempotency-Key` still running',
  },
  413: {
    name: 'PayloadTooLarge',
    description: 'The body (or the answer) is larger than this endpoint allows',
  },
  415: { name: 'UnsupportedMediaType', description: 'A body in a media type this endpoint does not read' },
  422: {
    name: 'UnprocessableContent',
    description: 'Well-formed but unprocessable, e.g. an `Idempotency-Key` reused for another request',
  },
  429: {
    name: 'TooManyRequests',
    description: "Too many requests for the key's limits; `Retry-After` says when to try again",
  },
  500: { name: 'InternalError', description: 'An unexpected error; the detail names only the request id' },
  503: {
    name: 'Unavailable',
    description: 'A dependency is unavailable (e.g. the time-series store throttles); safe to retry',
  },
};

const SUCCESS_DESCRIPTIONS: Record<RouteDoc['status'], string> = {
  200: 'OK',
  201: 'Created',
  204: 'No content',
};

const isJsonMediaType = (mediaType: string) => /^application\/(?:[\w.-]+\+)?json\b/.test(mediaType);

/** Builds the document; `docs` must hold every route but `$default` (load the handler modules first). */
export function buildOpenApiDocument(
  routes: readonly RouteEntry[],
  docs: ReadonlyMap<string, RouteDoc>,
  options: OpenApiOptions = {},
): OpenApiDocument {
  const schemas: Record<string, Json> = {};
  const registry = z.registry<{ id: string }>();
  for (const [schema, name] of options.names ?? []) registry.add(schema, { id: name });
  /** Bodies and answers: named schemas become components. */
  const convert: Convert = (schema, io) => toJsonSchema(schema, io, schemas, registry);
  /** Query and path objects: always inline, their properties become parameters. */
  const inline: Convert = (schema, io) => toJsonSchema(schema, io, schemas);
  schemas.Problem = inline(problemSchema, 'output');

  const paths: OpenApiDocument['paths'] = {};
  const tags: string[] = [];
  const usedErrors = new Set<ErrorStatus>();

  for (const route of routes) {
    if (route.path === '$default' || route.method === 'ANY') continue;
    const doc = docs.get(route.function);
    if (!doc) {
      throw new Error(
        `No contract recorded for ${route.function}: import functions/${route.function}.ts first`,
      );
    }
    const tag = route.function.split('-')[0] ?? route.function;
    if (!tags.includes(tag)) tags.push(tag);

    const statuses = routeStatuses(route, doc);
    for (const status of statuses.problems) usedErrors.add(status);

    const parameters = [
      ...pathParameters(route.path, doc.params ? inline(doc.params, 'input') : undefined),
      ...queryParameters(doc.query ? inline(doc.query, 'input') : undefined),
      ...headerParameters(doc),
    ];
    const requestBody = requestBodyOf(doc, convert);
    const summary = options.summaries?.get(route.function);
    const operation: OpenApiOperation = {
      operationId: route.function,
      tags: [tag],
      ...(summary ? { summary } : {}),
      security: route.auth === 'public' ? [] : [{ [SECURITY_SCHEME]: [] }],
      'x-meterhouse-role': route.auth,
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(requestBody ? { requestBody } : {}),
      responses: {
        [String(doc.status)]: successResponse(doc, convert),
        ...Object.fromEntries(
          doc.responseStatuses.map((answer) => [
            String(answer.status),
            sameBodyResponse(answer, doc, convert),
          ]),
        ),
        ...Object.fromEntries(
          statuses.problems.map((status) => [
            String(status),
            { $ref: `#/components/responses/${ERROR_RESPONSES[status].name}` },
          ]),
        ),
      },
    };
    paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: operation };
  }

  const responses: Record<string, Json> = {};
  for (const status of [...usedErrors].sort((a, b) => a - b)) {
    const { name, description } = ERROR_RESPONSES[status];
    responses[name] = {
      description,
      content: { [PROBLEM_MEDIA_TYPE]: { schema: { $ref: '#/components/schemas/Problem' } } },
    };
  }

  return {
    openapi: '3.1.0',
    info: {
      title: 'Meterhouse',
      version: packageJson.version,
      description:
        `${packageJson.description} Every error is application/problem+json (RFC 9457). ` +
        'Generated from lib/routes.ts and the zod schemas of the handlers (`npm run openapi`).',
    },
    servers: [{ url: 'http://127.0.0.1:3030', description: 'local (`npm start`)' }],
    tags: tags.map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: {
        [SECURITY_SCHEME]: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'mh_<role>_<id>_<secret>',
          description:
            '`Authorization: Bearer <key>`. Each key has a role (platform, ingest, account); ' +
            '`x-meterhouse-role` names the role an operation needs; a platform key may call every operation.',
        },
      },
      schemas,
      responses,
    },
  };
}

function pathParameters(path: string, schema: Json | undefined): OpenApiParameter[] {
  const properties = (schema?.properties ?? {}) as Record<string, Json>;
  return [...path.matchAll(/\{([^}]+)\}/g)].map(([, name = '']) =>
    parameter(name, 'path', true, properties[name] ?? { type: 'string' }),
  );
}

function queryParameters(schema: Json | undefined): OpenApiParameter[] {
  if (!schema) return [];
  const properties = (schema.properties ?? {}) as Record<string, Json>;
  const required = new Set((schema.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) =>
    parameter(name, 'query', required.has(name), property),
  );
}

function headerParameters(doc: RouteDoc): OpenApiParameter[] {
  const headers: OpenApiParameter[] = [];
  if (doc.idempotent) {
    headers.push({
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      description:
        'Makes the write safe to retry for 24 hours: a replay answers the stored response ' +
        '(`Idempotent-Replayed: true`); the same key with another body is 422.',
      schema: { type: 'string', pattern: '^[\\x21-\\x7E]{1,255}$' },
    });
  }
  if (doc.ifMatch) {
    headers.push({
      name: 'If-Match',
      in: 'header',
      required: false,
      description: 'The resource\'s version (its ETag), e.g. `"3"`; a stale one is 409 VERSION_CONFLICT.',
      schema: { type: 'string' },
    });
  }
  return headers;
}

/** A parameter; the schema's description becomes the parameter's. */
function parameter(name: string, where: OpenApiParameter['in'], required: boolean, schema: Json) {
  const { description, ...rest } = schema;
  return {
    name,
    in: where,
    required,
    ...(typeof description === 'string' ? { description } : {}),
    schema: rest,
  } satisfies OpenApiParameter;
}

type Convert = (schema: z.ZodType, io: 'input' | 'output') => Json;

function requestBodyOf(doc: RouteDoc, convert: Convert): OpenApiOperation['requestBody'] {
  if (doc.bodyFormat === 'json' && doc.body) {
    return { required: true, content: { 'application/json': { schema: convert(doc.body, 'input') } } };
  }
  if (doc.bodyFormat !== 'raw') return undefined;
  const mediaTypes = doc.accepts ?? ['application/octet-stream'];
  const content: Record<string, { schema: Json }> = {};
  for (const mediaType of mediaTypes) {
    if (isJsonMediaType(mediaType) && doc.rawBodySchema) {
      content[mediaType] = { schema: convert(doc.rawBodySchema, 'input') };
    } else if (mediaType === 'application/x-ndjson') {
      content[mediaType] = {
        schema: {
          type: 'string',
          description:
            'Newline-delimited JSON: one item per line, each what the JSON form lists in its array',
        },
      };
    } else {
      content[mediaType] = { schema: { type: 'string' } };
    }
  }
  return {
    required: true,
    ...(mediaTypes.length > 1 ? { description: `Send it as ${mediaTypes.join(' or ')}.` } : {}),
    content,
  };
}

/** A status other than the success one whose answer is the success body (readiness' 503). */
function sameBodyResponse(answer: ResponseStatus, doc: RouteDoc, convert: Convert): Json {
  return {
    description: answer.description,
    ...(doc.response ? { content: { 'application/json': { schema: convert(doc.response, 'output') } } } : {}),
  };
}

function successResponse(doc: RouteDoc, convert: Convert): Json {
  const headers: Record<string, Json> = {};
  if (doc.status === 201) {
    headers.Location = { description: 'Where the new resource lives', schema: { type: 'string' } };
    headers.ETag = { description: "The resource's version", schema: { type: 'string' } };
  }
  if (doc.idempotent) {
    headers['Idempotent-Replayed'] = {
      description: '`true` when this is the stored answer to an earlier request with the same key',
      schema: { type: 'string', enum: ['true'] },
    };
  }
  const mediaTypes =
    doc.status === 204 ? [] : (doc.responseTypes ?? (doc.response ? ['application/json'] : []));
  const content: Record<string, { schema: Json }> = {};
  for (const mediaType of mediaTypes) {
    content[mediaType] = {
      schema:
        isJsonMediaType(mediaType) && doc.response ? convert(doc.response, 'output') : { type: 'string' },
    };
  }
  return {
    description: SUCCESS_DESCRIPTIONS[doc.status],
    ...(Object.keys(headers).length > 0 ? { headers } : {}),
    ...(mediaTypes.length > 0 ? { content } : {}),
  };
}

/**
 * zod 4's own JSON Schema (draft 2020-12, the dialect of OpenAPI 3.1), for the side of the
 * schema the client sees: `input` for what it sends (before transforms and defaults), `output`
 * for what it receives. Checks JSON Schema cannot express (refinements, transforms) are left
 * out. Named schemas (and any shared definitions) move to `components.schemas`.
 */
function toJsonSchema(
  schema: z.ZodType,
  io: 'input' | 'output',
  components: Record<string, Json>,
  metadata?: z.core.$ZodRegistry<{ id: string }>,
): Json {
  const converted = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
    target: 'draft-2020-12',
    ...(metadata
      ? {
          metadata,
          // Names come from `metadata`; descriptions and the like stay in zod's global registry.
          override: ({ zodSchema, jsonSchema }) => {
            const { id: _id, ...meta } = z.globalRegistry.get(zodSchema) ?? {};
            Object.assign(jsonSchema, meta);
          },
        }
      : {}),
  }) as Json;
  const { $schema: _dialect, $defs, ...rest } = converted;
  for (const [name, definition] of Object.entries(($defs ?? {}) as Record<string, Json>)) {
    const hoisted = rewriteRefs(definition) as Json;
    const existing = components[name];
    if (existing && JSON.stringify(existing) !== JSON.stringify(hoisted)) {
      throw new Error(`Two different schemas are both named ${name}`);
    }
    components[name] = hoisted;
  }
  return rewriteRefs(rest) as Json;
}

function rewriteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [
      key,
      key === '$ref' && typeof item === 'string'
        ? item.replace(/^#\/\$defs\//, '#/components/schemas/')
        : rewriteRefs(item),
    ]),
  );
}
