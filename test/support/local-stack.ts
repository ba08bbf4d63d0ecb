import type { TimeSeriesStore } from '#lib/domain/ports/time-series.ts';
import { type CreatedTenant, createTenant } from '#lib/domain/tenants.ts';
import type { RouteEntry } from '#lib/manifest-types.ts';
import { installRuntime } from '#lib/wiring/index.ts';
import { Runtime } from '#lib/wiring/runtime.ts';
import { type EmbeddedStores, startEmbeddedStores } from '../../infra/local/embedded-stores.ts';
import type { LambdaHandler } from '../../infra/local/handlers.ts';
import { startLocalServer } from '../../infra/local/server.ts';

export interface LocalStack {
  stores: EmbeddedStores;
  /** Store queries run so far (reset it to 0 before a request to count that request's queries). */
  queries: { count: number };
  tenant: CreatedTenant;
  url: string;
  /** POSTs events with the tenant's ingest key; throws unless every one of them is accepted. */
  ingest(events: readonly unknown[]): Promise<void>;
  /** `fetch` against the local runtime, with the given key as bearer token when `key` is set. */
  request(path: string, init?: RequestInit & { key?: string }): Promise<Response>;
  close(): Promise<void>;
}

/**
 * The product as `npm start` runs it, in memory: dynalite + DuckDB, the local runtime serving the
 * manifest routes (or the given ones) on a random loopback port, and one tenant with its keys.
 */
export async function startLocalStack(
  options: { routes?: readonly RouteEntry[]; handlers?: Map<string, LambdaHandler>; clock?: () => Date } = {},
): Promise<LocalStack> {
  const stores = await startEmbeddedStores(options.clock ? { clock: options.clock } : {});
  const queries = { count: 0 };
  const counted = countingStore(stores.timeSeries, queries);
  const configTable = stores.runtime.configTable;
  const runtime = new Runtime(
    { configTable: () => configTable, timeSeries: () => counted },
    stores.runtime.clock,
  );
  stores.runtime = runtime;
  installRuntime(runtime);
  const tenant = await createTenant(stores.runtime, 'Test Platform', new Date());
  const server = await startLocalServer({
    port: 0,
    ...(options.routes ? { routes: options.routes } : {}),
    ...(options.handlers ? { handlers: options.handlers } : {}),
  });
  return {
    stores,
    tenant,
    queries,
    url: server.url,
    request: (path, init = {}) => {
      const { key, headers, ...rest } = init;
      return fetch(`${server.url}${path}`, {
        ...rest,
        headers: {
          ...(key ? { authorization: `Bearer ${key}` } : {}),
          ...(headers as Record<string, string>),
        },
      });
    },
    ingest: async (events) => {
      const response = await fetch(`${server.url}/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tenant.keys.ingest}`, 'content-type': 'application/json' },
        body: JSON.stringify({ events }),
      });
      const body = (await response.json()) as { accepted?: number };
      if (response.status !== 200 || body.accepted !== events.length) {
        throw new Error(
          `ingest of ${events.length} events answered ${response.status}: ${JSON.stringify(body)}`,
        );
      }
    },
    close: async () => {
      await server.close();
      await stores.close();
      installRuntime(undefined);
    },
  };
}

/** Reads a problem+json response and checks its RFC 9457 shape. */
export async function readProblem(response: Response): Promise<Record<string, unknown>> {
  const contentType = response.headers.get('content-type') ?? '';
  if (!contentType.startsWith('application/problem+json')) {
    throw new Error(`expected application/problem+json, got ${contentType}: ${await response.text()}`);
  }
  const body = (await response.json()) as Record<string, unknown>;
  for (const member of ['type', 'title', 'status', 'code', 'detail', 'instance']) {
    if (!(member in body)) throw new Error(`problem document lacks "${member}": ${JSON.stringify(body)}`);
  }
  if (body.status !== response.status)
    throw new Error(`problem status ${body.status} ≠ HTTP ${response.status}`);
  return body;
}

/**
 * The messages a tenant has stored within a day of now (of one operator, if given), read through
 * the query port: a refused request must leave this as it was.
 */
export async function storedMessageCount(
  stack: LocalStack,
  options: { tenantId?: string; operatorId?: string } = {},
): Promise<number> {
  const [row] = await stack.stores.timeSeries.query({
    tenantId: options.tenantId ?? stack.tenant.tenantId,
    window: { from: new Date(Date.now() - 86_400_000), to: new Date(Date.now() + 86_400_000) },
    types: ['message'],
    filters: options.operatorId ? [{ dimension: 'operatorId', op: 'eq', value: options.operatorId }] : [],
    measures: [{ as: 'n', kind: 'count' }],
  });
  return Number(row?.n ?? 0);
}

/** The real store, with every `query` counted: proves an endpoint's query count is bounded. */
function countingStore(store: TimeSeriesStore, queries: { count: number }): TimeSeriesStore {
  return {
    writeEvents: (tenantId, events) => store.writeEvents(tenantId, events),
    query: (spec) => {
      queries.count += 1;
      return store.query(spec);
    },
    ping: () => store.ping(),
    close: () => store.close(),
  };
}
