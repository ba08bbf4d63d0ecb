import { readFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawPathOf } from '#infra/local/api-gateway-event.ts';
import { EXPORT_FORMATS, USAGE_DIMENSIONS, USAGE_GRAINS, USAGE_METRICS } from '#lib/contracts/usage-cost.ts';
import type { RateLimits } from '#lib/domain/api-keys.ts';
import { createApiKey, createTenant } from '#lib/domain/tenants.ts';
import { RouteMatcher } from '#lib/http/route-match.ts';
import { routes } from '#lib/routes.ts';
import { arbitraryFor, isoDate, type JsonSchema } from '../support/json-schema-arbitrary.ts';
import { type LocalStack, startLocalStack } from '../support/local-stack.ts';

/**
 * The fuzz suite's machinery: requests for every operation of the committed openapi.json, drawn
 * from each parameter's and body's schema and mixed with hostile values, sent as raw bytes to the
 * local stack (DuckDB + dynalite behind the real HTTP server), and the checks every answer must
 * pass whatever was sent.
 */

type Json = Record<string, unknown>;

export interface Operation {
  operationId: string;
  method: string;
  /** The path template, `{id}` and all. */
  path: string;
  role: string;
  parameters: { name: string; in: 'path' | 'query' | 'header'; required: boolean; schema: JsonSchema }[];
  /** Media type → schema of the body it reads. */
  body?: Record<string, JsonSchema>;
}

export interface OpenApi {
  operations: Operation[];
  /** The statuses documented for an operation, or for the `$default` route (404, 405) by its id. */
  statuses(operationId: string): ReadonlySet<number>;
  resolve(ref: string): JsonSchema;
}

const DEFAULT_ROUTE_STATUSES: ReadonlySet<number> = new Set([404, 405]);

export function loadOpenApi(): OpenApi {
  const document = JSON.parse(readFileSync(new URL('../../openapi.json', import.meta.url), 'utf8')) as Json;
  const operations: Operation[] = [];
  const statuses = new Map<string, ReadonlySet<number>>();
  for (const [path, item] of Object.entries(document.paths as Record<string, Record<string, Json>>)) {
    for (const [method, op] of Object.entries(item)) {
      const content = (op.requestBody as { content?: Record<string, { schema: JsonSchema }> } | undefined)
        ?.content;
      operations.push({
        operationId: op.operationId as string,
        method: method.toUpperCase(),
        path,
        role: op['x-meterhouse-role'] as string,
        parameters: (op.parameters ?? []) as Operation['parameters'],
        ...(content
          ? { body: Object.fromEntries(Object.entries(content).map(([type, { schema }]) => [type, schema])) }
          : {}),
      });
      statuses.set(op.operationId as string, new Set(Object.keys(op.responses as Json).map(Number)));
    }
  }
  const resolve = (ref: string): JsonSchema => {
    let node: unknown = document;
    for (const key of ref.replace(/^#\//, '').split('/')) node = (node as Json)[key];
    if (!node || typeof node !== 'object') throw new Error(`openapi.json has no ${ref}`);
    return node as JsonSchema;
  };
  return {
    operations,
    statuses: (operationId) => statuses.get(operationId) ?? DEFAULT_ROUTE_STATUSES,
    resolve,
  };
}

// --- The stack under fuzz ------------------------------------------------------------------

export interface FuzzStack {
  stack: LocalStack;
  /** Keys by role, and a platform key of another tenant. */
  keys: { platform: string; ingest: string; account: string; otherTenant: string };
  /** Ids that exist, so some requests reach a resource instead of its 404 (`keys`: not the keys above). */
  ids: { operator: string; account: string; keys: string[] };
  close(): Promise<void>;
}

/** Limits no fuzz run reaches: the suite tests answers, not the rate limiter. */
const UNLIMITED: RateLimits = {
  requestsPerMinute: 1_000_000_000,
  requestsPerHour: 1_000_000_000,
  requestsPerDay: 1_000_000_000,
};

export async function startFuzzStack(): Promise<FuzzStack> {
  const stack = await startLocalStack();
  const { runtime } = stack.stores;
  const { tenantId } = stack.tenant;
  const now = new Date();
  const operator = 'op_fuzz';
  const account = 'acct_fuzz';
  const issue = (role: 'platform' | 'ingest' | 'account') =>
    createApiKey(
      runtime,
      { tenantId, role, rateLimits: UNLIMITED, ...(role === 'account' ? { accountId: account } : {}) },
      now,
    );
  const [platform, ingest, accountKey] = [
    await issue('platform'),
    await issue('ingest'),
    await issue('account'),
  ];
  // Keys for the fuzzed key routes to change and revoke; the ones above must keep working.
  const targets = [await issue('platform'), await issue('account')];
  const other = await createTenant(runtime, 'Other Platform', now);

  const create = async (path: string, body: unknown) => {
    const answer = await fetch(`${stack.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${platform.key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (answer.status !== 201) throw new Error(`POST ${path}: ${answer.status} ${await answer.text()}`);
  };
  await create('/platform-api/operators', { id: operator, name: 'Fuzz operator' });
  await create('/platform-api/accounts', { id: account, name: 'Fuzz account', operatorId: operator });
  await stack.ingest(sampleEvents(now, operator, account));

  return {
    stack,
    keys: {
      platform: platform.key,
      ingest: ingest.key,
      account: accountKey.key,
      otherTenant: other.keys.platform,
    },
    ids: { operator, account, keys: targets.map((target) => target.record.keyId) },
    close: () => stack.close(),
  };
}

/** A day of messages and API requests, so the analytics routes have rows to work on. */
function sampleEvents(now: Date, operatorId: string, accountId: string): unknown[] {
  return Array.from({ length: 40 }, (_, i) => {
    const time = new Date(now.getTime() - (i + 1) * 30 * 60_000).toISOString();
    return i % 2 === 0
      ? {
          id: `fuzz-msg-${i}`,
          time,
          type: 'message',
          operatorId,
          accountId,
          status: i % 4 === 0 ? 'FAILED' : 'DELIVERED',
          cost: '0.006500',
          latencyMs: 100 + i,
        }
      : {
          id: `fuzz-api-${i}`,
          time,
          type: 'api.request',
          operatorId,
          accountId,
          endpoint: '/v1/messages',
          method: 'POST',
          statusCode: i % 5 === 0 ? 500 : 200,
          latencyMs: 20 + i,
          bytes: 512,
        };
  });
}

// --- Values --------------------------------------------------------------------------------

/** A value as it goes on the wire (percent-encoded where it sits in a URL) and as it was meant. */
export interface Wire {
  wire: string;
  value: string;
}

/** Percent-encodes the UTF-8 bytes of `value` but the unreserved ones; a lone surrogate becomes U+FFFD. */
export function percentEncode(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const char = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

const asWire = (value: string): Wire => ({ wire: percentEncode(value), value });
const rawWire = (wire: string): Wire => {
  let value = wire;
  try {
    value = decodeURIComponent(wire);
  } catch {
    // A malformed escape stays as sent: that is what the server sees, too.
  }
  return { wire, value };
};

/** Strings no parameter should be able to turn into a 5xx or a leak. */
export const HOSTILE_STRINGS: readonly string[] = [
  '',
  ' ',
  '0',
  '-1',
  '-0',
  '1e308',
  '-1e308',
  '1e-400',
  'NaN',
  'Infinity',
  '9007199254740993',
  '99999999999999999999999999999999',
  '0x1F',
  '1_000',
  '١٢٣',
  'true',
  'null',
  'undefined',
  '[]',
  '{}',
  '🦄🦄🦄',
  '\u{1F600}'.repeat(40),
  'مرحبا\u202Eabc\u2066',
  'Ω≈ç√∫ ｆｕｌｌ',
  'e\u0301\u0301\u0301',
  '\uFEFFbom',
  '\u0000',
  'a\u0000b',
  '\r\nX-Injected: 1',
  "'; DROP TABLE events; --",
  "' OR '1'='1",
  '1; SELECT * FROM events',
  "Robert'); DELETE FROM events WHERE ('1'='1",
  '$1',
  '%',
  '\\',
  '../',
  '../../../../etc/passwd',
  '..\\..\\windows',
  '/',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  '<script>alert(1)</script>',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template injection, sent as text.
  '${7*7}',
  '2024-02-30T00:00:00Z',
  '2024-13-01',
  '0000-01-01T00:00:00Z',
  '9999-12-31T23:59:59.999Z',
  '+275760-09-13T00:00:00.000Z',
  '-271821-04-20T00:00:00Z',
  '1970-01-01T00:00:00Z',
  '2024-01-01T00:00:00+25:00',
  '2024-01-01T24:00:00Z',
  '1700000000000',
  '2024-01-01',
  'x'.repeat(300),
  'x'.repeat(10_000),
];

/** Already on the wire: escapes a client could not produce by encoding a string. */
const HOSTILE_WIRES: readonly string[] = [
  '%zz',
  '%',
  '%00',
  '%2e%2e',
  '%2E%2E%2F%2E%2E',
  '..%2f..%2f',
  '%C0%AE%C0%AE',
  '%ED%A0%80',
  '%FF%FE',
  '+',
  'a%26b%3Dc',
  '%0d%0a',
];

/** JSON values of the wrong type or out of any range, for body members. */
const HOSTILE_JSON: readonly unknown[] = [
  ...HOSTILE_STRINGS,
  1e308,
  -1e308,
  2 ** 64,
  Number.MAX_SAFE_INTEGER + 2,
  -1,
  0.1,
  5e-324,
  true,
  false,
  null,
  [],
  {},
  [null],
  { nested: { deeper: [1, 'x'] } },
  JSON.parse('{"__proto__":{"polluted":true}}'),
];

export const hostileString = fc.constantFrom(...HOSTILE_STRINGS);
const hostileJson = fc.constantFrom(...HOSTILE_JSON);
const randomText = fc.string({ unit: 'binary', maxLength: 60 });

const timestamp = fc.oneof(
  isoDate().map((date) => date.toISOString()),
  isoDate().map((date) => date.toISOString().slice(0, 10)),
  isoDate().map((date) => date.toISOString().replace('Z', '+02:00')),
);
const listOf = (values: readonly string[]) => fc.subarray([...values], { minLength: 1 });

/** What the service reads where the schema says only "a string" (or "an array of strings"). */
function hintFor(fuzz: FuzzStack, asList: (values: fc.Arbitrary<string[]>) => fc.Arbitrary<unknown>) {
  return (name: string): fc.Arbitrary<unknown> | undefined => {
    switch (name) {
      case 'from':
      case 'to':
      case 'start_date':
      case 'end_date':
      case 'validFrom':
      case 'validTo':
      case 'time':
        return timestamp;
      case 'start':
      case 'end':
        return isoDate().map((date) => date.toISOString().slice(0, 10));
      case 'group_by':
        return asList(
          fc
            .tuple(listOf(USAGE_DIMENSIONS), fc.option(fc.constantFrom(...USAGE_GRAINS), { nil: undefined }))
            .map(([dimensions, grain]) => (grain ? [...dimensions, grain] : dimensions)),
        );
      case 'metrics':
        return asList(listOf(USAGE_METRICS));
      case 'format':
        return fc.constantFrom(...EXPORT_FORMATS, 'CSV', 'xml');
      case 'currency':
      case 'defaultCurrency':
        return fc.constantFrom('EUR', 'USD', 'GBP', 'XXX', 'eur');
      case 'timezone':
        return fc.constantFrom('UTC', 'Europe/Berlin', 'Mars/Olympus');
      case 'operatorId':
        return fc.constant(fuzz.ids.operator);
      case 'accountId':
        return fc.constant(fuzz.ids.account);
      case 'keyId':
        return fc.constantFrom(...fuzz.ids.keys);
      default:
        return undefined;
    }
  };
}

// --- Requests ------------------------------------------------------------------------------

export interface FuzzRequest {
  method: string;
  /** Path and query exactly as sent: already percent-encoded. */
  target: string;
  headers: Record<string, string>;
  body?: string;
  /** Every value the request carries, so an echo of one in the answer is not taken for a leak. */
  sent: string[];
}

const headerSafe = (value: string) => /^[\t\x20-\x7e]*$/.test(value);

/**
 * Half the requests are hostile: any part of them may be a hostile value, a wrong key, a body of
 * another shape. The other half are clean, so that most of them pass validation and reach the
 * services: schema values, the right key, a hostile value now and then.
 */
type Mood = 'clean' | 'hostile';

/** fc.oneof over the entries whose weight is not 0. */
function weighted<T>(...entries: { weight: number; arbitrary: fc.Arbitrary<T> }[]): fc.Arbitrary<T> {
  return fc.oneof(...entries.filter((entry) => entry.weight > 0));
}

function parameterValue(
  parameter: Operation['parameters'][number],
  api: OpenApi,
  hint: (name: string) => fc.Arbitrary<unknown> | undefined,
  mood: Mood,
): fc.Arbitrary<Wire> {
  const fromSchema = arbitraryFor(parameter.schema, { resolve: api.resolve }).map(String);
  const hinted = hint(parameter.name);
  const valid = hinted ? fc.oneof({ weight: 3, arbitrary: hinted.map(String) }, fromSchema) : fromSchema;
  const hostile = mood === 'hostile';
  return weighted(
    { weight: hostile ? 6 : 40, arbitrary: valid.map(asWire) },
    { weight: hostile ? 3 : 1, arbitrary: hostileString.map(asWire) },
    { weight: hostile ? 1 : 0, arbitrary: randomText.map(asWire) },
    { weight: hostile ? 1 : 0, arbitrary: fc.constantFrom(...HOSTILE_WIRES).map(rawWire) },
  );
}

/** A query string: each parameter absent, once or repeated (`?a=1&a=2`), sometimes one unknown. */
function queryString(op: Operation, api: OpenApi, fuzz: FuzzStack, mood: Mood): fc.Arbitrary<Wire[]> {
  const hostile = mood === 'hostile';
  const hint = hintFor(fuzz, (values) => values.map((list) => list.join(',')));
  const pairs = op.parameters
    .filter((p) => p.in === 'query')
    .map((p) => {
      const value = parameterValue(p, api, hint, mood);
      const name = percentEncode(p.name);
      return weighted(
        { weight: p.required ? (hostile ? 1 : 0) : 5, arbitrary: fc.constant<Wire[]>([]) },
        { weight: 6, arbitrary: value.map((v) => [{ wire: `${name}=${v.wire}`, value: v.value }]) },
        {
          weight: hostile ? 1 : 0,
          arbitrary: fc.tuple(value, value).map(([a, b]) => [
            { wire: `${name}=${a.wire}`, value: a.value },
            { wire: `${name}=${b.wire}`, value: b.value },
          ]),
        },
      );
    });
  const unknown = weighted(
    { weight: 8, arbitrary: fc.constant<Wire[]>([]) },
    {
      weight: hostile ? 1 : 0,
      arbitrary: fc
        .tuple(fc.constantFrom('__proto__', 'constructor', 'zz_unknown', '', 'a[b]', 'from[]'), hostileString)
        .map(([name, value]) => [{ wire: `${percentEncode(name)}=${percentEncode(value)}`, value }]),
    },
  );
  return fc.tuple(...pairs, unknown).map((groups) => groups.flat());
}

function pathValue(
  parameter: Operation['parameters'][number],
  api: OpenApi,
  fuzz: FuzzStack,
  mood: Mood,
): fc.Arbitrary<Wire> {
  const known = [fuzz.ids.operator, fuzz.ids.account, ...fuzz.ids.keys];
  const hostile = mood === 'hostile';
  return weighted(
    {
      weight: 4,
      arbitrary: arbitraryFor(parameter.schema, { resolve: api.resolve }).map((v) => asWire(String(v))),
    },
    { weight: hostile ? 2 : 4, arbitrary: fc.constantFrom(...known).map(asWire) },
    { weight: hostile ? 2 : 0, arbitrary: hostileString.filter((s) => s.length > 0).map(asWire) },
    { weight: hostile ? 1 : 0, arbitrary: randomText.filter((s) => s.length > 0).map(asWire) },
    { weight: hostile ? 1 : 0, arbitrary: fc.constantFrom('..', '.', '', ...HOSTILE_WIRES).map(rawWire) },
  );
}

function authorization(op: Operation, fuzz: FuzzStack, mood: Mood): fc.Arbitrary<string | undefined> {
  const { keys } = fuzz;
  if (op.role === 'public') {
    return fc.option(fc.constantFrom(`Bearer ${keys.platform}`, 'Basic Zm9vOmJhcg=='), { nil: undefined });
  }
  // A platform key may call every operation.
  const right =
    op.role === 'account'
      ? [keys.account, keys.platform]
      : op.role === 'ingest'
        ? [keys.ingest, keys.platform]
        : [keys.platform];
  const wrong =
    op.role === 'platform'
      ? [keys.ingest, keys.account]
      : op.role === 'ingest'
        ? [keys.account]
        : [keys.ingest];
  const rightKey = fc.constantFrom(...right).map((key) => `Bearer ${key}`);
  if (mood === 'clean') return rightKey;
  return fc.oneof(
    { weight: 4, arbitrary: rightKey },
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constantFrom(...wrong, keys.otherTenant).map((key) => `Bearer ${key}`) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        'Bearer',
        'Bearer ',
        'Basic dXNlcjpwYXNz',
        `bearer ${keys.platform}`,
        keys.platform,
        `Bearer ${keys.platform}x`,
        `Bearer ${keys.platform.slice(0, -1)}`,
        `Bearer ${keys.platform}, Bearer ${keys.platform}`,
        'Bearer mh_platform_0000000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
        `Bearer ${'x'.repeat(5000)}`,
      ),
    },
    { weight: 1, arbitrary: hostileString.filter(headerSafe).map((value) => `Bearer ${value}`) },
  );
}

const MALFORMED_BODIES: readonly string[] = [
  '',
  '{',
  '{"a":',
  'null',
  '[]',
  '"text"',
  '12',
  'true',
  '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  `${'['.repeat(3000)}${']'.repeat(3000)}`,
  `{"a":${'{"a":'.repeat(2000)}1${'}'.repeat(2000)}}`,
  '\u0000\u0001\u0002',
  '{"events":[{"id":"x"}]}\n{"id":"y"}',
  `{"name":"${'x'.repeat(200_000)}"}`,
];

interface Body {
  type?: string;
  text: string;
}

function bodyOf(op: Operation, api: OpenApi, fuzz: FuzzStack, mood: Mood): fc.Arbitrary<Body> {
  const hostile = mood === 'hostile';
  const types = Object.entries(op.body ?? {});
  const hint = hintFor(fuzz, (values) => values);
  const fromSchema = fc
    .constantFrom(...types)
    .chain(([type, schema]) =>
      type === 'application/x-ndjson'
        ? ndjson(schemaOfEvents(op, api), api, fuzz, mood).map((text): Body => ({ type, text }))
        : fc
            .tuple(
              arbitraryFor(schema, { resolve: api.resolve, hint, ...(hostile ? { mix: hostileJson } : {}) }),
              hostile
                ? fc.constantFrom(undefined, undefined, undefined, '__proto__', 'zz_unknown')
                : fc.constant(undefined),
            )
            .map(([value, extra]): Body => ({ type, text: withExtraMember(value, extra) })),
    );
  if (!hostile) return fromSchema;
  const mediaType = fc.constantFrom(
    'text/plain',
    'application/json; charset=utf-8',
    'application/x-www-form-urlencoded',
    'application/problem+json',
    'application/octet-stream',
    'multipart/form-data; boundary=x',
    'application/json; charset=utf-16',
  );
  return fc.oneof(
    { weight: 4, arbitrary: fromSchema },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.option(mediaType, { nil: undefined }), fromSchema)
        .map(([type, body]): Body => ({ ...(type ? { type } : {}), text: body.text })),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          fc.constantFrom(...types.map(([type]) => type)),
          fc.oneof(
            fc.constantFrom(...MALFORMED_BODIES),
            fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
          ),
        )
        .map(([type, text]): Body => ({ type, text })),
    },
  );
}

/** A JSON object with one more member: an unknown one, or an own `__proto__` (as JSON.parse makes it). */
function withExtraMember(value: unknown, extra: string | undefined): string {
  const text = JSON.stringify(value) ?? 'null';
  if (!extra || value === null || typeof value !== 'object' || Array.isArray(value)) return text;
  const member = `${JSON.stringify(extra)}:{"polluted":true}`;
  return text === '{}' ? `{${member}}` : `{${member},${text.slice(1)}`;
}

/** The schema of one item of the JSON form's `events`: what an NDJSON line holds. */
function schemaOfEvents(op: Operation, api: OpenApi): JsonSchema {
  const batch = op.body?.['application/json'];
  const schema = batch && typeof batch.$ref === 'string' ? api.resolve(batch.$ref) : batch;
  return (((schema?.properties as Json | undefined)?.events as Json | undefined)?.items ?? {}) as JsonSchema;
}

/** NDJSON lines for ingest: events from the item schema; hostile batches have a bad line now and then. */
function ndjson(item: JsonSchema, api: OpenApi, fuzz: FuzzStack, mood: Mood): fc.Arbitrary<string> {
  const hostile = mood === 'hostile';
  const hint = hintFor(fuzz, (values) => values);
  const event = arbitraryFor(item, { resolve: api.resolve, hint, ...(hostile ? { mix: hostileJson } : {}) });
  const line = weighted(
    { weight: 6, arbitrary: event.map((v) => JSON.stringify(v)) },
    {
      weight: hostile ? 1 : 0,
      arbitrary: fc.constantFrom(...MALFORMED_BODIES.slice(0, 10), ...HOSTILE_STRINGS.slice(0, 20)),
    },
  );
  return fc.array(line, { minLength: 1, maxLength: 6 }).map((lines) => lines.join('\n'));
}

/** Requests for one operation, clean and hostile ones: every parameter, header, key and body drawn. */
export function requestsFor(op: Operation, api: OpenApi, fuzz: FuzzStack): fc.Arbitrary<FuzzRequest> {
  return fc.oneof(requestsIn('clean', op, api, fuzz), requestsIn('hostile', op, api, fuzz));
}

function requestsIn(mood: Mood, op: Operation, api: OpenApi, fuzz: FuzzStack): fc.Arbitrary<FuzzRequest> {
  const hostile = mood === 'hostile';
  const pathParameters = op.parameters.filter((p) => p.in === 'path');
  const idempotent = op.parameters.some((p) => p.name === 'Idempotency-Key');
  const ifMatch = op.parameters.some((p) => p.name === 'If-Match');
  const reads = op.body !== undefined;
  const headerValue = (valid: fc.Arbitrary<string>) =>
    weighted<string | undefined>(
      { weight: 4, arbitrary: fc.constant(undefined) },
      { weight: 3, arbitrary: valid },
      { weight: hostile ? 1 : 0, arbitrary: hostileString.filter(headerSafe) },
    );
  const bodiless = hostile
    ? fc
        .option(fc.constantFrom('{"ignored":true}', 'x'.repeat(1000)), { nil: undefined, freq: 10 })
        .map((text): Body | undefined => (text === undefined ? undefined : { text }))
    : fc.constant(undefined);
  return (
    fc
      .record({
        path: fc.tuple(...pathParameters.map((p) => pathValue(p, api, fuzz, mood))),
        query: queryString(op, api, fuzz, mood),
        authorization: authorization(op, fuzz, mood),
        idempotencyKey: idempotent
          ? headerValue(fc.stringMatching(/^[\x21-\x7E]{1,64}$/))
          : fc.constant(undefined),
        ifMatch: ifMatch
          ? headerValue(fc.constantFrom('"1"', '1', 'W/"1"', '*', '"999999999"'))
          : fc.constant(undefined),
        // h11/http answers a compressed body 415; before that it is read as sent.
        encoding:
          reads && hostile
            ? fc.constantFrom(undefined, undefined, undefined, undefined, 'gzip')
            : fc.constant(undefined),
        body: reads ? bodyOf(op, api, fuzz, mood).map((body): Body | undefined => body) : bodiless,
      })
      .map(
        ({ path: values, query, authorization: auth, idempotencyKey, ifMatch: version, encoding, body }) => {
          let i = 0;
          const path = op.path.replace(/\{[^}]+\}/g, () => values[i++]?.wire ?? '');
          const target = query.length > 0 ? `${path}?${query.map((q) => q.wire).join('&')}` : path;
          const headers: Record<string, string> = {};
          if (auth !== undefined) headers.authorization = auth;
          if (idempotencyKey !== undefined) headers['idempotency-key'] = idempotencyKey;
          if (version !== undefined) headers['if-match'] = version;
          if (body?.type) headers['content-type'] = body.type;
          if (encoding !== undefined) headers['content-encoding'] = encoding;
          // Framed, as clients frame a body: a GET's would otherwise read as the next request.
          if (body) headers['content-length'] = String(Buffer.byteLength(body.text));
          return {
            method: op.method,
            target,
            headers,
            ...(body ? { body: body.text } : {}),
            sent: [...values, ...query]
              .map((v) => v.value)
              .concat(body ? [body.text] : [], Object.values(headers)),
          };
        },
      )
      // Request heads past 16 KiB never reach a handler: Node answers them 431 (API Gateway has
      // its own limit on the request line and headers), so the handlers are fuzzed below that.
      .filter((request) => request.target.length + Object.values(request.headers).join('').length < 12_000)
  );
}

// --- Sending and checking --------------------------------------------------------------------

export interface Answer {
  status: number;
  contentType: string;
  text: string;
}

const agent = new Agent({ keepAlive: true, maxSockets: 4 });

/** Sends the request byte for byte (fetch would resolve dot segments and re-encode the path). */
export function send(baseUrl: string, request: FuzzRequest): Promise<Answer> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        host: hostname,
        port,
        method: request.method,
        path: request.target,
        headers: request.headers,
        agent,
        timeout: 15_000,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            contentType: String(response.headers['content-type'] ?? ''),
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        response.on('error', reject);
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error('no answer within 15 s')));
    outgoing.on('error', reject);
    outgoing.end(request.body);
  });
}

const matcher = new RouteMatcher(routes);

/**
 * The operation that serves a request as the runtime routes it: by the raw path, whose dot segments
 * match no route (they reach the catch-all, as API Gateway, which does not normalize, would).
 */
export function servedBy(request: FuzzRequest): string {
  return matcher.match(request.method, rawPathOf(request.target))?.route.function ?? 'route-not-found';
}

/** Stack frames, source paths, SQL and store errors: what an answer must never show. */
const LEAKS: readonly [string, RegExp][] = [
  // A frame after a newline, raw or escaped as JSON writes it, or indented as V8 prints it.
  ['a stack trace', /(?:\n|\\n)\s*at \S+ \(| {4}at \S/],
  ['a source path', /\/work\/|node_modules|\.ts:\d|file:\/\//],
  [
    'a store error',
    /ConditionalCheckFailed|ValidationException|ResourceNotFound|DuckDB|Binder Error|Catalog Error/i,
  ],
];
const SQL_LEAKS: readonly [string, RegExp][] = [
  ['SQL', /\bSELECT\b[\s\S]*\bFROM\b|\bFROM events\b|\bINSERT INTO\b|\bWHERE\b[\s\S]*=/],
];
const PROBLEM_MEMBERS = ['type', 'title', 'code', 'detail', 'instance', 'requestId'] as const;

/**
 * What is wrong with an answer, or nothing: a 5xx, a status the document does not list for the
 * operation that served it, a 4xx that is not a complete problem document, or internals.
 */
export function faultsOf(api: OpenApi, request: FuzzRequest, answer: Answer): string[] {
  const faults: string[] = [];
  const served = servedBy(request);
  if (answer.status >= 500) faults.push(`answered ${answer.status}`);
  if (!api.statuses(served).has(answer.status)) {
    faults.push(`${answer.status} is not among the statuses openapi.json lists for ${served}`);
  }
  // Values the request sent may come back (a detail naming the bad value): they are no leak.
  let text = answer.text;
  for (const value of [...request.sent].sort((a, b) => b.length - a.length)) {
    if (value.length < 3) continue;
    text = text.split(value).join('').split(JSON.stringify(value).slice(1, -1)).join('');
  }
  const leaks = answer.status >= 400 ? [...LEAKS, ...SQL_LEAKS] : LEAKS;
  for (const [what, pattern] of leaks) if (pattern.test(text)) faults.push(`shows ${what}`);
  if (answer.status >= 400 && answer.status < 500) {
    if (!answer.contentType.startsWith('application/problem+json')) {
      faults.push(`a ${answer.status} as ${answer.contentType || 'no content type'}`);
    } else {
      let problem: Json | undefined;
      try {
        problem = JSON.parse(answer.text) as Json;
      } catch {
        faults.push('a problem document that is not JSON');
      }
      if (problem) {
        for (const member of PROBLEM_MEMBERS) {
          if (typeof problem[member] !== 'string' || problem[member] === '')
            faults.push(`a problem without ${member}`);
        }
        if (problem.status !== answer.status)
          faults.push(`a problem whose status is ${String(problem.status)}`);
      }
    }
  }
  return faults;
}

/** The request and answer, short enough to read in a failure message. */
export function describeExchange(request: FuzzRequest, answer: Answer): string {
  const clip = (text: string, max = 400) =>
    text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
  const headers = Object.entries(request.headers)
    .map(([name, value]) => `${name}: ${name === 'authorization' ? clip(value, 40) : clip(value, 80)}`)
    .join('\n  ');
  return [
    `${request.method} ${clip(request.target, 600)}`,
    headers ? `  ${headers}` : '',
    request.body !== undefined ? `  body: ${clip(JSON.stringify(request.body))}` : '',
    `→ ${answer.status} ${answer.contentType}`,
    `  ${clip(answer.text)}`,
  ]
    .filter(Boolean)
    .join('\n');
}

// --- The suite -----------------------------------------------------------------------------

export interface FuzzBudget {
  /** Requests per operation, unless the time limit comes first. */
  numRuns: number;
  /** Per operation: the suite's time stays bounded on a slow machine. */
  timeLimitMs: number;
  /** Fewer runs than this in the time limit fail the operation: a fuzz that barely ran proves nothing. */
  minRuns: number;
}

/** `FUZZ_SEED` and `FUZZ_RUNS` replay a failure or fuzz longer; the defaults keep `npm test` bounded. */
const BASE_SEED = Number(process.env.FUZZ_SEED ?? 20_251_111);
const RUNS_OVERRIDE = process.env.FUZZ_RUNS ? Number(process.env.FUZZ_RUNS) : undefined;

/** One seed per operation, so adding a route does not change what the others are sent. */
export function seedOf(operationId: string): number {
  let hash = BASE_SEED | 0;
  for (const char of operationId) hash = (Math.imul(hash, 31) + char.charCodeAt(0)) | 0;
  return hash;
}

/**
 * Fuzzes one operation: at most `numRuns` requests within `timeLimitMs`; the first answer with a
 * fault fails it (fast-check then shrinks the request as far as the time limit lets it). Returns
 * how many requests were sent.
 */
export async function fuzzOperation(
  op: Operation,
  api: OpenApi,
  fuzz: FuzzStack,
  budget: FuzzBudget,
): Promise<number> {
  let sent = 0;
  await fc.assert(
    fc.asyncProperty(requestsFor(op, api, fuzz), async (request) => {
      const answer = await send(fuzz.stack.url, request);
      sent += 1;
      const faults = faultsOf(api, request, answer);
      if (faults.length > 0) throw new Error(`${faults.join('; ')}\n${describeExchange(request, answer)}`);
    }),
    {
      seed: seedOf(op.operationId),
      numRuns: RUNS_OVERRIDE ?? budget.numRuns,
      plugins: [fc.interruptAfterTimeLimit(RUNS_OVERRIDE ? 600_000 : budget.timeLimitMs)],
    },
  );
  return sent;
}

/**
 * A test file's fuzz suite: its own stack, then one test per selected operation of openapi.json,
 * each sending at least `budget.minRuns` requests.
 */
export function fuzzSuite(title: string, select: (op: Operation) => boolean, budget: FuzzBudget): void {
  const api = loadOpenApi();
  const operations = api.operations.filter(select);
  let fuzz: FuzzStack;
  beforeAll(async () => {
    fuzz = await startFuzzStack();
  });
  afterAll(() => fuzz.close());

  describe(title, () => {
    it.each(operations.map((op) => [op.operationId, op] as const))('%s', async (_id, op) => {
      expect(await fuzzOperation(op, api, fuzz, budget)).toBeGreaterThanOrEqual(budget.minRuns);
    });
  });
}
