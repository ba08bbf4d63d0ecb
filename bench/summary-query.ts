import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { deliveryMeasures } from '#lib/analytics/delivery.ts';
import { compileQuery } from '#lib/query/compile.ts';
import { duckdbDialect } from '#lib/query/dialect.ts';
import { EVENTS_DDL } from '#lib/stores/duckdb/schema.ts';
import { fmt, startServer, summarize } from './support.ts';

const DAY = 86_400_000;
const RUNS = 15;
const WARMUP = 3;

/** Loads `count` message events spread over the 7 days before `end`, straight into the DuckDB file. */
async function load(file: string, tenantId: string, count: number, end: Date): Promise<void> {
  const instance = await DuckDBInstance.create(file);
  const connection = await instance.connect();
  await connection.run(EVENTS_DDL);
  const from = new Date(end.getTime() - 7 * DAY).toISOString().replace('T', ' ').replace('Z', '');
  await connection.run(`INSERT INTO events (tenant_id, event_id, time, type, operator_id, account_id, status, segments, latency_ms, cost_micros)
    SELECT '${tenantId}', 'b' || i, TIMESTAMP '${from}' + to_microseconds(CAST(hash(i) % ${7 * DAY * 1000} AS BIGINT)),
      'message', 'op_' || (i % 6), 'acct_' || (i % 500),
      CASE WHEN i % 50 = 0 THEN 'FAILED' WHEN i % 97 = 0 THEN 'PENDING' WHEN i % 211 = 0 THEN 'UNDELIVERABLE' ELSE 'DELIVERED' END,
      1 + i % 3, 200 + CAST(hash(i * 7) % 3000 AS INTEGER), 6500 + i % 1000
    FROM range(${count}) t(i)`);
  connection.closeSync();
  instance.closeSync();
}

/**
 * The delivery summary over `count` events through the local HTTP API (auth, validation, query,
 * shaping, JSON), beside its floor: the same SQL run straight on DuckDB.
 */
export async function benchSummary(count: number): Promise<string[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'meterhouse-bench-summary-'));
  const end = new Date(Math.floor(Date.now() / DAY) * DAY);
  const window = { from: new Date(end.getTime() - 7 * DAY), to: end };
  // First start creates the tenant; then the events go in while no server holds the file.
  let started = performance.now();
  const first = await startServer(dataDir);
  const emptyStartMs = performance.now() - started;
  await first.stop();
  const file = join(dataDir, 'events.duckdb');
  await load(file, first.demo.tenantId, count, end);
  // The floor reads its own copy: DuckDB lets one process at a time open a file, and the server
  // holds this one. With a copy, the floor and the HTTP path take turns, query by query, so both
  // see the machine in the same state.
  const floorFile = join(dataDir, 'floor.duckdb');
  copyFileSync(file, floorFile);

  // Opening a store reads every stored id into its stored-id filter: the start-up cost of a big file.
  started = performance.now();
  const server = await startServer(dataDir);
  const loadedStartMs = performance.now() - started;
  const { sql } = compileQuery(
    {
      tenantId: first.demo.tenantId,
      window,
      types: ['message'],
      measures: [
        ...deliveryMeasures,
        { as: 'activeAccounts', kind: 'distinctCount', dimension: 'accountId' },
      ],
    },
    duckdbDialect(),
  );
  const instance = await DuckDBInstance.create(floorFile);
  const connection = await instance.connect();
  const httpSamples: number[] = [];
  const floorSamples: number[] = [];
  let body: unknown;
  try {
    const url = `${server.url}/v1/internal/analytics/summary?from=${window.from.toISOString()}&to=${window.to.toISOString()}`;
    for (let i = 0; i < WARMUP + RUNS; i += 1) {
      started = performance.now();
      const response = await fetch(url, {
        headers: { authorization: `Bearer ${server.demo.keys.platform}` },
      });
      body = await response.json();
      if (response.status !== 200)
        throw new Error(`summary answered ${response.status}: ${JSON.stringify(body)}`);
      if (i >= WARMUP) httpSamples.push(performance.now() - started);

      started = performance.now();
      await connection.runAndReadAll(sql);
      if (i >= WARMUP) floorSamples.push(performance.now() - started);
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
    await server.stop();
  }
  if ((body as { totalMessages: number }).totalMessages !== count)
    throw new Error(`summary counted ${JSON.stringify(body)}`);
  rmSync(dataDir, { recursive: true, force: true });

  const http = summarize(httpSamples);
  const floor = summarize(floorSamples);
  return [
    `### ${fmt(count, 0)} events`,
    '',
    '| path | p50 ms | p99 ms | ratio (p50) |',
    '|---|---:|---:|---:|',
    `| GET /v1/internal/analytics/summary (HTTP) | ${fmt(http.p50)} | ${fmt(http.p99)} | ${fmt(http.p50 / floor.p50, 2)}× |`,
    `| floor: the same SQL on DuckDB | ${fmt(floor.p50)} | ${fmt(floor.p99)} | 1.00× |`,
    '',
    `Target ≤ 1.2× the floor: ${http.p50 <= 1.2 * floor.p50 ? 'met' : 'NOT met'}.`,
    '',
    `Starting the local runtime (\`npm start\`'s process, until it serves) took ${fmt(loadedStartMs / 1000, 1)} s on this file, ${fmt(emptyStartMs / 1000, 1)} s on an empty one: opening the store reads every stored id into its stored-id filter.`,
    '',
  ];
}
