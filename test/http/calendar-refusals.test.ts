import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, registrySnapshot } from '../registry/support.ts';
import { type LocalStack, startLocalStack } from '../support/local-stack.ts';

/**
 * Every endpoint that reads a date or time refuses an impossible or malformed one the same way
 * (lib/domain/calendar.ts): ingest rejects the event with INVALID_TIME; a query parameter or body
 * field gets 400 VALIDATION_FAILED whose `errors` entry carries `code: INVALID_TIME`. Nothing is
 * stored, changed or even queried. The clock stands where 2026-11-31 would have been stored as
 * 2026-12-01, yesterday.
 */
const NOW = new Date('2026-12-02T18:00:00Z');

let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack({ clock: () => NOW });
});
afterAll(() => stack.close());

/** Instants that name no real instant, each with the words its refusal gives as the reason. */
const BAD_INSTANTS: [string, string][] = [
  ['2026-11-31T10:00:00Z', '2026-11 has 30 days, not 31'],
  ['2026-02-29T10:00:00Z', '2026-02 has 28 days, not 29'],
  ['2026-11-30T24:00:00Z', 'hour 24 does not exist'],
  ['2026-11-30T10:60:00Z', 'minute 60 does not exist'],
  ['2026-06-30T23:59:60Z', 'leap second'],
  ['0000-11-30T10:00:00Z', 'year 0000'],
  ['2026-13-01T10:00:00Z', 'month 13'],
  ['2026-11-30T10:00:00', 'no zone'],
  ['2026-11-30T10:00:00+24:00', 'offset +24:00'],
  ['2026-11-30T10:00:00.1234567890Z', 'more than 9 fraction digits'],
];
/** Plain dates that name no calendar day. */
const BAD_DATES: [string, string][] = [
  ['2026-11-31', '2026-11 has 30 days, not 31'],
  ['2031-02-30', '2031-02 has 28 days, not 30'],
  ['2026-02-29', '2026-02 has 28 days, not 29'],
  ['0000-01-01', 'year 0000'],
  ['2026-00-10', 'month 00'],
  ['2026-11-00', 'day 00'],
];

interface Problem {
  status: number;
  code: string;
  errors?: { in: string; name: string; code?: string; message: string }[];
}

/** Runs `send`, and checks that it answered the date refusal for `name` without querying the events. */
async function expectRefused(
  send: () => Promise<{ status: number; body: unknown }>,
  where: 'query' | 'body',
  name: string,
  reason: string,
): Promise<void> {
  const registryBefore = await registrySnapshot(stack, stack.tenant.tenantId);
  stack.queries.count = 0;
  const answer = await send();
  const problem = answer.body as Problem;
  expect([answer.status, problem.code]).toEqual([400, 'VALIDATION_FAILED']);
  expect(problem.errors).toEqual([
    { in: where, name, code: 'INVALID_TIME', message: expect.stringContaining(reason) },
  ]);
  expect(stack.queries.count).toBe(0);
  expect(await registrySnapshot(stack, stack.tenant.tenantId)).toEqual(registryBefore);
}

const get = (path: string) => call(stack, 'GET', path);

/** Messages stored in [from, to), read back through the query port. */
async function storedMessages(from: string, to: string): Promise<number> {
  const [row] = await stack.stores.timeSeries.query({
    tenantId: stack.tenant.tenantId,
    window: { from: new Date(from), to: new Date(to) },
    types: ['message'],
    filters: [],
    measures: [{ as: 'n', kind: 'count' }],
  });
  return Number(row?.n ?? 0);
}

describe('ingest', () => {
  const event = (id: string, time: unknown) => ({
    id,
    time,
    type: 'message',
    operatorId: 'op-1',
    segments: 1,
  });

  it('rejects every impossible time with INVALID_TIME and its reason, and stores none of them', async () => {
    const before = await storedMessages('2000-01-01T00:00:00Z', '2027-01-01T00:00:00Z');
    const events = [
      ...BAD_INSTANTS.map(([time], i) => event(`bad-${i}`, time)),
      event('bad-number', 1_764_000_000),
    ];
    const answer = await call(stack, 'POST', '/v1/events', {
      key: stack.tenant.keys.ingest,
      body: { events },
    });
    expect(answer.status).toBe(422);
    const rejected = answer.body.rejected as { index: number; code: string; detail: string }[];
    expect(rejected.map((r) => [r.index, r.code])).toEqual(events.map((_, i) => [i, 'INVALID_TIME']));
    BAD_INSTANTS.forEach(([, reason], i) => {
      expect(rejected[i]?.detail).toMatch(
        /^"time" must be a date-time with a zone, e\.g\. 2026-04-18T10:00:00Z \(/,
      );
      expect(rejected[i]?.detail).toContain(reason);
    });
    expect(await storedMessages('2000-01-01T00:00:00Z', '2027-01-01T00:00:00Z')).toBe(before);
  });

  it('stores a valid time exactly as written beside a refused one, never the next day', async () => {
    const answer = await call(stack, 'POST', '/v1/events', {
      key: stack.tenant.keys.ingest,
      body: {
        events: [event('nov-30', '2026-11-30T23:30:00+01:00'), event('nov-31', '2026-11-31T10:00:00Z')],
      },
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ accepted: 1, rejected: [{ index: 1, code: 'INVALID_TIME' }] });
    expect(await storedMessages('2026-11-30T22:30:00Z', '2026-11-30T22:30:00.001Z')).toBe(1);
    expect(await storedMessages('2026-12-01T00:00:00Z', '2026-12-02T00:00:00Z')).toBe(0);
  });
});

describe('query windows', () => {
  it('answers a valid window, so that the refusals below are about the date alone', async () => {
    expect((await get('/platform-api/metrics/summary?from=2026-11-30&to=2026-12-01T00:00:00Z')).status).toBe(
      200,
    );
    expect((await get('/v1/internal/analytics/summary?from=2026-12-02T00:00:00Z')).status).toBe(200);
    expect((await get('/v1/analytics/usage?start_date=2026-11-30&end_date=2026-11-30')).status).toBe(200);
  });

  it.each(BAD_INSTANTS)(
    'refuses from/to %s on the delivery and platform metrics windows',
    async (time, reason) => {
      const value = encodeURIComponent(time);
      await expectRefused(() => get(`/v1/internal/analytics/summary?from=${value}`), 'query', 'from', reason);
      await expectRefused(() => get(`/v1/internal/analytics/throughput?to=${value}`), 'query', 'to', reason);
      await expectRefused(() => get(`/platform-api/metrics/operators?to=${value}`), 'query', 'to', reason);
    },
  );

  it.each(BAD_DATES)('refuses the date %s as a window bound', async (date, reason) => {
    await expectRefused(() => get(`/platform-api/metrics/summary?from=${date}`), 'query', 'from', reason);
    await expectRefused(() => get(`/v1/analytics/usage?start_date=${date}`), 'query', 'start_date', reason);
    await expectRefused(
      () => get(`/v1/analytics/export?format=csv&end_date=${date}`),
      'query',
      'end_date',
      reason,
    );
    await expectRefused(
      () => call(stack, 'POST', '/v1/analytics/usage', { body: { start_date: date } }),
      'body',
      'start_date',
      reason,
    );
  });
});

describe('billing report', () => {
  it.each(BAD_DATES)('refuses start or end %s', async (date, reason) => {
    await expectRefused(
      () => get(`/platform-api/usage/report?start=${date}&end=2026-12-01`),
      'query',
      'start',
      reason,
    );
    await expectRefused(
      () => get(`/platform-api/usage/report?start=2026-11-01&end=${date}`),
      'query',
      'end',
      reason,
    );
  });

  it('refuses a date-time where a date belongs, and names a missing date without INVALID_TIME', async () => {
    await expectRefused(
      () => get('/platform-api/usage/report?start=2026-11-01T00:00:00Z&end=2026-11-30'),
      'query',
      'start',
      'not written YYYY-MM-DD',
    );
    const missing = await get('/platform-api/usage/report?end=2026-11-30');
    expect([missing.status, missing.body.errors]).toEqual([
      400,
      [{ in: 'query', name: 'start', message: expect.stringContaining('is required') }],
    ]);
  });
});

describe('price plans', () => {
  const plan = (validFrom: unknown, validTo?: unknown) => ({
    name: `Plan from ${String(validFrom)}`,
    validFrom,
    ...(validTo === undefined ? {} : { validTo }),
    prices: [{ metric: 'api_call', unitPrice: '0.001' }],
  });

  it.each([...BAD_DATES, ...BAD_INSTANTS])('refuses validity %s and stores nothing', async (bad, reason) => {
    const create = (body: unknown) => () => call(stack, 'POST', '/platform-api/price-plans', { body });
    await expectRefused(create(plan(bad)), 'body', 'validFrom', reason);
    await expectRefused(create(plan('2031-01-01', bad)), 'body', 'validTo', reason);
  });

  it('refuses a number as validity with the same code', async () => {
    await expectRefused(
      () => call(stack, 'POST', '/platform-api/price-plans', { body: plan(20310230) }),
      'body',
      'validFrom',
      'not a string',
    );
  });

  it('leaves a stored plan unchanged when a PATCH moves its validity to an impossible date', async () => {
    const created = await call(stack, 'POST', '/platform-api/price-plans', {
      body: { ...plan('2031-02-01', '2031-03-01'), id: 'feb-2031' },
    });
    expect([created.status, created.body.validFrom, created.body.validTo]).toEqual([
      201,
      '2031-02-01T00:00:00.000Z',
      '2031-03-01T00:00:00.000Z',
    ]);
    const patch = (body: unknown) => () =>
      call(stack, 'PATCH', '/platform-api/price-plans/feb-2031', { body, headers: { 'if-match': '1' } });
    await expectRefused(patch({ validTo: '2031-02-30' }), 'body', 'validTo', '2031-02 has 28 days, not 30');
    await expectRefused(patch({ validFrom: '2031-01-31T24:00:00Z' }), 'body', 'validFrom', 'hour 24');
    const stored = await get('/platform-api/price-plans/feb-2031');
    expect([stored.body.version, stored.body.validFrom, stored.body.validTo]).toEqual([
      1,
      '2031-02-01T00:00:00.000Z',
      '2031-03-01T00:00:00.000Z',
    ]);
  });
});
