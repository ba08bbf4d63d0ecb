import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { UsageEvent } from '#lib/domain/events.ts';
import { parseMicros } from '#lib/domain/money.ts';
import { appendEvent, EVENTS_DDL, EVENTS_TABLE } from '#lib/stores/duckdb/schema.ts';
import { makeBatches } from './payloads.ts';
import { fmt, startServer } from './support.ts';

const BATCH = 1000;
const CONCURRENCY = 4;

/**
 * Ingest throughput through the local HTTP API in 1,000-event batches, beside its floor: the same
 * payloads JSON.parse'd and appended with DuckDB's typed appender in one process, nothing else.
 */
export async function benchIngest(batches: number): Promise<string[]> {
  const payloads = makeBatches(batches, BATCH, `bench-${Date.now()}`);
  const warmup = makeBatches(10, BATCH, `warm-${Date.now()}`);

  const server = await startServer();
  let accepted = 0;
  let elapsedMs = 0;
  try {
    const send = async (body: string) => {
      const response = await fetch(`${server.url}/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${server.demo.keys.ingest}`, 'content-type': 'application/json' },
        body,
      });
      const result = (await response.json()) as { accepted: number };
      if (response.status !== 200)
        throw new Error(`ingest answered ${response.status}: ${JSON.stringify(result)}`);
      return result.accepted;
    };
    for (const body of warmup) await send(body);
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < payloads.length) {
          const body = payloads[next++] as string;
          const n = await send(body);
          accepted += n;
        }
      }),
    );
    elapsedMs = performance.now() - started;
  } finally {
    await server.stop();
    rmSync(server.dataDir, { recursive: true, force: true });
  }
  if (accepted !== batches * BATCH) throw new Error(`accepted ${accepted} of ${batches * BATCH} events`);
  const httpRate = (batches * BATCH) / (elapsedMs / 1000);

  // Floor: parse + typed append of the same payloads into the same table shape, in one process.
  const file = join(tmpdir(), `meterhouse-floor-${Date.now()}.duckdb`);
  const instance = await DuckDBInstance.create(file);
  const connection = await instance.connect();
  await connection.run(EVENTS_DDL);
  const floorStarted = performance.now();
  for (const body of payloads) {
    const { events } = JSON.parse(body) as { events: Record<string, unknown>[] };
    const appender = await connection.createAppender(EVENTS_TABLE);
    for (const raw of events) {
      const event = { ...raw, time: new Date(raw.time as string) } as unknown as UsageEvent;
      if (typeof raw.cost === 'string') event.cost = parseMicros(raw.cost);
      appendEvent(appender, 'ten_floor', event);
    }
    appender.closeSync();
  }
  const floorMs = performance.now() - floorStarted;
  connection.closeSync();
  instance.closeSync();
  rmSync(file, { force: true });
  rmSync(`${file}.wal`, { force: true });
  const floorRate = (batches * BATCH) / (floorMs / 1000);

  return [
    '## Ingest throughput',
    '',
    `${fmt(batches * BATCH, 0)} events in ${batches} batches of ${BATCH}, ${CONCURRENCY} concurrent requests, over loopback HTTP to the local runtime (a separate process).`,
    '',
    '| path | events/s | of floor |',
    '|---|---:|---:|',
    `| POST /v1/events (HTTP, auth, validation, exactly-once check, append, commit) | ${fmt(httpRate, 0)} | ${fmt((100 * httpRate) / floorRate)} % |`,
    `| floor: JSON.parse + typed append, one process | ${fmt(floorRate, 0)} | 100.0 % |`,
    '',
    `Target ≥ 100,000 events/s: ${httpRate >= 100_000 ? 'met' : 'NOT met'}.`,
    '',
  ];
}
