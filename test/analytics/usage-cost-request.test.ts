import { describe, expect, it } from 'vitest';
import { resolveUsageRequest, resolveUsageWindow, usageRowsSpec } from '#lib/analytics/usage-cost.ts';
import { writeExportBody } from '#lib/analytics/usage-cost-export.ts';
import { changePct } from '#lib/analytics/usage-cost-overview.ts';
import { dateOrInstantWithKindParam as dateParam } from '#lib/contracts/calendar.ts';
import { usageQueryParams } from '#lib/contracts/usage-cost.ts';
import { PayloadTooLargeError, ValidationError } from '#lib/domain/errors.ts';
import { parseCsv } from './usage-cost-csv.ts';

/** Unit tests of the pure parts: parameter resolution, the export writer, % change. */
const NOW = new Date('2026-11-15T12:30:00Z');
const date = (value: string) => dateParam.parse(value);

describe('resolveUsageWindow', () => {
  it('reads plain dates as whole UTC days, end_date inclusive: 06-01..06-07 is 7 days', () => {
    const window = resolveUsageWindow(
      { start_date: date('2025-06-01'), end_date: date('2025-06-07') },
      NOW,
      'query',
    );
    expect(window).toEqual({ from: new Date('2025-06-01T00:00:00Z'), to: new Date('2025-06-08T00:00:00Z') });
  });

  it('reads date-times as instants, end exclusive, offsets applied', () => {
    const window = resolveUsageWindow(
      { start_date: date('2026-11-10T10:00:00+02:00'), end_date: date('2026-11-10T12:00:00Z') },
      NOW,
      'query',
    );
    expect(window).toEqual({ from: new Date('2026-11-10T08:00:00Z'), to: new Date('2026-11-10T12:00:00Z') });
  });

  it('defaults to 7 days ending now; start alone runs until now; end alone covers the 7 days before it', () => {
    expect(resolveUsageWindow({}, NOW, 'query')).toEqual({ from: new Date('2026-11-08T12:30:00Z'), to: NOW });
    expect(resolveUsageWindow({ range: '1h' }, NOW, 'query')).toEqual({
      from: new Date('2026-11-15T11:30:00Z'),
      to: NOW,
    });
    expect(resolveUsageWindow({ start_date: date('2026-11-15') }, NOW, 'query')).toEqual({
      from: new Date('2026-11-15T00:00:00Z'),
      to: NOW,
    });
    expect(resolveUsageWindow({ end_date: date('2026-11-10') }, NOW, 'query')).toEqual({
      from: new Date('2026-11-04T00:00:00Z'),
      to: new Date('2026-11-11T00:00:00Z'),
    });
  });

  it('refuses range with dates, and windows that are empty or over 90 days, naming the parameter', () => {
    const codeOf = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        if (error instanceof ValidationError) return [error.code, error.extensions.parameter];
      }
      return undefined;
    };
    expect(
      codeOf(() => resolveUsageWindow({ range: '7d', end_date: date('2026-11-10') }, NOW, 'body')),
    ).toEqual(['CONFLICTING_PARAMETERS', 'range']);
    expect(
      codeOf(() =>
        resolveUsageWindow({ start_date: date('2026-11-10'), end_date: date('2026-11-09') }, NOW, 'query'),
      ),
    ).toEqual(['INVALID_WINDOW', 'end_date']);
    expect(
      codeOf(() =>
        resolveUsageWindow({ start_date: date('2026-06-01'), end_date: date('2026-08-30') }, NOW, 'query'),
      ),
    ).toEqual(['INVALID_WINDOW', 'start_date']);
    expect(
      resolveUsageWindow({ start_date: date('2026-06-01'), end_date: date('2026-08-29') }, NOW, 'query').to,
    ).toEqual(new Date('2026-08-30T00:00:00Z'));
  });

  it('refuses dates that are not calendar dates', () => {
    for (const bad of [
      '2026-02-29',
      '2026-04-31',
      '2026-13-01',
      '2026-11-10T24:30:00Z',
      '2026-11-10T10:00:00',
      '11/10/2026',
    ]) {
      expect(dateParam.safeParse(bad).success, bad).toBe(false);
    }
    expect(dateParam.safeParse('2028-02-29').success).toBe(true);
  });
});

describe('resolveUsageRequest', () => {
  it('splits comma-separated lists, drops duplicates and maps group_by to dimensions and a bin', () => {
    const query = usageQueryParams.parse({
      group_by: 'model, project,model,day',
      metrics: 'cost,tokens,input_tokens',
    });
    const plan = resolveUsageRequest(query, NOW, 'query');
    expect(plan.groups).toEqual(['model', 'project', 'day']);
    expect(plan.metrics).toEqual(['cost', 'tokens', 'input_tokens']);
    expect(plan.columns).toEqual(['cost', 'input_tokens', 'output_tokens']);
    const spec = usageRowsSpec('ten_1', plan);
    expect(spec).toMatchObject({
      groupBy: ['model', 'projectId'],
      bin: 'day',
      orderBy: [
        { key: 'bucket', direction: 'asc' },
        { key: 'cost', direction: 'desc' },
        { key: 'requests', direction: 'desc' },
      ],
      limit: 10_000,
    });
    expect(spec.types).toBeUndefined(); // every event type is a request
  });
});

describe('writeExportBody', () => {
  const plan = {
    ...resolveUsageRequest(
      { group_by: ['model'], metrics: ['requests', 'cost', 'latency_p99'] },
      NOW,
      'query',
    ),
    format: 'csv' as const,
  };
  const rows = [
    { model: 'line one\nline "two", three', events: 3, requests: 3, cost: 1_000_001n, latencyP99: 12.4 },
    { model: '-1+1', events: 1, requests: 1, cost: 0n, latencyP99: null },
  ];

  it('writes RFC 4180 CSV that parses back, with line breaks inside quoted fields', async () => {
    const text = await writeExportBody(plan, rows);
    expect(text).toBe(
      'model,requests,cost,latency_p99\r\n"line one\nline ""two"", three",3,1.000001,12\r\n\'-1+1,1,0.000000,\r\n',
    );
    expect(parseCsv(text)).toEqual([
      ['model', 'requests', 'cost', 'latency_p99'],
      ['line one\nline "two", three', '3', '1.000001', '12'],
      ["'-1+1", '1', '0.000000', ''],
    ]);
  });

  it('writes JSON and NDJSON with cost as a number and nulls kept', async () => {
    const json = JSON.parse(await writeExportBody({ ...plan, format: 'json' }, rows));
    expect(json).toEqual({
      data: [
        { model: 'line one\nline "two", three', requests: 3, cost: 1.000001, latency_p99: 12 },
        { model: '-1+1', requests: 1, cost: 0, latency_p99: null },
      ],
    });
    const lines = (await writeExportBody({ ...plan, format: 'ndjson' }, rows)).split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('');
    expect(lines.slice(0, 2).map((line) => JSON.parse(line))).toEqual(json.data);
  });

  it('stops past the byte limit with EXPORT_TOO_LARGE', async () => {
    const many = Array.from({ length: 1000 }, (_, i) => ({
      model: `m${i}`,
      events: 1,
      requests: 1,
      cost: 1n,
      latencyP99: 1,
    }));
    const error = await writeExportBody(plan, many, { maxBytes: 1024, maxRows: 10_000 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PayloadTooLargeError);
    expect(error).toMatchObject({ code: 'EXPORT_TOO_LARGE', status: 413 });
  });
});

describe('changePct', () => {
  it('is the % change with 1 decimal, null without a previous value', () => {
    expect(changePct(115, 100)).toBe(15);
    expect(changePct(2, 3)).toBe(-33.3);
    expect(changePct(4_100_001n, 2_000_000n)).toBe(105); // +105.00005 %
    expect(changePct(5, 0)).toBeNull();
    expect(changePct(0n, 0n)).toBeNull();
    expect(changePct(null, 10)).toBeNull();
    expect(changePct(0, 10)).toBe(-100);
  });
});
