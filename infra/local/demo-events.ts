import { ingestEvents } from '#lib/domain/ingest.ts';
import { formatMicros } from '#lib/domain/money.ts';
import type { TimeSeriesStore } from '#lib/domain/ports/time-series.ts';

/** The registry the demo events refer to, so that events and registry tell one story. */
export interface DemoIds {
  operators: string[];
  connectors: string[];
  accounts: { id: string; operatorId: string; projectIds: string[] }[];
  projects: string[];
  apiKeyIds: string[];
}

export interface DemoEventOptions {
  now: Date;
  days: number;
  /** Mean events per minute across all types at the weekday daily peak. */
  peakPerMinute: number;
  seed?: number;
}

/** A small seeded PRNG (mulberry32): the same seed gives the same demo data. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ENDPOINTS = [
  {
    endpoint: '/v1/scores/:identity',
    category: 'scores',
    method: 'GET',
    latency: 180,
    bytes: 8000,
    weight: 5,
  },
  {
    endpoint: '/v1/identity/:identity',
    category: 'identity',
    method: 'GET',
    latency: 320,
    bytes: 10000,
    weight: 3,
  },
  {
    endpoint: '/v1/achievements/:identity',
    category: 'achievements',
    method: 'GET',
    latency: 450,
    bytes: 5500,
    weight: 2,
  },
  { endpoint: '/v1/events', category: 'events', method: 'POST', latency: 90, bytes: 1200, weight: 2 },
  { endpoint: '/v1/webhooks', category: 'webhooks', method: 'POST', latency: 140, bytes: 800, weight: 1 },
] as const;

/** Per-1K-token prices in micros, so LLM costs are exact. */
const MODELS = [
  { model: 'claude-sonnet-4-5', input: 3000n, output: 15000n, latency: 1400, weight: 42 },
  { model: 'gpt-4o', input: 2500n, output: 10000n, latency: 1100, weight: 28 },
  { model: 'llama-3.1-70b', input: 600n, output: 600n, latency: 700, weight: 15 },
  { model: 'gemini-pro', input: 1250n, output: 5000n, latency: 900, weight: 8 },
  { model: 'mistral-large', input: 2000n, output: 6000n, latency: 950, weight: 7 },
] as const;

const INGESTED_TYPES = ['order.created', 'payment.captured', 'user.signup', 'cart.abandoned'] as const;
const SEGMENT_PRICE_MICROS = 6500n;

function pick<T extends { weight: number }>(items: readonly T[], r: number): T {
  const total = items.reduce((sum, item) => sum + item.weight, 0);
  let x = r * total;
  for (const item of items) {
    x -= item.weight;
    if (x < 0) return item;
  }
  return items[items.length - 1] as T;
}

const at = <T>(items: readonly T[], r: number): T => items[Math.floor(r * items.length) % items.length] as T;

/** Load by hour of day (UTC): quiet nights, a late-morning climb, an afternoon peak. */
const HOURLY = [
  0.18, 0.14, 0.12, 0.12, 0.15, 0.22, 0.35, 0.52, 0.7, 0.82, 0.9, 0.95, 0.97, 1, 0.98, 0.96, 0.92, 0.85, 0.74,
  0.62, 0.5, 0.4, 0.3, 0.23,
];

/**
 * Generates `days` of realistic usage up to `now` and writes it through the ingest path in
 * batches of 1,000, as a client would. Returns how many events were accepted.
 */
export async function seedDemoEvents(
  store: TimeSeriesStore,
  tenantId: string,
  ids: DemoIds,
  options: DemoEventOptions,
): Promise<number> {
  const rand = seededRandom(options.seed ?? 20261123);
  const end = Math.floor(options.now.getTime() / 60_000) * 60_000;
  const start = end - options.days * 86_400_000;
  // Error bursts: a few half-hour windows where one endpoint and one operator misbehave.
  const bursts = Array.from({ length: Math.max(2, Math.round(options.days / 2)) }, () => ({
    from: start + rand() * (end - start - 3_600_000),
    minutes: 20 + Math.floor(rand() * 25),
    endpoint: at(ENDPOINTS, rand()).endpoint,
    operatorId: at(ids.operators, rand()),
  }));
  const inBurst = (t: number, endpoint: string | undefined, operatorId: string | undefined) =>
    bursts.some(
      (b) =>
        t >= b.from &&
        t < b.from + b.minutes * 60_000 &&
        (b.endpoint === endpoint || b.operatorId === operatorId),
    );

  let batch: Record<string, unknown>[] = [];
  let accepted = 0;
  let seq = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const result = await ingestEvents(
      store,
      tenantId,
      batch.map((value) => ({ value })),
      options.now,
    );
    accepted += result.accepted;
    batch = [];
  };
  const push = async (event: Record<string, unknown>) => {
    batch.push(event);
    if (batch.length === 1000) await flush();
  };

  for (let minute = start; minute < end; minute += 60_000) {
    const date = new Date(minute);
    const weekend = date.getUTCDay() === 0 || date.getUTCDay() === 6;
    const load = (HOURLY[date.getUTCHours()] ?? 0.5) * (weekend ? 0.6 : 1);
    const n = Math.round(options.peakPerMinute * load * (0.8 + 0.4 * rand()));
    for (let i = 0; i < n; i += 1) {
      const time = new Date(minute + Math.floor(rand() * 60_000)).toISOString();
      const id = `demo_${(seq++).toString(36)}`;
      const kind = rand();
      const account = at(ids.accounts, rand());
      if (kind < 0.4) {
        const e = pick(ENDPOINTS, rand());
        const burst = inBurst(minute, e.endpoint, account.operatorId);
        const roll = rand();
        const statusCode =
          burst && roll < 0.25
            ? 500
            : roll < 0.012
              ? 429
              : roll < 0.02
                ? 500
                : roll < 0.03
                  ? 404
                  : roll < 0.035
                    ? 400
                    : e.method === 'POST'
                      ? 201
                      : 200;
        await push({
          id,
          time,
          type: 'api.request',
          operatorId: account.operatorId,
          accountId: account.id,
          apiKeyId: at(ids.apiKeyIds, rand()),
          endpoint: e.endpoint,
          category: e.category,
          method: e.method,
          statusCode,
          latencyMs: Math.round(e.latency * (0.4 + rand() * 1.2 + (burst ? 2 : 0)) * 10) / 10,
          bytes: Math.round(e.bytes * (0.5 + rand())),
        });
      } else if (kind < 0.6) {
        const burst = inBurst(minute, undefined, account.operatorId);
        await push({
          id,
          time,
          type: 'gateway.request',
          operatorId: account.operatorId,
          connectorId: at(ids.connectors, rand()),
          statusCode: burst && rand() < 0.2 ? 502 : rand() < 0.015 ? 504 : 200,
          latencyMs: Math.round(60 + rand() * 240),
          bytes: Math.round(500 + rand() * 4000),
        });
      } else if (kind < 0.72) {
        await push({
          id,
          time,
          type: 'event.ingested',
          operatorId: account.operatorId,
          category: at(INGESTED_TYPES, rand()),
          bytes: Math.round(200 + rand() * 1800),
        });
      } else if (kind < 0.84) {
        const m = pick(MODELS, rand());
        const inputTokens = Math.round(200 + rand() * 3800);
        const outputTokens = Math.round(50 + rand() * 900);
        const cost = (BigInt(inputTokens) * m.input + BigInt(outputTokens) * m.output) / 1000n;
        await push({
          id,
          time,
          type: 'llm.request',
          model: m.model,
          projectId: at(account.projectIds.length > 0 ? account.projectIds : ids.projects, rand()),
          apiKeyId: at(ids.apiKeyIds, rand()),
          accountId: account.id,
          operatorId: account.operatorId,
          service: 'inference',
          endpoint: '/v1/chat/completions',
          statusCode: rand() < 0.01 ? 529 : 200,
          inputTokens,
          outputTokens,
          cost: formatMicros(cost),
          latencyMs: Math.round(m.latency * (0.5 + rand())),
        });
      } else {
        const burst = inBurst(minute, undefined, account.operatorId);
        const recent = end - minute < 10 * 60_000;
        const roll = rand();
        const status =
          recent && roll < 0.3
            ? 'PENDING'
            : burst && roll < 0.3
              ? 'FAILED'
              : roll < 0.012
                ? 'FAILED'
                : roll < 0.016
                  ? 'UNDELIVERABLE'
                  : roll < 0.02
                    ? 'PENDING'
                    : 'DELIVERED';
        const segments = 1 + Math.floor(rand() * rand() * 3);
        await push({
          id,
          time,
          type: 'message',
          operatorId: account.operatorId,
          accountId: account.id,
          status,
          segments,
          cost: formatMicros(SEGMENT_PRICE_MICROS * BigInt(segments)),
          latencyMs: Math.round(400 + rand() * 2400),
        });
      }
    }
    if (minute % 3_600_000 === 0) {
      for (const [index, operatorId] of ids.operators.entries()) {
        const growth = (minute - start) / 86_400_000;
        await push({
          id: `demo_storage_${operatorId}_${minute}`,
          time: date.toISOString(),
          type: 'storage.sample',
          operatorId,
          storageBytes: Math.round((index + 1) * 2.5e9 * (1 + 0.02 * growth)),
        });
      }
    }
  }
  await flush();
  return accepted;
}
