import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../', import.meta.url));

export interface LocalServerProcess {
  url: string;
  dataDir: string;
  demo: {
    tenantId: string;
    keys: { platform: string; ingest: string };
    accountKey?: { keyId: string; key: string; accountId: string };
  };
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `npm start`'s entry point (the full local runtime) in its own process on a free port. */
export async function startServer(
  dataDir = mkdtempSync(join(tmpdir(), 'meterhouse-bench-')),
  options: { demoData?: boolean } = {},
): Promise<LocalServerProcess> {
  // BENCH_SERVER_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", profiles the server.
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, 'infra/local/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      METERHOUSE_DATA_DIR: dataDir,
      PORT: '0',
      // Benchmarks start empty unless they ask for the demo registry and events.
      METERHOUSE_DEMO_DATA: options.demoData ? 'seed' : 'none',
      POWERTOOLS_LOG_LEVEL: 'ERROR',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const match = /running at (http:\/\/\S+)/.exec(out);
      if (match?.[1]) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
  });
  const demo = JSON.parse(readFileSync(join(dataDir, 'demo.json'), 'utf8')) as LocalServerProcess['demo'];
  return {
    url,
    dataDir,
    demo,
    child,
    stop: () =>
      new Promise((resolve) => {
        child.removeAllListeners('exit');
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

export function summarize(samplesMs: number[]): { p50: number; p99: number; mean: number; n: number } {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    mean: sorted.reduce((s, x) => s + x, 0) / Math.max(1, sorted.length),
    n: sorted.length,
  };
}

export const fmt = (n: number, digits = 1) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
