import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { benchIngest } from './ingest.ts';
import { benchSummary } from './summary-query.ts';
import { ROOT } from './support.ts';

/**
 * `npm run bench [-- name …]`: runs the benchmarks (all by default) and writes bench/RESULTS.md
 * with the command that produced it. Names: ingest, summary.
 */
const selected = new Set(process.argv.slice(2));
const want = (name: string) => selected.size === 0 || selected.has(name);
const lines: string[] = [
  '# Benchmark results',
  '',
  `Command: \`npm run bench${selected.size > 0 ? ` -- ${[...selected].join(' ')}` : ''}\``,
  '',
  `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${new Date().toISOString()}`,
  '',
];
if (want('ingest')) {
  console.error('bench: ingest…');
  lines.push(...(await benchIngest(Number(process.env.BENCH_INGEST_BATCHES ?? 300))));
}
if (want('summary')) {
  lines.push('## Delivery summary query', '');
  for (const count of [1_000_000, 10_000_000]) {
    console.error(`bench: summary over ${count} events…`);
    lines.push(...(await benchSummary(count)));
  }
}
const text = `${lines.join('\n')}\n`;
writeFileSync(join(ROOT, 'bench/RESULTS.md'), text);
process.stdout.write(text);
