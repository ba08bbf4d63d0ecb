import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EXPORT_LIMITS, exportUsage, resolveExportRequest } from '#lib/analytics/usage-cost-export.ts';
import { usageExportJson, usageRowSchema } from '#lib/contracts/usage-cost.ts';
import { PayloadTooLargeError } from '#lib/domain/errors.ts';
import { type LocalStack, readProblem } from '../support/local-stack.ts';
import { parseCsv } from './usage-cost-csv.ts';
import { llm, NOW, startUsageStack } from './usage-cost-fixture.ts';

/** GET /v1/analytics/export on the real local stack, with hand-made events and answers computed by hand. */
const TRICKY = 'Café, "Spécial"'; // a comma, quotes and a non-ASCII letter
let stack: LocalStack;

const EVENTS = [
  llm('E1', '2026-11-10T01:00:00Z', { model: TRICKY, inputTokens: 10, outputTokens: 5, cost: '0.000001' }),
  llm('E2', '2026-11-10T02:00:00Z', { model: TRICKY, cost: '0.1' }),
  {
    id: 'E3',
    time: '2026-11-11T03:00:00Z',
    type: 'api.request',
    endpoint: '/v1/x',
    statusCode: 500,
    bytes: 42,
  },
  // A value a spreadsheet would run as a formula.
  llm('E4', '2026-11-11T04:00:00Z', { model: '=HYPERLINK("http://evil")', cost: '2.333333' }),
];

beforeAll(async () => {
  stack = await startUsageStack(EVENTS);
});
afterAll(() => stack.close());

const DEFAULT_LIMITS = { ...EXPORT_LIMITS };
afterEach(() => Object.assign(EXPORT_LIMITS, DEFAULT_LIMITS));

const WINDOW = 'start_date=2026-11-10&end_date=2026-11-11';
const exportOf = (query: string) =>
  stack.request(`/v1/analytics/export?${query}`, { key: stack.tenant.keys.platform });

describe('GET /v1/analytics/export', () => {
  it('writes CSV by default: grouped by day, every additive metric, cost as a 6-decimal string', async () => {
    const response = await exportOf(WINDOW);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe(
      'attachment; filename="meterhouse-usage-20261110T000000Z-20261112T000000Z.csv"',
    );
    expect(await response.text()).toBe(
      'day,requests,input_tokens,output_tokens,cost,bandwidth,errors\r\n' +
        '2026-11-10T00:00:00Z,2,10,5,0.100001,0,0\r\n' +
        '2026-11-11T00:00:00Z,2,0,0,2.333333,42,1\r\n',
    );
  });

  it('quotes and escapes dimension values, in UTF-8, and parses back', async () => {
    const response = await exportOf(`${WINDOW}&group_by=model&metrics=requests,cost`);
    const bytes = Buffer.from(await response.arrayBuffer());
    const text = bytes.toString('utf8');
    expect(bytes.includes(Buffer.from('é', 'utf8'))).toBe(true);
    expect(text).toContain('"Café, ""Spécial"""');
    expect(parseCsv(text)).toEqual([
      ['model', 'requests', 'cost'],
      ['\'=HYPERLINK("http://evil")', '1', '2.333333'], // formula neutralised with a leading apostrophe
      [TRICKY, '2', '0.100001'],
      ['', '1', '0.000000'], // the api.request: no model
    ]);
  });

  it('writes JSON with money as numbers', async () => {
    const response = await exportOf(`${WINDOW}&group_by=model,day&metrics=requests,tokens,cost&format=json`);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('content-disposition')).toBe(
      'attachment; filename="meterhouse-usage-20261110T000000Z-20261112T000000Z.json"',
    );
    expect(usageExportJson.parse(await response.json())).toEqual({
      data: [
        {
          model: TRICKY,
          day: '2026-11-10T00:00:00Z',
          requests: 2,
          input_tokens: 10,
          output_tokens: 5,
          cost: 0.100001,
        },
        {
          model: '=HYPERLINK("http://evil")',
          day: '2026-11-11T00:00:00Z',
          requests: 1,
          input_tokens: 0,
          output_tokens: 0,
          cost: 2.333333,
        },
        { model: null, day: '2026-11-11T00:00:00Z', requests: 1, input_tokens: 0, output_tokens: 0, cost: 0 },
      ],
    });
  });

  it('writes NDJSON, one row per line', async () => {
    const response = await exportOf(
      `${WINDOW}&group_by=model&metrics=requests,errors,error_rate&format=ndjson`,
    );
    expect(response.headers.get('content-type')).toBe('application/x-ndjson');
    const text = await response.text();
    expect(text.endsWith('\n')).toBe(true);
    const rows = text
      .trimEnd()
      .split('\n')
      .map((line) => usageRowSchema.parse(JSON.parse(line)));
    expect(rows).toEqual([
      // cost orders the rows even when it is not exported
      { model: '=HYPERLINK("http://evil")', requests: 1, errors: 0, error_rate: 0 },
      { model: TRICKY, requests: 2, errors: 0, error_rate: 0 },
      { model: null, requests: 1, errors: 1, error_rate: 1 },
    ]);
  });

  it('writes the header alone for a window without events', async () => {
    const response = await exportOf('start_date=2026-10-01&end_date=2026-10-01&metrics=requests');
    expect(await response.text()).toBe('day,requests\r\n');
    const json = await exportOf('start_date=2026-10-01&end_date=2026-10-01&format=json');
    expect(await json.json()).toEqual({ data: [] });
  });

  it('names the file after a range window', async () => {
    const response = await exportOf('range=30d&format=ndjson');
    expect(response.headers.get('content-disposition')).toBe(
      'attachment; filename="meterhouse-usage-20261016T123000Z-20261115T123000Z.ndjson"',
    );
    expect((await response.text()).trimEnd().split('\n')).toHaveLength(4); // 11-01, 11-02, 11-10, 11-11
  });

  it('runs one query for 2 groups and for 20', async () => {
    stack.queries.count = 0;
    const few = parseCsv(
      await (await exportOf('start_date=2026-11-01&end_date=2026-11-01&group_by=model')).text(),
    );
    expect(stack.queries.count).toBe(1);
    stack.queries.count = 0;
    const many = parseCsv(
      await (await exportOf('start_date=2026-11-02&end_date=2026-11-02&group_by=model')).text(),
    );
    expect(stack.queries.count).toBe(1);
    expect([few.length, many.length]).toEqual([3, 21]);
  });

  it('answers 413 EXPORT_TOO_LARGE past the byte limit', async () => {
    EXPORT_LIMITS.maxBytes = 200;
    const response = await exportOf('start_date=2026-11-02&end_date=2026-11-02&group_by=model');
    const problem = await readProblem(response);
    expect(problem).toMatchObject({ status: 413, code: 'EXPORT_TOO_LARGE', maxBytes: 200 });
    expect(problem.detail).toContain('Narrow the range or group less finely');
  });

  it('answers 413 past the row limit, and 200 exactly at it', async () => {
    EXPORT_LIMITS.maxRows = 19;
    const over = await readProblem(
      await exportOf('start_date=2026-11-02&end_date=2026-11-02&group_by=model'),
    );
    expect(over).toMatchObject({ status: 413, code: 'EXPORT_TOO_LARGE', maxRows: 19 });
    EXPORT_LIMITS.maxRows = 20;
    const at = await exportOf('start_date=2026-11-02&end_date=2026-11-02&group_by=model');
    expect(at.status).toBe(200);
  });

  it('counts the body as the Lambda response encodes it (quotes take two bytes)', async () => {
    const plan = resolveExportRequest(
      {
        start_date: { at: new Date('2026-11-10T00:00:00Z'), dateOnly: true },
        group_by: ['model'],
        metrics: ['requests'],
        format: 'csv',
      },
      NOW,
    );
    const file = await exportUsage(stack.stores.runtime.timeSeries, stack.tenant.tenantId, plan);
    const encoded = Buffer.byteLength(JSON.stringify(file.text)) - 2;
    expect(encoded).toBeGreaterThan(Buffer.byteLength(file.text));
    const limits = { maxRows: 100, maxBytes: encoded };
    await expect(
      exportUsage(stack.stores.runtime.timeSeries, stack.tenant.tenantId, plan, limits),
    ).resolves.toMatchObject({
      text: file.text,
    });
    await expect(
      exportUsage(stack.stores.runtime.timeSeries, stack.tenant.tenantId, plan, {
        ...limits,
        maxBytes: encoded - 1,
      }),
    ).rejects.toBeInstanceOf(PayloadTooLargeError);
  });

  it.each([
    ['format=xml', `${WINDOW}&format=xml`, 'UNKNOWN_FORMAT', 'format'],
    ['an unknown metric', `${WINDOW}&metrics=cost,profit`, 'UNKNOWN_METRIC', 'metrics'],
    ['an unknown group_by', `${WINDOW}&group_by=country`, 'UNKNOWN_GROUP_BY', 'group_by'],
    ['two time grains', `${WINDOW}&group_by=hour,day`, 'MULTIPLE_TIME_GRAINS', 'group_by'],
    ['range=2y', 'range=2y', 'VALIDATION_FAILED', 'range'],
    ['range with dates', `${WINDOW}&range=30d`, 'CONFLICTING_PARAMETERS', 'range'],
    ['end before start', 'start_date=2026-11-11&end_date=2026-11-10', 'INVALID_WINDOW', 'end_date'],
    ['limit (not an export parameter)', `${WINDOW}&limit=5`, 'VALIDATION_FAILED', 'limit'],
  ])('answers 400 naming the parameter for %s', async (_name, query, code, parameter) => {
    const problem = await readProblem(await exportOf(query));
    expect(problem).toMatchObject({ status: 400, code });
    expect(problem.detail).toContain(`'${parameter}'`);
    expect(problem.errors).toEqual([expect.objectContaining({ in: 'query', name: parameter })]);
  });

  it('needs a platform key', async () => {
    expect(
      (await stack.request(`/v1/analytics/export?${WINDOW}`, { key: stack.tenant.keys.ingest })).status,
    ).toBe(403);
  });
});
