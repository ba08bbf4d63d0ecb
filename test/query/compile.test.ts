import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '#lib/domain/errors.ts';
import { type CompiledQuery, compileQuery, shapeRows } from '#lib/query/compile.ts';
import { duckdbDialect, timestreamDialect } from '#lib/query/dialect.ts';
import type { QuerySpec } from '#lib/query/spec.ts';
import { specArb } from '#test/support/query-arbitraries.ts';

const timestream = timestreamDialect('meterhouse', 'events');
const window = { from: new Date('2026-04-18T00:00:00Z'), to: new Date('2026-04-19T00:00:00Z') };
const base: QuerySpec = { tenantId: 'acme', window, measures: [{ as: 'n', kind: 'count' }] };

function rejects(spec: QuerySpec, message: RegExp): void {
  let thrown: unknown;
  try {
    compileQuery(spec, timestream);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(ValidationError);
  expect((thrown as ValidationError).code).toBe('INVALID_QUERY');
  expect((thrown as Error).message).toMatch(message);
}

describe('every statement is scoped to the tenant and the window', () => {
  it('for random specs, each read of the table carries tenant_id = … and time >= from AND time < to', () => {
    fc.assert(
      fc.property(specArb("ten'ant"), (spec) => {
        const { sql } = compileQuery(spec, timestream);
        const reads = sql.split('FROM "meterhouse"."events"').length - 1;
        const from = spec.window.from.toISOString();
        const to = spec.window.to.toISOString();
        const scoped =
          `FROM "meterhouse"."events"\nWHERE "tenant_id" = 'ten''ant' AND "measure_name" = 'usage' AND ` +
          `"time" >= from_iso8601_timestamp('${from}') AND "time" < from_iso8601_timestamp('${to}')`;
        expect(reads).toBeGreaterThan(0);
        expect(sql.split(scoped).length - 1).toBe(reads);
        // No other table, no second statement.
        expect(sql.match(/\bFROM "(?!agg"|peak_|meterhouse")/g)).toBeNull();
        expect(sql).not.toMatch(/;\s*$/);
      }),
      { numRuns: 200 },
    );
  });
});

describe('spec validation (ValidationError INVALID_QUERY)', () => {
  it('refuses order keys that are not group-by dimensions, bucket or measure aliases', () => {
    rejects({ ...base, orderBy: [{ key: 'operatorId', direction: 'asc' }] }, /cannot order by "operatorId"/);
    rejects({ ...base, orderBy: [{ key: 'bucket', direction: 'asc' }] }, /cannot order by "bucket"/);
    rejects({ ...base, orderBy: [{ key: 'n); DROP', direction: 'asc' }] }, /cannot order by/);
    rejects({ ...base, orderBy: [{ key: 'n', direction: 'sideways' as 'asc' }] }, /unknown direction/);
    expect(() =>
      compileQuery(
        {
          ...base,
          groupBy: ['operatorId'],
          bin: 'day',
          orderBy: [
            { key: 'bucket', direction: 'desc' },
            { key: 'operatorId', direction: 'asc' },
            { key: 'n', direction: 'desc' },
          ],
        },
        timestream,
      ),
    ).not.toThrow();
  });

  it('refuses bad windows, tenants, aliases and measures', () => {
    rejects({ ...base, window: { from: window.to, to: window.from } }, /from must be before/);
    rejects({ ...base, window: { from: new Date(Number.NaN), to: window.to } }, /valid from and to/);
    rejects({ ...base, tenantId: '' }, /tenant/);
    rejects({ ...base, measures: [] }, /at least one measure/);
    rejects({ ...base, measures: [{ as: 'bad alias', kind: 'count' }] }, /alias/);
    rejects({ ...base, measures: [{ as: '__rn', kind: 'count' }] }, /alias/);
    rejects(
      {
        ...base,
        measures: [
          { as: 'n', kind: 'count' },
          { as: 'N', kind: 'count' },
        ],
      },
      /used twice/,
    );
    rejects({ ...base, groupBy: ['model'], measures: [{ as: 'model', kind: 'count' }] }, /used twice/);
    rejects(
      { ...base, measures: [{ as: 'p', kind: 'percentile', field: 'latencyMs', p: 1 }] },
      /p in \(0, 1\)/,
    );
    rejects(
      { ...base, measures: [{ as: 's', kind: 'sum', field: 'price' as 'cost' }] },
      /unknown measure field/,
    );
    rejects({ ...base, groupBy: ['color' as 'model'] }, /unknown dimension/);
    rejects({ ...base, types: [] }, /at least one event type/);
    rejects({ ...base, types: ['custom' as 'message'] }, /unknown event type/);
  });

  it('refuses a peak per unit wider than the bin', () => {
    rejects(
      { ...base, bin: 'minute', measures: [{ as: 'p', kind: 'peakRate', per: 'hour' }] },
      /wider than the minute bin/,
    );
    expect(() =>
      compileQuery(
        { ...base, bin: 'month', measures: [{ as: 'p', kind: 'peakRate', per: 'day' }] },
        timestream,
      ),
    ).not.toThrow();
  });

  it('refuses malformed conditions instead of writing them into SQL', () => {
    rejects({ ...base, filters: [{ dimension: 'model', op: 'in', values: [] }] }, /at least one value/);
    rejects({ ...base, filters: [{ dimension: 'statusCode', op: 'eq', value: '500 OR 1=1' }] }, /integer/);
    rejects({ ...base, filters: [{ dimension: 'statusCode', op: 'eq', value: 1.5 }] }, /integer/);
    rejects(
      { ...base, filters: [{ dimension: 'model' as 'statusCode', op: 'gte', value: 3 }] },
      /statusCode only/,
    );
    rejects(
      { ...base, filters: [{ dimension: 'model', op: 'like' as 'eq', value: '%' }] },
      /unknown condition operator/,
    );
    rejects({ ...base, filters: [{ dimension: 'model', op: 'eq', value: 'a\u0000b' }] }, /control character/);
  });

  it('refuses limits and offsets that are not small non-negative integers', () => {
    rejects({ ...base, limit: 0 }, /limit/);
    rejects({ ...base, limit: 1.5 }, /limit/);
    rejects({ ...base, limit: 1_000_000 }, /limit/);
    rejects({ ...base, offset: -1 }, /offset/);
  });

  it('accepts a numeric string for statusCode and a number for a string dimension, as literals', () => {
    const { sql } = compileQuery(
      {
        ...base,
        filters: [
          { dimension: 'statusCode', op: 'eq', value: '404' },
          { dimension: 'accountId', op: 'eq', value: 42 },
        ],
      },
      duckdbDialect(),
    );
    expect(sql).toContain(`"status_code" = 404 AND "account_id" = '42'`);
  });
});

describe('shapeRows', () => {
  const compiled: CompiledQuery = {
    sql: '',
    columns: [
      { name: 'operatorId', kind: 'dimension' },
      { name: 'statusCode', kind: 'dimension' },
      { name: 'bucket', kind: 'bucket' },
      { name: 'calls', kind: 'count' },
      { name: 'bytes', kind: 'integerSum' },
      { name: 'cost', kind: 'micros' },
      { name: 'p95', kind: 'number' },
      { name: 'lastAt', kind: 'time' },
    ],
  };

  it('normalizes DuckDB values: BIGINT counts to numbers, HUGEINT sums stay bigint', () => {
    expect(
      shapeRows(compiled, [
        {
          operatorId: 'op',
          statusCode: 500,
          bucket: new Date('2026-04-18T10:00:00Z'),
          calls: 3n,
          bytes: 12_345_678_901_234_567_890n,
          cost: 14_000n,
          p95: 4800,
          lastAt: new Date('2026-04-18T10:59:00Z'),
        },
      ]),
    ).toEqual([
      {
        operatorId: 'op',
        statusCode: 500,
        bucket: new Date('2026-04-18T10:00:00Z'),
        calls: 3,
        bytes: 12_345_678_901_234_567_890n,
        cost: 14_000n,
        p95: 4800,
        lastAt: new Date('2026-04-18T10:59:00Z'),
      },
    ]);
  });

  it('normalizes Timestream-style strings, lower-cased column names and NULLs', () => {
    expect(
      shapeRows(compiled, [
        {
          operatorid: null,
          statuscode: '404',
          bucket: '2026-04-18 10:00:00.000000000',
          calls: '7',
          bytes: '9007199254740993',
          cost: '1000001',
          p95: '12.5',
          lastat: null,
        },
      ]),
    ).toEqual([
      {
        operatorId: null,
        statusCode: 404,
        bucket: new Date('2026-04-18T10:00:00Z'),
        calls: 7,
        bytes: 9_007_199_254_740_993n,
        cost: 1_000_001n,
        p95: 12.5,
        lastAt: null,
      },
    ]);
  });

  it('throws on a value that cannot be what the column says', () => {
    expect(() => shapeRows(compiled, [{ calls: 'many' }])).toThrow(/calls/);
    expect(() => shapeRows(compiled, [{ cost: 1.5 }])).toThrow(/cost/);
    expect(() => shapeRows(compiled, [{ bucket: 'yesterday' }])).toThrow(/bucket/);
  });
});

describe('allOf and conditional percentiles', () => {
  it('writes allOf as a conjunction, also inside a percentile, and refuses an empty one', () => {
    const request = { dimension: 'type', op: 'in', values: ['api.request', 'message'] } as const;
    const { sql } = compileQuery(
      {
        ...base,
        measures: [
          { as: 'errors', kind: 'count', where: { allOf: [request, { outcome: 'failed' }] } },
          { as: 'p99', kind: 'percentile', field: 'latencyMs', p: 0.99, where: request },
        ],
      },
      duckdbDialect(),
    );
    expect(sql).toContain(
      `count(CASE WHEN ("type" IN ('api.request', 'message') AND (coalesce("status_code", 0) >= 400 OR coalesce("status", '') IN ('FAILED', 'UNDELIVERABLE'))) THEN 1 END) AS "errors"`,
    );
    expect(sql).toContain(
      `quantile_cont(CASE WHEN "type" IN ('api.request', 'message') THEN "latency_ms" END, 0.99) AS "p99"`,
    );
    rejects({ ...base, measures: [{ as: 'n', kind: 'count', where: { allOf: [] } }] }, /allOf/);
  });
});
