import { rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DuckDBAppender, DuckDBInstance } from '@duckdb/node-api';
import type { UsageEvent } from '#lib/domain/events.ts';
import { parseMicros } from '#lib/domain/money.ts';
import {
  appendEvent,
  appendEvents,
  DUCKDB_SETTINGS,
  EVENTS_DDL,
  EVENTS_TABLE,
} from '#lib/stores/duckdb/schema.ts';
import { makeBatches } from './payloads.ts';
import { fmt, startServer } from './support.ts';

const BATCH = 1000;
const CONCURRENCY = Number(process.env.BENCH_INGEST_CONCURRENCY ?? 4);
const ROUNDS = Number(process.env.BENCH_INGEST_ROUNDS ?? 3);

const median = (xs: readonly number[]) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const range = (xs: readonly number[]) => `${fmt(Math.min(...xs), 0)}–${fmt(Math.max(...xs), 0)}`;

type FloorAppend = (appender: DuckDBAppender, tenantId: string, events: readonly UsageEvent[]) => void;

/**
 * The floor: the same payloads parsed and appended in one process, nothing else. Per batch:
 * JSON.parse, the conversions any store needs (time to a Date, cost to micros), one typed
 * appender and its commit (the appender's own transaction, as each request is answered only
 * after its own events are durable). No HTTP, auth, validation or exactly-once check.
 */
async function floorRates(
  payloads: readonly string[][],
  append: FloorAppend,
): Promise<{ rates: number[]; appendMicros: number }> {
  const file = join(tmpdir(), `meterhouse-floor-${process.pid}-${Date.now()}.duckdb`);
  const instance = await DuckDBInstance.create(file, { ...DUCKDB_SETTINGS }); // the store's settings
  const connection = await instance.connect();
  await connection.run(EVENTS_DDL);
  const rates: number[] = [];
  let appendMs = 0;
  try {
    for (const round of payloads) {
      const started = performance.now();
      for (const body of round) {
        const { events } = JSON.parse(body) as { events: Record<string, unknown>[] };
        const converted = events.map((raw) => {
          const event = { ...raw, time: new Date(raw.time as string) } as unknown as UsageEvent;
          if (typeof raw.cost === 'string') event.cost = parseMicros(raw.cost);
          return event;
        });
        const appender = await connection.createAppender(EVENTS_TABLE);
        const appendStarted = performance.now();
        append(appender, 'ten_floor', converted);
        appendMs += performance.now() - appendStarted;
        appender.closeSync(); // flush into the table, then COMMIT: WAL write, fsync, at times a checkpoint
      }
      rates.push((round.length * BATCH) / ((performance.now() - started) / 1000));
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
    rmSync(file, { force: true });
    rmSync(`${file}.wal`, { force: true });
  }
  const events = payloads.reduce((n, round) => n + round.length * BATCH, 0);
  return { rates, appendMicros: (1000 * appendMs) / events };
}

/**
 * Ingest throughput through the local HTTP API in 1,000-event batches, beside its floor (above):
 * ROUNDS rounds of `batches` batches each, with fresh ids, medians reported.
 */
export async function benchIngest(batches: number): Promise<string[]> {
  const stamp = Date.now();
  const payloads = Array.from({ length: ROUNDS }, (_, r) =>
    makeBatches(batches, BATCH, `bench-${stamp}-${r}`),
  );
  const bodies = payloads.map((round) => round.map((body) => Buffer.from(body)));
  const warmup = makeBatches(10, BATCH, `warm-${stamp}`).map((body) => Buffer.from(body));

  const server = await startServer();
  const httpRates: number[] = [];
  try {
    // The load generator keeps its own cost low (it shares the 2 cores): bodies are encoded once,
    // sent over CONCURRENCY keep-alive connections with node:http.
    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const target = new URL('/v1/events', server.url);
    const headers = {
      authorization: `Bearer ${server.demo.keys.ingest}`,
      'content-type': 'application/json',
    };
    const send = (body: Buffer) =>
      new Promise<number>((resolve, reject) => {
        const req = request(
          target,
          { method: 'POST', agent, headers: { ...headers, 'content-length': body.length } },
          (response) => {
            const chunks: Buffer[] = [];
            response.on('data', (chunk: Buffer) => chunks.push(chunk));
            response.on('end', () => {
              const text = Buffer.concat(chunks).toString('utf8');
              if (response.statusCode !== 200)
                reject(new Error(`ingest answered ${response.statusCode}: ${text}`));
              else resolve((JSON.parse(text) as { accepted: number }).accepted);
            });
            response.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    for (const body of warmup) await send(body);
    for (const round of bodies) {
      let next = 0;
      let accepted = 0;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < round.length) {
            const body = round[next++] as Buffer;
            const n = await send(body);
            accepted += n;
          }
        }),
      );
      const elapsedMs = performance.now() - started;
      if (accepted !== round.length * BATCH)
        throw new Error(`accepted ${accepted} of ${round.length * BATCH} events`);
      httpRates.push((round.length * BATCH) / (elapsedMs / 1000));
    }
    agent.destroy();
  } finally {
    await server.stop();
    rmSync(server.dataDir, { recursive: true, force: true });
  }

  const floor = await floorRates(payloads, appendEvents);
  const rowByRow = await floorRates(payloads, (appender, tenantId, events) => {
    for (const event of events) appendEvent(appender, tenantId, event);
  });
  const httpRate = median(httpRates);
  const floorRate = median(floor.rates);
  const rowRate = median(rowByRow.rates);

  return [
    '## Ingest throughput',
    '',
    `${fmt(batches * BATCH, 0)} events in ${batches} batches of ${BATCH} per round, ${ROUNDS} rounds (median shown, range in brackets), ${CONCURRENCY} concurrent requests with keep-alive, over loopback HTTP to the local runtime (a separate process).`,
    '',
    '| path | events/s | of floor | filling the appender, µs/event |',
    '|---|---:|---:|---:|',
    `| POST /v1/events (HTTP, auth, validation, exactly-once check, append, commit) | ${fmt(httpRate, 0)} (${range(httpRates)}) | ${fmt((100 * httpRate) / floorRate)} % | – |`,
    `| floor: JSON.parse + typed append in data chunks + commit per batch, one process | ${fmt(floorRate, 0)} (${range(floor.rates)}) | 100.0 % | ${fmt(floor.appendMicros, 2)} |`,
    `| the same floor appending value by value (appendEvent, ~25 native calls per row) | ${fmt(rowRate, 0)} (${range(rowByRow.rates)}) | ${fmt((100 * rowRate) / floorRate)} % | ${fmt(rowByRow.appendMicros, 2)} |`,
    '',
    `Target ≥ 100,000 events/s: ${httpRate >= 100_000 ? 'met' : 'NOT met'}.`,
    '',
  ];
}
