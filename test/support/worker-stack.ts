import { type CreatedTenant, createTenant } from '#lib/domain/tenants.ts';
import type { RouteEntry } from '#lib/manifest-types.ts';
import { routes as manifestRoutes } from '#lib/routes.ts';
import { type EmbeddedStores, startEmbeddedStores } from '../../infra/local/embedded-stores.ts';
import { type LambdaWorkers, startLambdaWorkers } from '../../infra/local/lambda-workers.ts';
import { type LocalServer, startLocalServer } from '../../infra/local/server.ts';

export interface WorkerStack {
  stores: EmbeddedStores;
  tenant: CreatedTenant;
  workers: LambdaWorkers;
  server: LocalServer;
  close(): Promise<void>;
}

/**
 * The product as `npm start` runs it: DuckDB in its own thread, the handlers in `count` Lambda
 * worker threads, the local runtime serving `routes` (the manifest's by default), one tenant.
 * `logLevel` is the workers' POWERTOOLS_LOG_LEVEL (a worker's environment is a copy of this
 * thread's at its start); they are silent by default, as tests are.
 */
export async function startWorkerStack(options: {
  count: number;
  routes?: readonly RouteEntry[];
  logLevel?: string;
}): Promise<WorkerStack> {
  const routes = options.routes ?? manifestRoutes;
  const stores = await startEmbeddedStores({ storeThread: true });
  const tenant = await createTenant(stores.runtime, 'Worker Platform', new Date());
  const level = process.env.POWERTOOLS_LOG_LEVEL;
  if (options.logLevel) process.env.POWERTOOLS_LOG_LEVEL = options.logLevel;
  let workers: LambdaWorkers;
  try {
    workers = await startLambdaWorkers({
      count: options.count,
      dynamodbEndpoint: stores.dynamo.endpoint,
      dynamodbAccessKeyId: stores.dynamo.accessKeyId,
      connectTimeSeries: stores.connectTimeSeries,
      functions: [...new Set(routes.map((route) => route.function))],
    });
  } finally {
    if (level === undefined) delete process.env.POWERTOOLS_LOG_LEVEL;
    else process.env.POWERTOOLS_LOG_LEVEL = level;
  }
  const server = await startLocalServer({ routes, invoke: workers.invoke });
  return {
    stores,
    tenant,
    workers,
    server,
    close: async () => {
      await server.close();
      await workers.close();
      await stores.close();
    },
  };
}
