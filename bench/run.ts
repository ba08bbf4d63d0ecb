import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { benchColdStart } from './coldstart.ts';
import { benchIngest } from './ingest.ts';
import { benchReadEndpoints } from './read-endpoints.ts';
import { benchSummary } from './summary-query.ts';
import { ROOT } from './support.ts';

/**
 * `npm run bench [-- name …]`: runs the benchmarks (all by default) and updates bench/RESULTS.md.
 * Each benchmark owns one `## ` section, stamped with the command and machine that produced it;
 * a run replaces only the sections of the benchmarks it ran and keeps the others as they were.
 * Hand-written notes survive re-runs: a section's `### Notes` and what follows it are kept.
 * Names: ingest, summary, read, coldstart.
 */
const BENCHMARKS: { name: string; title: string; run: () => Promise<string[]> }[] = [
  {
    name: 'ingest',
    title: 'Ingest throughput',
    run: () => benchIngest(Number(process.env.BENCH_INGEST_BATCHES ?? 300)),
  },
  {
    name: 'summary',
    title: 'Delivery summary query',
    run: async () => {
      const lines: string[] = [
        'A week of message events loaded straight into the DuckDB file, then the summary of that week through the local HTTP API (a separate process: auth, validation, query, shaping, JSON) and its floor, the same SQL on a copy of the file in this process, taking turns request by request: 3 warm-ups, then 15 of each.',
        '',
      ];
      for (const count of [1_000_000, 10_000_000]) {
        console.error(`bench: summary over ${count} events…`);
        lines.push(...(await benchSummary(count)));
      }
      return lines;
    },
  },
  {
    name: 'read',
    title: 'Read endpoints under load',
    run: () => benchReadEndpoints(Number(process.env.BENCH_READ_EVENTS ?? 1_000_000)),
  },
  {
    name: 'coldstart',
    title: 'Cold start',
    run: () => benchColdStart(Number(process.env.BENCH_COLDSTART_ROUNDS ?? 7)),
  },
];

const HEADER = '# Benchmark results';
const NOTES = '### Notes';
const selected = new Set(process.argv.slice(2));
const unknown = [...selected].filter((name) => !BENCHMARKS.some((b) => b.name === name));
if (unknown.length > 0) {
  console.error(
    `bench: unknown benchmark ${unknown.join(', ')} (known: ${BENCHMARKS.map((b) => b.name).join(', ')})`,
  );
  process.exit(2);
}

/** The `## ` sections of a results file, in order, each with its lines (heading included). */
function sectionsOf(text: string): Map<string, string[]> {
  const sections = new Map<string, string[]>();
  let current: string[] | null = null;
  for (const line of text.split('\n')) {
    if (line.startsWith('## ')) {
      current = [line];
      sections.set(line.slice(3).trim(), current);
    } else current?.push(line);
  }
  return sections;
}

const file = join(ROOT, 'bench/RESULTS.md');
const sections = sectionsOf(existsSync(file) ? readFileSync(file, 'utf8') : '');
const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
const fresh: string[] = [];
for (const benchmark of BENCHMARKS) {
  if (selected.size > 0 && !selected.has(benchmark.name)) continue;
  console.error(`bench: ${benchmark.name}…`);
  const body = await benchmark.run();
  // A benchmark may start its lines with its own heading; the section's heading is its title.
  if (body[0]?.startsWith('## ')) body.splice(0, body[1] === '' ? 2 : 1);
  const lines = [
    `## ${benchmark.title}`,
    '',
    `Command: \`npm run bench -- ${benchmark.name}\` · Machine: ${machine} · ${new Date().toISOString()}`,
    '',
    ...body,
  ];
  while (lines.at(-1) === '') lines.pop();
  const previous = sections.get(benchmark.title) ?? [];
  const notes = previous.indexOf(NOTES);
  const kept = notes < 0 ? [] : ['', ...previous.slice(notes)];
  while (kept.at(-1) === '') kept.pop();
  sections.set(benchmark.title, [...lines, ...kept, '']);
  fresh.push(...lines, '');
}

const text = `${[HEADER, '', ...[...sections.values()].flat()].join('\n').replace(/\n+$/, '')}\n`;
writeFileSync(file, text);
process.stdout.write(`${fresh.join('\n').replace(/\n+$/, '')}\n`);
