import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CreatedTenant } from '#lib/domain/tenants.ts';
import { createTenant } from '#lib/domain/tenants.ts';
import { routes } from '#lib/routes.ts';
import { schedules } from '#lib/schedules.ts';
import { installRuntime } from '#lib/wiring/index.ts';
import { loadSampleEvent } from '../../events/sample-events.ts';
import { localLambdaContext } from './api-gateway-event.ts';
import { dataDir } from './data-dir.ts';
import { startEmbeddedStores } from './embedded-stores.ts';
import { loadHandler } from './handlers.ts';

const USAGE = `Usage: npm run invoke -- <function> <event.json> [--memory]

Runs one manifest function (route or job, by its function name, e.g. health-ready or
job-expired-items-sweep) with a sample event against the embedded stores under METERHOUSE_DATA_DIR
(default .data), or against fresh in-memory stores with --memory. In the sample, {{platformKey}},
{{ingestKey}}, {{accountKey}} and {{tenantId}} are replaced by the demo tenant's.`;

const args = process.argv.slice(2);
const memory = args.includes('--memory');
const [name, eventPath] = args.filter((a) => a !== '--memory');
const entry = [...routes, ...schedules].find((e) => e.function === name);
if (!name || !eventPath || !entry) {
  process.stderr.write(`${name && !entry ? `invoke: no manifest function "${name}"\n\n` : ''}${USAGE}\n`);
  process.exit(2);
}

const dir = dataDir();
let stores: Awaited<ReturnType<typeof startEmbeddedStores>>;
try {
  stores = await startEmbeddedStores(memory ? {} : { dataDir: dir });
} catch (error) {
  process.stderr.write(
    `invoke: ${(error as Error).message}\n(Stop \`npm start\` first, or use --memory for throwaway stores.)\n`,
  );
  process.exit(1);
}
installRuntime(stores.runtime);
try {
  const demoFile = join(dir, 'demo.json');
  const demo: CreatedTenant =
    !memory && existsSync(demoFile)
      ? (JSON.parse(readFileSync(demoFile, 'utf8')) as CreatedTenant)
      : await createTenant(stores.runtime, 'Invoke', new Date());
  const event = loadSampleEvent(eventPath, {
    platformKey: demo.keys.platform,
    ingestKey: demo.keys.ingest,
    tenantId: demo.tenantId,
    now: new Date().toISOString(),
  });
  const handler = await loadHandler(entry);
  const result = await handler(event, localLambdaContext(entry.function, entry.timeoutSeconds ?? 10));
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} finally {
  await stores.close();
}
