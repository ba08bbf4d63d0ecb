import { type CreatedTenant, createTenant } from '#lib/domain/tenants.ts';
import type { RouteEntry } from '#lib/manifest-types.ts';
import { installRuntime } from '#lib/wiring/index.ts';
import { type EmbeddedStores, startEmbeddedStores } from '../../infra/local/embedded-stores.ts';
import type { LambdaHandler } from '../../infra/local/handlers.ts';
import { startLocalServer } from '../../infra/local/server.ts';

export interface LocalStack {
  stores: EmbeddedStores;
  tenant: CreatedTenant;
  url: string;
  /** `fetch` against the local runtime, with the given key as bearer token when `key` is set. */
  request(path: string, init?: RequestInit & { key?: string }): Promise<Response>;
  close(): Promise<void>;
}

/**
 * The product as `npm start` runs it, in memory: dynalite + DuckDB, the local runtime serving the
 * manifest routes (or the given ones) on a random loopback port, and one tenant with its keys.
 */
export async function startLocalStack(
  options: { routes?: readonly RouteEntry[]; handlers?: Map<string, LambdaHandler> } = {},
): Promise<LocalStack> {
  const stores = await startEmbeddedStores();
  installRuntime(stores.runtime);
  const tenant = await createTenant(stores.runtime, 'Test Platform', new Date());
  const server = await startLocalServer({
    port: 0,
    ...(options.routes ? { routes: options.routes } : {}),
    ...(options.handlers ? { handlers: options.handlers } : {}),
  });
  return {
    stores,
    tenant,
    url: server.url,
    request: (path, init = {}) => {
      const { key, headers, ...rest } = init;
      return fetch(`${server.url}${path}`, {
        ...rest,
        headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(headers as Record<string, string>) },
      });
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
  if (body.status !== response.status) throw new Error(`problem status ${body.status} ≠ HTTP ${response.status}`);
  return body;
}
