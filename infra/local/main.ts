import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { type CreatedTenant, createTenant } from '#lib/domain/tenants.ts';
import { routes } from '#lib/routes.ts';
import { schedules } from '#lib/schedules.ts';
import { installRuntime } from '#lib/wiring/index.ts';
import { dataDir, removeRuntimeFile, writeRuntimeFile } from './data-dir.ts';
import { seedDemoData } from './demo.ts';
import { startEmbeddedStores } from './embedded-stores.ts';
import { loadHandlers } from './handlers.ts';
import { type LambdaWorkers, startLambdaWorkers } from './lambda-workers.ts';
import { localJobs, startScheduler } from './scheduler.ts';
import { startLocalServer } from './server.ts';

/**
 * `npm start`: the whole product on one machine. The embedded stores live under the data dir;
 * the first start creates a demo tenant with realistic data and prints its keys.
 */
// Every ingest request moves a few hundred KB of ArrayBuffers between threads (the body, the encoded
// data chunks). V8 by default starts a full GC of a thread's heap whenever its external memory has
// grown by 64 MB since the last one, which made the HTTP and DuckDB threads mark their whole heap
// every second at ~100k events/s; counted in the global heap limit instead, external memory
// triggers a third as many full GCs (measured with --trace-gc under bench/ingest.ts's load).
setFlagsFromString('--external-memory-accounted-in-global-limit');

const dir = dataDir();
const port = Number(process.env.PORT ?? 3030);
const host = process.env.HOST ?? '127.0.0.1';
// Handler invocations run in this many worker threads, as concurrent Lambda execution environments
// do; 0 runs them in the main thread.
const workerCount = Number(process.env.METERHOUSE_LAMBDA_WORKERS || Math.max(2, availableParallelism()));
if (!Number.isInteger(workerCount) || workerCount < 0) {
  console.error(
    `meterhouse: METERHOUSE_LAMBDA_WORKERS must be a whole number, got ${process.env.METERHOUSE_LAMBDA_WORKERS}`,
  );
  process.exit(1);
}

let stores: Awaited<ReturnType<typeof startEmbeddedStores>>;
try {
  stores = await startEmbeddedStores({ dataDir: dir, storeThread: workerCount > 0 });
} catch (error) {
  console.error(`meterhouse: ${(error as Error).message}`);
  process.exit(1);
}
installRuntime(stores.runtime);

interface DemoTenant extends CreatedTenant {
  /** An `account` key of the demo registry, for the developer-usage and account endpoints. */
  accountKey?: { keyId: string; key: string; accountId: string };
}

const demoFile = join(dir, 'demo.json');
const firstStart = !existsSync(demoFile);
if (firstStart) {
  const tenant: DemoTenant = await createTenant(stores.runtime, 'Demo Platform', new Date());
  // Benchmarks start empty; everyone else gets the demo registry and several days of events.
  if (process.env.METERHOUSE_DEMO_DATA !== 'none') {
    const started = performance.now();
    const seeded = await seedDemoData(stores.runtime, tenant, new Date());
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(
      `Seeded demo data in ${seconds} s: ${seeded.registry.operators.length} operators, ` +
        `${seeded.registry.connectors.length} connectors, ${seeded.registry.accounts.length} accounts, ` +
        `${seeded.events.toLocaleString('en-US')} events over the last 7 days.`,
    );
    const first = seeded.registry.apiKeys[0];
    if (first) tenant.accountKey = { keyId: first.keyId, key: first.key, accountId: first.accountId };
  }
  // Written last: a start that dies while seeding leaves no demo.json, so the next start seeds again.
  writeFileSync(demoFile, `${JSON.stringify(tenant, null, 2)}\n`, { mode: 0o600 });
}
const demo = JSON.parse(readFileSync(demoFile, 'utf8')) as DemoTenant;

let workers: LambdaWorkers | undefined;
if (workerCount > 0) {
  try {
    workers = await startLambdaWorkers({
      count: workerCount,
      dynamodbEndpoint: stores.dynamo.endpoint,
      dynamodbAccessKeyId: stores.dynamo.accessKeyId,
      connectTimeSeries: stores.connectTimeSeries,
      functions: [...new Set(routes.map((route) => route.function))],
    });
  } catch (error) {
    console.error(`meterhouse: the Lambda workers failed to start: ${(error as Error).message}`);
    await stores.close();
    process.exit(1);
  }
}
const server = await startLocalServer({ port, host, ...(workers ? { invoke: workers.invoke } : {}) });
const jobs = localJobs(schedules);
const scheduler = startScheduler(jobs, await loadHandlers(jobs));
writeRuntimeFile(dir, {
  pid: process.pid,
  url: server.url,
  dynamodbEndpoint: stores.dynamo.endpoint,
  dynamodbAccessKeyId: stores.dynamo.accessKeyId,
  startedAt: new Date().toISOString(),
});

console.log(`Meterhouse is running at ${server.url}  (data: ${dir})`);
console.log(
  workers
    ? `Handlers run in ${workerCount} worker threads (METERHOUSE_LAMBDA_WORKERS).`
    : 'Handlers run in the main thread (METERHOUSE_LAMBDA_WORKERS=0).',
);
console.log(
  firstStart
    ? 'Created the demo tenant. Its keys are shown once here and kept in demo.json:'
    : `Demo tenant (keys in ${demoFile}):`,
);
console.log(`  tenant:       ${demo.tenantId}`);
console.log(`  platform key: ${demo.keys.platform}`);
console.log(`  ingest key:   ${demo.keys.ingest}`);
if (demo.accountKey)
  console.log(`  account key:  ${demo.accountKey.key}  (account ${demo.accountKey.accountId})`);
console.log(`Try: curl -H "Authorization: Bearer ${demo.keys.platform}" ${server.url}/health/ready`);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping Meterhouse`);
  scheduler.stop();
  await server.close();
  await workers?.close();
  await stores.close();
  removeRuntimeFile(dir);
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
