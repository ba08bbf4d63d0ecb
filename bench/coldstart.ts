import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { buildManifestBundles } from '#infra/bundles.ts';
import { esbuildOptions, type LambdaBundleSettings, lambdaBundleSettings } from '#infra/cdk/bundling.ts';
import { fmt, ROOT } from './support.ts';

const MAX_BYTES = 600_000;
const MAX_INIT_RATIO = 1.2;

/** The reference: a handler that only imports the DynamoDB and Timestream query clients. */
const BARE_HANDLER = `import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { TimestreamQueryClient } from '@aws-sdk/client-timestream-query';
export const handler = async () => ({ dynamodb: typeof DynamoDBClient, query: typeof TimestreamQueryClient });
`;

interface Measured {
  name: string;
  binds: string;
  file: string;
  bytes: number;
  samplesMs: number[];
}

async function buildBare(outdir: string, name: string, settings: LambdaBundleSettings): Promise<Measured> {
  const file = join(outdir, `${name}.mjs`);
  await build(
    esbuildOptions(settings, {
      stdin: { contents: BARE_HANDLER, resolveDir: ROOT, loader: 'ts', sourcefile: `${name}.ts` },
      outfile: file,
      write: true,
    }),
  );
  return { name, binds: '–', file, bytes: statSync(file).size, samplesMs: [] };
}

/**
 * Module init of one bundle in a fresh Node process, as Lambda starts it (`--enable-source-maps` is
 * in the functions' NODE_OPTIONS): the time `await import()` of the bundle takes, nothing else.
 */
function initMs(file: string): number {
  const script = `const t0 = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)});
process.stdout.write(String(performance.now() - t0));`;
  const out = execFileSync(process.execPath, ['--enable-source-maps', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'ERROR', AWS_REGION: 'us-east-1' },
  });
  return Number(out);
}

const median = (xs: readonly number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

/**
 * `npm run bench -- coldstart`: every manifest function bundled with the stack's esbuild settings
 * (infra/cdk/bundling.ts), and the bare handler with the same settings, then each imported in a
 * fresh Node process, round after round, every bundle once per round in the same order, so the
 * functions and the reference see the machine in the same state.
 */
export async function benchColdStart(rounds: number): Promise<string[]> {
  const outdir = mkdtempSync(join(tmpdir(), 'meterhouse-coldstart-'));
  try {
    const functions = await buildManifestBundles(outdir);
    const bare = await buildBare(outdir, 'bare-handler', lambdaBundleSettings([]));
    // The same bare handler with the SDK's default credential chain: the 574 KB reference.
    const bareDefaultChain = await buildBare(outdir, 'bare-handler-default-chain', {
      ...lambdaBundleSettings([]),
      alias: {},
    });
    const all: Measured[] = [
      bare,
      bareDefaultChain,
      ...functions.map((f) => ({
        name: f.function,
        binds: f.binds.join(', ') || '–',
        file: f.file,
        bytes: f.bytes,
        samplesMs: [],
      })),
    ];
    for (const m of all) initMs(m.file); // warm the file cache; not counted
    for (let round = 0; round < rounds; round++) {
      console.error(`bench: coldstart round ${round + 1}/${rounds}…`);
      for (const m of all) m.samplesMs.push(initMs(m.file));
    }

    const bareMs = median(bare.samplesMs);
    const defaultChainMs = median(bareDefaultChain.samplesMs);
    const row = (m: Measured) => {
      const ms = median(m.samplesMs);
      const range = `${fmt(Math.min(...m.samplesMs))}–${fmt(Math.max(...m.samplesMs))}`;
      return `| ${m.name} | ${m.binds} | ${fmt(m.bytes / 1000, 0)} | ${fmt(ms)} (${range}) | ${fmt(ms / bareMs, 2)} × | ${fmt(ms / defaultChainMs, 2)} × |`;
    };
    const worstSize = Math.max(...functions.map((f) => f.bytes));
    const worstMs = Math.max(...all.slice(2).map((m) => median(m.samplesMs)));
    const met = (ok: boolean) => (ok ? 'met' : '**not met**');
    return [
      `Every manifest function bundled as the stack bundles it (\`infra/cdk/bundling.ts\`: minified ESM, external source map without sources, the SDK bundled, only the SDK clients the function's \`binds\` need, environment-only credentials), beside two bare handlers (a file that imports the DynamoDB and Timestream query clients and exports a handler): one bundled with the same settings, and one with the SDK's default credential chain and \`node:http\` as they come, which is how the issue's reference handler was bundled. Init is the time \`await import()\` of the bundle takes in a fresh \`node --enable-source-maps\` process (Node ${process.version}, the functions' NODE_OPTIONS); ${rounds} rounds, each importing every bundle once in the same order, after one warm-up import each; median shown, range in brackets. Sizes are of the \`.mjs\` file, in KB of 1,000 bytes.`,
      '',
      '| bundle | binds | size, KB | init, ms | ÷ bare, same settings | ÷ bare, SDK defaults |',
      '|---|---|---:|---:|---:|---:|',
      ...all.map(row),
      '',
      `Targets: every bundle ≤ ${MAX_BYTES / 1000} KB (largest ${fmt(worstSize / 1000, 0)} KB): ${met(worstSize <= MAX_BYTES)}. Init ≤ ${MAX_INIT_RATIO} × the bare handler's (slowest function ${fmt(worstMs)} ms): against the bare handler with the SDK defaults (${fmt(defaultChainMs)} ms, ${fmt(worstMs / defaultChainMs, 2)} ×) ${met(worstMs <= MAX_INIT_RATIO * defaultChainMs)}; against the bare handler with the same settings (${fmt(bareMs)} ms, ${fmt(worstMs / bareMs, 2)} ×) ${met(worstMs <= MAX_INIT_RATIO * bareMs)}.`,
    ];
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
