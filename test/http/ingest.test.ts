import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApiKey } from '#lib/domain/tenants.ts';
import { type LocalStack, readProblem, startLocalStack } from '../support/local-stack.ts';

let stack: LocalStack;
let run = 0;
beforeAll(async () => {
  stack = await startLocalStack();
});
afterAll(() => stack.close());
beforeEach(() => {
  run += 1;
});

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
const message = (id: string, extra: Record<string, unknown> = {}) => ({
  id: `${run}-${id}`,
  time: minutesAgo(5),
  type: 'message',
  operatorId: 'op_alpha',
  accountId: 'acct_1',
  status: 'DELIVERED',
  segments: 1,
  cost: '0.006500',
  latencyMs: 900,
  ...extra,
});

function post(body: unknown, init: { key?: string; contentType?: string; raw?: string } = {}) {
  return stack.request('/v1/events', {
    method: 'POST',
    key: init.key ?? stack.tenant.keys.ingest,
    headers: { 'content-type': init.contentType ?? 'application/json' },
    body: init.raw ?? JSON.stringify(body),
  });
}

/** Messages stored for this tenant in the last hour, read back through the query port. */
async function storedMessages(filter?: { operatorId?: string }): Promise<number> {
  const [row] = await stack.stores.timeSeries.query({
    tenantId: stack.tenant.tenantId,
    window: { from: new Date(Date.now() - 3_600_000), to: new Date(Date.now() + 3_600_000) },
    types: ['message'],
    filters: filter?.operatorId ? [{ dimension: 'operatorId', op: 'eq', value: filter.operatorId }] : [],
    measures: [{ as: 'n', kind: 'count' }],
  });
  return Number(row?.n ?? 0);
}

/** The messages' cost stored for this tenant in the last hour, in exact micros. */
async function storedCostMicros(): Promise<bigint> {
  const [row] = await stack.stores.timeSeries.query({
    tenantId: stack.tenant.tenantId,
    window: { from: new Date(Date.now() - 3_600_000), to: new Date(Date.now() + 3_600_000) },
    types: ['message'],
    measures: [{ as: 'cost', kind: 'sum', field: 'cost' }],
  });
  return row?.cost as bigint;
}

describe('POST /v1/events', () => {
  it('accepts a JSON batch and counts a re-send as duplicates, never twice', async () => {
    const before = await storedMessages();
    const events = [message('a'), message('b'), message('c')];
    const first = await post({ events });
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ accepted: 3, duplicates: 0, rejected: [] });

    const again = await post({ events: [...events, message('d')] });
    expect(await again.json()).toEqual({ accepted: 1, duplicates: 3, rejected: [] });
    expect(await storedMessages()).toBe(before + 4);
  });

  it('counts a repeated id within one batch once', async () => {
    const before = await storedMessages();
    const response = await post({ events: [message('x'), message('x'), message('y'), message('x')] });
    expect(await response.json()).toEqual({ accepted: 2, duplicates: 2, rejected: [] });
    expect(await storedMessages()).toBe(before + 2);
  });

  it('reads NDJSON, rejecting a line that is not JSON on its own', async () => {
    const lines = [JSON.stringify(message('n1')), '{"id": "broken', JSON.stringify(message('n2')), ''].join(
      '\n',
    );
    const response = await post(undefined, {
      contentType: 'application/x-ndjson; charset=utf-8',
      raw: lines,
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { accepted: number; rejected: { index: number; code: string }[] };
    expect(body.accepted).toBe(2);
    expect(body.rejected).toEqual([{ index: 1, code: 'MALFORMED_JSON', detail: expect.any(String) }]);
  });

  it('rejects each bad event with its own code and stores the rest', async () => {
    const bad: [Record<string, unknown>, string][] = [
      [{ ...message('t1'), latencyMs: 'fast' }, 'INVALID_MEASURE'],
      [{ ...message('t2'), colour: 'red' }, 'UNKNOWN_FIELD'],
      [{ ...message('t3'), tenantId: 'ten_other' }, 'UNKNOWN_FIELD'],
      [{ ...message('t4'), time: '2026-13-45T99:00:00Z' }, 'INVALID_TIME'],
      [{ ...message('t5'), time: '2026-04-18 10:00:00' }, 'INVALID_TIME'],
      [{ ...message('t6'), time: new Date(Date.now() + 3_600_000).toISOString() }, 'TIME_IN_FUTURE'],
      [{ ...message('t7'), cost: '-1.00' }, 'INVALID_COST'],
      [{ ...message('t8'), cost: '1e5' }, 'INVALID_COST'],
      [{ ...message('t9'), cost: '0.1234567' }, 'INVALID_COST'],
      [{ ...message('t10'), cost: 0.5 }, 'INVALID_COST'],
      [{ ...message('t11'), statusCode: 700 }, 'INVALID_STATUS_CODE'],
      [{ ...message('t12'), bytes: -5 }, 'INVALID_MEASURE'],
      [{ ...message('t13'), segments: 1.5 }, 'INVALID_MEASURE'],
      [{ ...message('t14'), type: 'page.view' }, 'UNKNOWN_TYPE'],
      [{ ...message('t15'), id: undefined }, 'MISSING_FIELD'],
      [{ ...message('t16'), id: 'has space' }, 'INVALID_ID'],
      [{ ...message('t17'), operatorId: 42 }, 'INVALID_DIMENSION'],
      [{ ...message('t18'), operatorId: 'x'.repeat(300) }, 'INVALID_DIMENSION'],
      [['not', 'an', 'object'] as unknown as Record<string, unknown>, 'NOT_AN_OBJECT'],
    ];
    const good = [message('g1'), message('g2')];
    const before = await storedMessages();
    const response = await post({ events: [good[0], ...bad.map(([e]) => e), good[1]] });
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      accepted: number;
      duplicates: number;
      rejected: { index: number; code: string; detail: string }[];
    };
    expect(body.accepted).toBe(2);
    expect(body.rejected.map((r) => [r.index, r.code])).toEqual(bad.map(([, code], i) => [i + 1, code]));
    for (const r of body.rejected) expect(r.detail.length).toBeGreaterThan(5);
    expect(await storedMessages()).toBe(before + 2);
  });

  it('takes a cost up to 2^53 − 1 micros and answers COST_OUT_OF_RANGE above it, storing none of those', async () => {
    const before = { messages: await storedMessages(), cost: await storedCostMicros() };
    const over = [
      message('over', { cost: '9007199254.740992' }),
      message('huge', { cost: '123456789012345678901234567890.5' }),
      message('padded', { cost: '0000000000009007199254.740992' }),
    ];
    const response = await post({
      events: [
        message('max', { cost: '9007199254.740991', segments: Number.MAX_SAFE_INTEGER }),
        ...over,
        message('bytes', { bytes: 2 ** 53 }),
      ],
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { accepted: number; rejected: Record<string, unknown>[] };
    expect(body.accepted).toBe(1);
    expect(body.rejected).toEqual([
      ...[1, 2, 3].map((index) => ({
        index,
        code: 'COST_OUT_OF_RANGE',
        detail: '"cost" is at most 9007199254.740991 per event',
      })),
      { index: 4, code: 'INVALID_MEASURE', detail: expect.stringContaining('"bytes"') },
    ]);
    expect(await storedMessages()).toBe(before.messages + 1);
    expect(await storedCostMicros()).toBe(before.cost + 9_007_199_254_740_991n);

    // Alone, out-of-range costs are a 422; their ids were never marked seen, so a fixed re-send counts.
    const alone = await post({ events: over });
    const problem = await readProblem(alone);
    expect([alone.status, problem.code]).toEqual([422, 'NO_EVENT_ACCEPTED']);
    expect(problem.rejected).toEqual(
      over.map((_, index) => expect.objectContaining({ index, code: 'COST_OUT_OF_RANGE' })),
    );
    expect(await storedMessages()).toBe(before.messages + 1);
    const fixed = await post({ events: over.map((event) => ({ ...event, cost: '1' })) });
    expect(await fixed.json()).toEqual({ accepted: 3, duplicates: 0, rejected: [] });
    expect(await storedCostMicros()).toBe(before.cost + 9_007_199_254_740_991n + 3_000_000n);
  });

  it('stores SQL-looking dimension values verbatim and never executes them', async () => {
    const hostile = "op'); DROP TABLE events; --";
    const response = await post({ events: [message('sql', { operatorId: hostile })] });
    expect(await response.json()).toMatchObject({ accepted: 1 });
    expect(await storedMessages({ operatorId: hostile })).toBe(1);
    expect(await storedMessages()).toBeGreaterThan(1);
  });

  it('answers 422 with the reasons when no event is accepted', async () => {
    const response = await post({ events: [{ ...message('bad'), cost: 'free' }] });
    const problem = await readProblem(response);
    expect([response.status, problem.code]).toEqual([422, 'NO_EVENT_ACCEPTED']);
    expect(problem).toMatchObject({
      accepted: 0,
      duplicates: 0,
      rejected: [{ index: 0, code: 'INVALID_COST' }],
    });
  });

  it.each([
    ['an empty batch', { raw: '{"events": []}' }, 400, 'EMPTY_BATCH'],
    ['a body that is not a batch', { raw: '[{"id": "1"}]' }, 400, 'INVALID_BATCH'],
    ['malformed JSON', { raw: '{"events": [' }, 400, 'MALFORMED_JSON'],
    ['a wrong content type', { raw: 'id=1', contentType: 'text/plain' }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
    [
      'more than 1,000 events',
      {
        raw: JSON.stringify({
          events: Array.from({ length: 1001 }, (_, i) => ({ id: `m${i}`, time: 'x', type: 'message' })),
        }),
      },
      413,
      'TOO_MANY_EVENTS',
    ],
    [
      'more than 1 MiB',
      { raw: JSON.stringify({ events: [{ id: 'big', pad: 'x'.repeat(1_100_000) }] }) },
      413,
      'PAYLOAD_TOO_LARGE',
    ],
  ])('refuses %s whole', async (_name, init, status, code) => {
    const before = await storedMessages();
    const response = await post(undefined, init);
    const problem = await readProblem(response);
    expect([response.status, problem.code]).toEqual([status, code]);
    expect(await storedMessages()).toBe(before);
  });

  it('takes the tenant from the key: another tenant sees nothing, an account key may not ingest', async () => {
    const { createTenant } = await import('#lib/domain/tenants.ts');
    const other = await createTenant(stack.stores.runtime, 'Other', new Date());
    const response = await post({ events: [message('shared-id')] }, { key: other.keys.ingest });
    expect(await response.json()).toMatchObject({ accepted: 1 });
    // The same id under the first tenant is a different event.
    expect(await (await post({ events: [message('shared-id')] })).json()).toMatchObject({
      accepted: 1,
      duplicates: 0,
    });

    const account = await createApiKey(
      stack.stores.runtime,
      { tenantId: stack.tenant.tenantId, role: 'account', accountId: 'acct_1' },
      new Date(),
    );
    const forbidden = await post({ events: [message('acct')] }, { key: account.key });
    expect(forbidden.status).toBe(403);
  });
});
