import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CreatedTenant, createTenant } from '#lib/domain/tenants.ts';
import { type LocalStack, readProblem, startLocalStack } from '../support/local-stack.ts';

/**
 * GET /metrics: the tenant's counters of the current UTC day in the Prometheus text format, parsed
 * back and compared series by series with values worked out by hand. The clock is fixed at 15:30
 * UTC on day D (yesterday).
 */
const DAY_MS = 86_400_000;
const D = new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS - DAY_MS);
const at = (hhmmss: string, offset = 0) =>
  `${new Date(D.getTime() + offset * DAY_MS).toISOString().slice(0, 10)}T${hhmmss}Z`;
const NOW = new Date(at('15:30:00'));
const QUOTED = 'op"q\\x'; // a label value prom-client must escape

const m = (id: string, time: string, extra: Record<string, unknown>) => ({
  id,
  time,
  type: 'message',
  ...extra,
});
const events = [
  m('a1', at('01:00:00'), { operatorId: 'opA', status: 'DELIVERED', cost: '0.006500' }),
  m('a2', at('01:00:01'), { operatorId: 'opA', status: 'DELIVERED', cost: '0.006500' }),
  m('a3', at('02:00:00'), { operatorId: 'opA', status: 'FAILED', cost: '0.001000' }),
  m('a4', at('03:00:00'), { operatorId: 'opA', status: 'UNDELIVERABLE' }),
  m('a5', at('04:00:00'), { operatorId: 'opA', status: 'PENDING', cost: '0.000001' }),
  m('b1', at('05:00:00'), { operatorId: 'opB', cost: '0.003333' }),
  m('b2', at('06:00:00'), { operatorId: 'opB', status: 'SENT' }),
  m('b3', at('15:40:00'), { operatorId: 'opB', status: 'DELIVERED', cost: '0.100000' }), // ahead of the clock, today
  m('q1', at('07:00:00'), { operatorId: QUOTED, status: 'DELIVERED', cost: '1.000000' }),
  m('n1', at('08:00:00'), { status: 'DELIVERED', cost: '0.002000' }),
  m('old1', at('23:59:59.999', -1), { operatorId: 'opA', status: 'DELIVERED', cost: '9.000000' }), // yesterday
  { id: 'api1', time: at('09:00:00'), type: 'api.request', statusCode: 500, bytes: 1000 },
  { id: 'api2', time: at('09:01:00'), type: 'api.request', statusCode: 200, bytes: 24 },
  { id: 'apiOld', time: at('12:00:00', -1), type: 'api.request', statusCode: 200, bytes: 99_999 },
  { id: 'gw1', time: at('10:00:00'), type: 'gateway.request', statusCode: 201, bytes: 500 },
  { id: 'gw2', time: at('10:01:00'), type: 'gateway.request', statusCode: 404, bytes: 250 },
  { id: 'gw3', time: at('10:02:00'), type: 'gateway.request', statusCode: 403 },
  {
    id: 'llm1',
    time: at('11:00:00'),
    type: 'llm.request',
    model: 'm1',
    inputTokens: 100,
    outputTokens: 40,
    cost: '0.500000',
  },
  {
    id: 'llm2',
    time: at('11:01:00'),
    type: 'llm.request',
    model: 'm1',
    inputTokens: 10,
    outputTokens: 5,
    statusCode: 200,
  },
  { id: 'llm3', time: at('11:02:00'), type: 'llm.request', model: 'm2', inputTokens: 7, statusCode: 429 },
];

let stack: LocalStack;
let other: CreatedTenant;

const ingest = async (key: string, batch: unknown[]) => {
  const response = await stack.request('/v1/events', {
    method: 'POST',
    key,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ events: batch }),
  });
  expect(await response.json()).toMatchObject({ accepted: batch.length });
};

beforeAll(async () => {
  stack = await startLocalStack({ clock: () => NOW });
  other = await createTenant(stack.stores.runtime, 'Other Platform', NOW);
  await ingest(stack.tenant.keys.ingest, events);
  await ingest(other.keys.ingest, [
    m('a1', at('12:00:00'), { operatorId: 'opA', status: 'DELIVERED', cost: '0.500000' }),
    { id: 'x1', time: at('12:00:00'), type: 'api.request', statusCode: 200, bytes: 7 },
  ]);
});
afterAll(() => stack?.close());

/** `name{label="value",…} number` lines → { 'name{label="value",…}': number }, labels sorted, unescaped. */
function parseExposition(text: string): Record<string, number> {
  const series: Record<string, number> = {};
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not an exposition line: ${line}`);
    const [, name, labelText = '', value = ''] = match;
    const labels = [...labelText.matchAll(/([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g)]
      .map(
        ([, key, raw = '']) =>
          [key, raw.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c))] as const,
      )
      .sort(([a = ''], [b = '']) => a.localeCompare(b));
    const key = `${name}{${labels.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}}`;
    if (key in series) throw new Error(`duplicate series ${key}`);
    series[key] = Number(value);
  }
  return series;
}

const scrape = async (key: string) => {
  stack.queries.count = 0;
  const response = await stack.request('/metrics', { key });
  expect(response.status).toBe(200);
  return { response, text: await response.text(), queries: stack.queries.count };
};

const messages = (operator: string, counts: [number, number, number, number]) => {
  const [delivered, failed, pending, undeliverable] = counts;
  return {
    [`meterhouse_messages_total{operator=${JSON.stringify(operator)},status="DELIVERED"}`]: delivered,
    [`meterhouse_messages_total{operator=${JSON.stringify(operator)},status="FAILED"}`]: failed,
    [`meterhouse_messages_total{operator=${JSON.stringify(operator)},status="PENDING"}`]: pending,
    [`meterhouse_messages_total{operator=${JSON.stringify(operator)},status="UNDELIVERABLE"}`]: undeliverable,
  };
};

describe('GET /metrics', () => {
  it("answers the tenant's counters of the current UTC day, exactly", async () => {
    const { response, text, queries } = await scrape(stack.tenant.keys.platform);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(text).toContain('# TYPE meterhouse_messages_total counter');
    expect(text).toContain('# TYPE meterhouse_message_cost_micros_total counter');
    expect(text).toContain(`operator="op\\"q\\\\x"`); // escaped by prom-client
    expect(parseExposition(text)).toEqual({
      ...messages('opA', [2, 1, 1, 1]),
      ...messages('opB', [1, 0, 2, 0]), // b1 (none) and b2 (SENT) are pending; b3 is today, ahead of the clock
      ...messages(QUOTED, [1, 0, 0, 0]),
      ...messages('', [1, 0, 0, 0]), // n1 has no operator
      'meterhouse_message_cost_micros_total{operator="opA"}': 14_001,
      'meterhouse_message_cost_micros_total{operator="opB"}': 103_333,
      [`meterhouse_message_cost_micros_total{operator=${JSON.stringify(QUOTED)}}`]: 1_000_000,
      'meterhouse_message_cost_micros_total{operator=""}': 2_000,
      'meterhouse_requests_total{status_class="none",type="message"}': 10,
      'meterhouse_requests_total{status_class="2xx",type="api.request"}': 1,
      'meterhouse_requests_total{status_class="5xx",type="api.request"}': 1,
      'meterhouse_requests_total{status_class="2xx",type="gateway.request"}': 1,
      'meterhouse_requests_total{status_class="4xx",type="gateway.request"}': 2, // 403 and 404
      'meterhouse_requests_total{status_class="none",type="llm.request"}': 1,
      'meterhouse_requests_total{status_class="2xx",type="llm.request"}': 1,
      'meterhouse_requests_total{status_class="4xx",type="llm.request"}': 1,
      'meterhouse_tokens_total{direction="input",model="m1"}': 110,
      'meterhouse_tokens_total{direction="output",model="m1"}': 45,
      'meterhouse_tokens_total{direction="input",model="m2"}': 7,
      'meterhouse_tokens_total{direction="output",model="m2"}': 0,
      'meterhouse_bytes_total{type="message"}': 0,
      'meterhouse_bytes_total{type="api.request"}': 1_024,
      'meterhouse_bytes_total{type="gateway.request"}': 750,
      'meterhouse_bytes_total{type="llm.request"}': 0,
      'meterhouse_counters_start_timestamp_seconds{}': D.getTime() / 1000,
    });
    expect(queries).toBe(4);
  });

  it('shows another tenant only its own, in the same number of queries', async () => {
    const { text, queries } = await scrape(other.keys.platform);
    expect(parseExposition(text)).toEqual({
      ...messages('opA', [1, 0, 0, 0]),
      'meterhouse_message_cost_micros_total{operator="opA"}': 500_000,
      'meterhouse_requests_total{status_class="none",type="message"}': 1,
      'meterhouse_requests_total{status_class="2xx",type="api.request"}': 1,
      'meterhouse_bytes_total{type="message"}': 0,
      'meterhouse_bytes_total{type="api.request"}': 7,
      'meterhouse_counters_start_timestamp_seconds{}': D.getTime() / 1000,
    });
    expect(queries).toBe(4);
  });

  it('needs a platform key', async () => {
    expect((await stack.request('/metrics', { key: stack.tenant.keys.ingest })).status).toBe(403);
    expect((await readProblem(await stack.request('/metrics'))).status).toBe(401);
  });
});
