import { Counter, Gauge, Registry } from 'prom-client';
import type { TimeSeriesStore } from '#lib/domain/ports/time-series.ts';
import { MESSAGE_STATUSES } from '../domain/events.ts';
import { DAY_MS, startOfUtcDay, type TimeWindow } from '../domain/windows.ts';
import type { QueryRow } from '../query/spec.ts';
import { byStatusOf, count, exactSum, statusMeasures } from './delivery.ts';

/**
 * `GET /metrics`: one tenant's usage as Prometheus counters, for its own Prometheus to scrape with
 * the platform key. Every family counts the events of the current UTC day, `[00:00, next 00:00)`:
 * within a day the values only grow (late events add, nothing subtracts), and at midnight they
 * restart from zero, which `rate()`/`increase()` read as an ordinary counter reset. (A sliding
 * "last 24 hours" would shrink as events age out, which no counter may do.)
 * `meterhouse_counters_start_timestamp_seconds` says when the current counting began.
 *
 * Four group-by queries, one per family (messages and their cost share one), whatever the number
 * of operators, models or types. A label a group lacks (an event without operator or model) is
 * the empty string, which Prometheus treats as an absent label. Values are exact integers up to
 * 2^53 (cost in micros: 9 billion units a day).
 */
export function metricsWindow(now: Date): TimeWindow {
  const from = startOfUtcDay(now);
  return { from, to: new Date(from.getTime() + DAY_MS) };
}

const label = (row: QueryRow, key: string): string => {
  const value = row[key];
  return value === null || value === undefined ? '' : String(value);
};

/** `2xx`…`5xx` from an HTTP status code; `none` for events that carry none (messages, LLM calls…). */
export function statusClass(statusCode: unknown): string {
  return typeof statusCode === 'number' ? `${Math.floor(statusCode / 100)}xx` : 'none';
}

export async function tenantMetrics(
  store: TimeSeriesStore,
  tenantId: string,
  now: Date,
): Promise<{ text: string; contentType: string }> {
  const window = metricsWindow(now);
  const [messageRows, requestRows, tokenRows, byteRows] = await Promise.all([
    store.query({ tenantId, window, types: ['message'], groupBy: ['operatorId'], measures: statusMeasures }),
    store.query({
      tenantId,
      window,
      groupBy: ['type', 'statusCode'],
      measures: [{ as: 'requests', kind: 'count' }],
    }),
    store.query({
      tenantId,
      window,
      groupBy: ['model'],
      measures: [
        { as: 'input', kind: 'sum', field: 'inputTokens' },
        { as: 'output', kind: 'sum', field: 'outputTokens' },
      ],
    }),
    store.query({
      tenantId,
      window,
      groupBy: ['type'],
      measures: [{ as: 'bytes', kind: 'sum', field: 'bytes' }],
    }),
  ]);

  // A fresh registry per request: the global one would mix tenants and keep stale series.
  const registry = new Registry();
  const messages = new Counter({
    name: 'meterhouse_messages_total',
    help: 'Messages by delivery status (PENDING: pending, an interim status or none) and operator, since 00:00 UTC.',
    labelNames: ['status', 'operator'],
    registers: [registry],
  });
  const cost = new Counter({
    name: 'meterhouse_message_cost_micros_total',
    help: 'Cost of messages in micro-units (1 unit = 1000000) by operator, since 00:00 UTC.',
    labelNames: ['operator'],
    registers: [registry],
  });
  const requests = new Counter({
    name: 'meterhouse_requests_total',
    help: 'Events of every type by HTTP status class (none: the event carries no status code), since 00:00 UTC.',
    labelNames: ['type', 'status_class'],
    registers: [registry],
  });
  const tokens = new Counter({
    name: 'meterhouse_tokens_total',
    help: 'Model tokens by direction and model, since 00:00 UTC.',
    labelNames: ['direction', 'model'],
    registers: [registry],
  });
  const bytes = new Counter({
    name: 'meterhouse_bytes_total',
    help: 'Bytes carried by events, by event type, since 00:00 UTC.',
    labelNames: ['type'],
    registers: [registry],
  });
  const start = new Gauge({
    name: 'meterhouse_counters_start_timestamp_seconds',
    help: 'Start of the counting window of the meterhouse_* counters (00:00 UTC today), Unix seconds.',
    registers: [registry],
  });
  start.set(window.from.getTime() / 1000);

  for (const row of messageRows) {
    const operator = label(row, 'operatorId');
    const byStatus = byStatusOf(row);
    for (const status of MESSAGE_STATUSES) messages.inc({ status, operator }, byStatus[status]);
    cost.inc({ operator }, Number(exactSum(row, 'cost')));
  }
  // Several status codes share a class: inc adds them up.
  for (const row of requestRows) {
    requests.inc(
      { type: label(row, 'type'), status_class: statusClass(row.statusCode) },
      count(row, 'requests'),
    );
  }
  for (const row of tokenRows) {
    const input = exactSum(row, 'input');
    const output = exactSum(row, 'output');
    // Events without a model and without tokens (every non-LLM event) make no token series.
    if (row.model === null && input === 0n && output === 0n) continue;
    const model = label(row, 'model');
    tokens.inc({ direction: 'input', model }, Number(input));
    tokens.inc({ direction: 'output', model }, Number(output));
  }
  for (const row of byteRows) bytes.inc({ type: label(row, 'type') }, Number(exactSum(row, 'bytes')));

  return { text: await registry.metrics(), contentType: registry.contentType };
}
