import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import autocannon from 'autocannon';
import { compileQuery } from '#lib/query/compile.ts';
import { duckdbDialect } from '#lib/query/dialect.ts';
import type { QuerySpec } from '#lib/query/spec.ts';
import { installRuntime } from '#lib/wiring/index.ts';
import { Runtime } from '#lib/wiring/runtime.ts';
import { startEmbeddedStores } from '../infra/local/embedded-stores.ts';
import { startLocalServer } from '../infra/local/server.ts';
import { fmt, type LocalServerProcess, startServer, summarize } from './support.ts';

const DAY = 86_400_000;
const CONNECTIONS = 8;
const DURATION_SECONDS = Number(process.env.BENCH_READ_SECONDS ?? 5);

interface Endpoint {
  name: string;
  path: string;
  key: 'platform' | 'account';
}

/** Grows the demo data to `target` events by copying the demo's own events with new ids, a little earlier. */
async function topUp(file: string, target: number): Promise<number> {
  const instance = await DuckDBInstance.create(file);
  const connection = await instance.connect();
  const count = async () =>
    Number((await connection.runAndReadAll('SELECT count(*) AS n FROM events')).getRowObjects()[0]?.n);
  const have = await count();
  const copies = Math.ceil(target / have) - 1;
  if (copies > 0) {
    await connection.run(`INSERT INTO events
      SELECT e.* REPLACE (e.event_id || '~' || r.k AS event_id, e.time - to_minutes(CAST(r.k * 7 AS BIGINT)) AS time)
      FROM events e, range(1, ${copies + 1}) r(k)
      LIMIT ${target - have}`);
  }
  const total = await count();
  connection.closeSync();
  instance.closeSync();
  return total;
}

function endpoints(server: LocalServerProcess, operatorId: string): Endpoint[] {
  const now = Date.now();
  const weekAgo = new Date(now - 7 * DAY).toISOString();
  const dayAgo = new Date(now - DAY).toISOString();
  const month = new Date(now - 30 * DAY).toISOString().slice(0, 10);
  const today = new Date(now).toISOString().slice(0, 10);
  const accountId = server.demo.accountKey?.accountId ?? 'none';
  return [
    { name: 'delivery summary', path: `/v1/internal/analytics/summary?from=${weekAgo}`, key: 'platform' },
    {
      name: 'operator performance',
      path: `/v1/internal/analytics/operators/${operatorId}/performance?from=${weekAgo}`,
      key: 'platform',
    },
    {
      name: 'account usage',
      path: `/v1/internal/analytics/accounts/${accountId}/usage?from=${weekAgo}`,
      key: 'account',
    },
    {
      name: 'throughput (5m, 24h)',
      path: `/v1/internal/analytics/throughput?from=${dayAgo}&resolution=5m`,
      key: 'platform',
    },
    {
      name: 'delivery breakdown',
      path: `/v1/internal/analytics/delivery-breakdown?from=${weekAgo}`,
      key: 'platform',
    },
    { name: 'Prometheus /metrics', path: '/metrics', key: 'platform' },
    { name: 'platform summary', path: `/platform-api/metrics/summary?from=${weekAgo}`, key: 'platform' },
    { name: 'platform operators', path: `/platform-api/metrics/operators?from=${weekAgo}`, key: 'platform' },
    {
      name: 'platform connectors',
      path: `/platform-api/metrics/connectors?from=${weekAgo}`,
      key: 'platform',
    },
    {
      name: 'billing report (30 days)',
      path: `/platform-api/usage/report?start=${month}&end=${today}`,
      key: 'platform',
    },
    { name: 'developer usage (7d)', path: '/v1/developer/usage?timeframe=7d', key: 'account' },
    {
      name: 'usage by model, project (7d)',
      path: '/v1/analytics/usage?range=7d&group_by=model,project&metrics=requests,tokens,cost',
      key: 'platform',
    },
    { name: 'export CSV by day (30d)', path: '/v1/analytics/export?format=csv&range=30d', key: 'platform' },
    { name: 'overview (7d)', path: '/v1/analytics/overview?range=7d', key: 'platform' },
  ];
}

const keyOf = (server: LocalServerProcess, e: Endpoint) =>
  e.key === 'account' ? (server.demo.accountKey?.key ?? '') : server.demo.keys.platform;

/**
 * The load (8 connections as fast as they are answered) is far above a platform or account key's
 * default rate limit, so the demo tenant sets its own limits, as a tenant may; the server that
 * runs the bench starts after this, with no limit cached.
 */
async function liftRateLimits(server: LocalServerProcess): Promise<void> {
  const headers = {
    authorization: `Bearer ${server.demo.keys.platform}`,
    'content-type': 'application/json',
  };
  const current = (await (await fetch(`${server.url}/platform-api/settings`, { headers })).json()) as Record<
    string,
    unknown
  >;
  // The profile as it is (a PUT replaces it whole), without what the server sets itself.
  const { version: _version, updatedAt: _updatedAt, rateLimits: _rateLimits, ...profile } = current;
  const unlimited = { requestsPerSecond: 100_000, burst: 1_000_000 };
  const put = await fetch(`${server.url}/platform-api/settings`, {
    method: 'PUT',
    headers,
    body: JSON.stringify({
      ...profile,
      contactEmail: profile.contactEmail ?? 'bench@meterhouse.example.com',
      rateLimits: { platform: unlimited, account: unlimited },
    }),
  });
  if (put.status !== 200)
    throw new Error(`PUT /platform-api/settings answered ${put.status}: ${await put.text()}`);
}

/**
 * The p50/p99 latency of each read endpoint on 1 M events through the local HTTP API under
 * concurrent load (autocannon), beside the raw-engine time of the queries the endpoint runs.
 */
export async function benchReadEndpoints(target = 1_000_000): Promise<string[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'meterhouse-bench-read-'));
  const seeded = await startServer(dataDir, { demoData: true });
  const operators = (await (
    await fetch(`${seeded.url}/platform-api/operators?limit=1`, {
      headers: { authorization: `Bearer ${seeded.demo.keys.platform}` },
    })
  ).json()) as { items: { id: string }[] };
  await liftRateLimits(seeded);
  await seeded.stop();
  const file = join(dataDir, 'events.duckdb');
  const total = await topUp(file, target);

  const server = await startServer(dataDir);
  const list = endpoints(server, operators.items[0]?.id ?? 'none');
  const loaded: { endpoint: Endpoint; p50: number; p99: number; rps: number; errors: number }[] = [];
  try {
    for (const endpoint of list) {
      const result = await autocannon({
        url: `${server.url}${endpoint.path}`,
        connections: CONNECTIONS,
        duration: DURATION_SECONDS,
        headers: { authorization: `Bearer ${keyOf(server, endpoint)}` },
      });
      loaded.push({
        endpoint,
        p50: result.latency.p50,
        p99: result.latency.p99,
        rps: result.requests.average,
        errors: result.non2xx + result.errors,
      });
    }
  } finally {
    await server.stop();
  }

  // Which queries does each endpoint run? Serve each once in-process over a recording store.
  const specs = new Map<string, QuerySpec[]>();
  const stores = await startEmbeddedStores({ dataDir });
  let recording: QuerySpec[] = [];
  const recorder = {
    ...stores.timeSeries,
    query: (spec: QuerySpec) => {
      recording.push(spec);
      return stores.timeSeries.query(spec);
    },
    ping: () => stores.timeSeries.ping(),
    writeEvents: stores.timeSeries.writeEvents.bind(stores.timeSeries),
    close: () => stores.timeSeries.close(),
  };
  installRuntime(new Runtime({ configTable: () => stores.dynamo.table, timeSeries: () => recorder }));
  const local = await startLocalServer({ port: 0 });
  for (const endpoint of list) {
    recording = [];
    await (
      await fetch(`${local.url}${endpoint.path}`, {
        headers: { authorization: `Bearer ${keyOf(server, endpoint)}` },
      })
    ).text();
    specs.set(endpoint.name, recording);
  }
  await local.close();
  await stores.close();

  const instance = await DuckDBInstance.create(file);
  const connection = await instance.connect();
  const raw = new Map<string, { ms: number; queries: number }>();
  for (const endpoint of list) {
    const sqls = (specs.get(endpoint.name) ?? []).map((spec) => compileQuery(spec, duckdbDialect()).sql);
    const samples: number[] = [];
    for (let run = 0; run < 7; run += 1) {
      const started = performance.now();
      for (const sql of sqls) await connection.runAndReadAll(sql);
      if (run >= 2) samples.push(performance.now() - started);
    }
    raw.set(endpoint.name, { ms: summarize(samples).p50, queries: sqls.length });
  }
  connection.closeSync();
  instance.closeSync();
  rmSync(dataDir, { recursive: true, force: true });

  return [
    '## Read endpoints under load',
    '',
    `${fmt(total, 0)} events (the demo tenant's seven days, grown by copies), ${CONNECTIONS} concurrent connections for ${DURATION_SECONDS} s per endpoint (autocannon), local HTTP API in its own process. Raw engine: the endpoint's queries, compiled by the same compiler, run one after another straight on DuckDB (median of 5; the service runs independent queries concurrently).`,
    '',
    '| endpoint | p50 ms | p99 ms | req/s | errors | queries | raw engine ms |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...loaded.map(({ endpoint, p50, p99, rps, errors }) => {
      const r = raw.get(endpoint.name);
      return `| ${endpoint.name} | ${fmt(p50, 0)} | ${fmt(p99, 0)} | ${fmt(rps, 0)} | ${errors} | ${r?.queries ?? '–'} | ${r ? fmt(r.ms) : '–'} |`;
    }),
    '',
  ];
}
