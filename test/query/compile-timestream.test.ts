import { describe, expect, it } from 'vitest';
import { compileQuery } from '#lib/query/compile.ts';
import { duckdbDialect, timestreamDialect } from '#lib/query/dialect.ts';
import type { QuerySpec } from '#lib/query/spec.ts';

/**
 * Golden SQL: no machine here reaches Timestream, so these strings are the contract its adapter
 * sends. Each was read line by line against the Timestream query language reference.
 */
const timestream = timestreamDialect('meterhouse', 'events');
const window = { from: new Date('2026-04-18T00:00:00Z'), to: new Date('2026-04-19T00:00:00Z') };
const TABLE_AND_BASE = [
  'FROM "meterhouse"."events"',
  `WHERE "tenant_id" = 'acme' AND "measure_name" = 'usage' AND "time" >= from_iso8601_timestamp('2026-04-18T00:00:00.000Z') AND "time" < from_iso8601_timestamp('2026-04-19T00:00:00.000Z')`,
].join('\n');

const sql = (spec: QuerySpec) => compileQuery(spec, timestream).sql;

describe('Timestream golden SQL', () => {
  it('totals', () => {
    expect(
      sql({
        tenantId: 'acme',
        window,
        measures: [
          { as: 'requests', kind: 'count' },
          { as: 'cost', kind: 'sum', field: 'cost' },
        ],
      }),
    ).toBe(`SELECT count(*) AS "requests", coalesce(sum("cost_micros"), 0) AS "cost"
${TABLE_AND_BASE}`);
  });

  it('group by dimensions and an hourly bin, ordered by bucket by default', () => {
    const compiled = compileQuery(
      {
        tenantId: 'acme',
        window,
        types: ['api.request'],
        groupBy: ['endpoint', 'statusCode'],
        bin: 'hour',
        measures: [
          { as: 'calls', kind: 'count' },
          { as: 'bytes', kind: 'sum', field: 'bytes' },
        ],
      },
      timestream,
    );
    expect(
      compiled.sql,
    ).toBe(`SELECT "endpoint" AS "endpoint", CAST("status_code" AS INTEGER) AS "statusCode", bin("time", 1h) AS "bucket", count(*) AS "calls", coalesce(sum("bytes"), 0) AS "bytes"
${TABLE_AND_BASE} AND "type" IN ('api.request')
GROUP BY "endpoint", CAST("status_code" AS INTEGER), bin("time", 1h)
ORDER BY bin("time", 1h) ASC NULLS LAST, "endpoint" ASC NULLS LAST, CAST("status_code" AS INTEGER) ASC NULLS LAST`);
    expect(compiled.columns).toEqual([
      { name: 'endpoint', kind: 'dimension' },
      { name: 'statusCode', kind: 'dimension' },
      { name: 'bucket', kind: 'bucket' },
      { name: 'calls', kind: 'count' },
      { name: 'bytes', kind: 'integerSum' },
    ]);
  });

  it('percentiles with approx_percentile, ordered by one, with a limit', () => {
    expect(
      sql({
        tenantId: 'acme',
        window,
        groupBy: ['model'],
        measures: [
          { as: 'p50', kind: 'percentile', field: 'latencyMs', p: 0.5 },
          { as: 'p99', kind: 'percentile', field: 'latencyMs', p: 0.99 },
        ],
        orderBy: [{ key: 'p99', direction: 'desc' }],
        limit: 10,
      }),
    ).toBe(`SELECT "model" AS "model", approx_percentile("latency_ms", 0.5) AS "p50", approx_percentile("latency_ms", 0.99) AS "p99"
${TABLE_AND_BASE}
GROUP BY "model"
ORDER BY approx_percentile("latency_ms", 0.99) DESC NULLS LAST, "model" ASC NULLS LAST
LIMIT 10`);
  });

  it('peak TPS: per-second counts in a CTE, each statement with its own tenant and time predicates', () => {
    expect(
      sql({
        tenantId: 'acme',
        window,
        types: ['message'],
        measures: [
          { as: 'total', kind: 'count' },
          { as: 'peakTps', kind: 'peakRate', per: 'second' },
        ],
      }),
    ).toBe(`WITH "agg" AS (
SELECT count(*) AS "total"
${TABLE_AND_BASE} AND "type" IN ('message')
),
"peak_second" AS (
SELECT max("__n") AS "__v"
FROM (
SELECT count(*) AS "__n"
${TABLE_AND_BASE} AND "type" IN ('message')
GROUP BY bin("time", 1s)
) AS "per_second"
)
SELECT "agg"."total" AS "total", coalesce("peak_second"."__v", 0) AS "peakTps"
FROM "agg", "peak_second"`);
  });

  it('grouped peaks join back on the group keys, NULL-safe', () => {
    expect(
      sql({
        tenantId: 'acme',
        window,
        groupBy: ['operatorId'],
        bin: 'day',
        measures: [{ as: 'peakPerMinute', kind: 'peakRate', per: 'minute' }],
      }),
    ).toBe(`WITH "agg" AS (
SELECT "operator_id" AS "operatorId", bin("time", 1d) AS "bucket"
${TABLE_AND_BASE}
GROUP BY "operator_id", bin("time", 1d)
),
"peak_minute" AS (
SELECT "operatorId", "bucket", max("__n") AS "__v"
FROM (
SELECT "operator_id" AS "operatorId", bin("time", 1d) AS "bucket", count(*) AS "__n"
${TABLE_AND_BASE}
GROUP BY "operator_id", bin("time", 1d), bin("time", 1m)
) AS "per_minute"
GROUP BY "operatorId", "bucket"
)
SELECT "agg"."operatorId" AS "operatorId", "agg"."bucket" AS "bucket", coalesce("peak_minute"."__v", 0) AS "peakPerMinute"
FROM "agg"
LEFT JOIN "peak_minute" ON coalesce("agg"."operatorId", '') = coalesce("peak_minute"."operatorId", '') AND ("agg"."operatorId" IS NULL) = ("peak_minute"."operatorId" IS NULL) AND "agg"."bucket" = "peak_minute"."bucket"
ORDER BY "agg"."bucket" ASC NULLS LAST, "agg"."operatorId" ASC NULLS LAST`);
  });

  it('conditional measures with CASE inside the aggregate, and the failure rule in one expression', () => {
    const failed = `(coalesce(CAST("status_code" AS INTEGER), 0) >= 400 OR coalesce("status", '') IN ('FAILED', 'UNDELIVERABLE'))`;
    expect(
      sql({
        tenantId: 'acme',
        window,
        measures: [
          { as: 'failed', kind: 'count', where: { outcome: 'failed' } },
          { as: 'ok', kind: 'count', where: { outcome: 'succeeded' } },
          {
            as: 'deliveredCost',
            kind: 'sum',
            field: 'cost',
            where: { dimension: 'status', op: 'eq', value: 'DELIVERED' },
          },
          { as: 'avgFailedLatency', kind: 'avg', field: 'latencyMs', where: { outcome: 'failed' } },
        ],
      }),
    ).toBe(`SELECT count(CASE WHEN ${failed} THEN 1 END) AS "failed", count(CASE WHEN NOT ${failed} THEN 1 END) AS "ok", coalesce(sum(CASE WHEN "status" = 'DELIVERED' THEN "cost_micros" END), 0) AS "deliveredCost", avg(CASE WHEN ${failed} THEN "latency_ms" END) AS "avgFailedLatency"
${TABLE_AND_BASE}`);
  });

  it('filters: in-lists (status codes as integers), not-equal keeping absent values', () => {
    expect(
      sql({
        tenantId: 'acme',
        window,
        filters: [
          { dimension: 'apiKeyId', op: 'in', values: ['key_1', 'key_2'] },
          { dimension: 'statusCode', op: 'in', values: [500, 503] },
          { dimension: 'accountId', op: 'ne', value: 'acct_9' },
          { dimension: 'projectId', op: 'present' },
        ],
        measures: [{ as: 'n', kind: 'count' }],
      }),
    ).toBe(`SELECT count(*) AS "n"
${TABLE_AND_BASE} AND "api_key_id" IN ('key_1', 'key_2') AND CAST("status_code" AS INTEGER) IN (500, 503) AND ("account_id" IS NULL OR "account_id" <> 'acct_9') AND "project_id" IS NOT NULL`);
  });

  it('filters: status codes in runs of three or more as BETWEENs, the rest as one in-list', () => {
    const fiveHundreds = Array.from({ length: 100 }, (_, i) => 599 - i);
    expect(
      sql({
        tenantId: 'acme',
        window,
        filters: [{ dimension: 'statusCode', op: 'in', values: fiveHundreds }],
        measures: [
          {
            as: 'client',
            kind: 'count',
            where: {
              dimension: 'statusCode',
              op: 'in',
              values: [402, 405, 406, 407, 429, 430, 430, 408, '431'],
            },
          },
        ],
      }),
    ).toBe(`SELECT count(CASE WHEN (CAST("status_code" AS INTEGER) BETWEEN 405 AND 408 OR CAST("status_code" AS INTEGER) BETWEEN 429 AND 431 OR CAST("status_code" AS INTEGER) IN (402)) THEN 1 END) AS "client"
${TABLE_AND_BASE} AND CAST("status_code" AS INTEGER) BETWEEN 500 AND 599`);
  });

  it("escapes a value with ', -- and ; as one string literal, tenant included", () => {
    expect(
      sql({
        tenantId: "acme'--",
        window,
        filters: [{ dimension: 'endpoint', op: 'eq', value: "/v1/x'; DROP TABLE events; --" }],
        measures: [{ as: 'n', kind: 'count' }],
      }),
    ).toBe(`SELECT count(*) AS "n"
FROM "meterhouse"."events"
WHERE "tenant_id" = 'acme''--' AND "measure_name" = 'usage' AND "time" >= from_iso8601_timestamp('2026-04-18T00:00:00.000Z') AND "time" < from_iso8601_timestamp('2026-04-19T00:00:00.000Z') AND "endpoint" = '/v1/x''; DROP TABLE events; --'`);
  });

  it('offset pages with row_number(), since Timestream documents no OFFSET', () => {
    expect(
      sql({
        tenantId: 'acme',
        window,
        groupBy: ['apiKeyId'],
        measures: [{ as: 'calls', kind: 'count' }],
        orderBy: [{ key: 'calls', direction: 'desc' }],
        limit: 20,
        offset: 40,
      }),
    ).toBe(`SELECT "apiKeyId", "calls"
FROM (
SELECT "api_key_id" AS "apiKeyId", count(*) AS "calls", row_number() OVER (ORDER BY count(*) DESC NULLS LAST, "api_key_id" ASC NULLS LAST) AS "__rn"
${TABLE_AND_BASE}
GROUP BY "api_key_id"
) AS "paged"
WHERE "__rn" > 40 AND "__rn" <= 60
ORDER BY "__rn"`);
  });

  it('bins: bin() up to a day, date_trunc for ISO week and month', () => {
    const binOf = (bin: QuerySpec['bin']) =>
      compileQuery(
        { tenantId: 'acme', window, bin, measures: [{ as: 'n', kind: 'count' }] },
        timestream,
      ).sql.split('\n')[0];
    expect(binOf('second')).toBe('SELECT bin("time", 1s) AS "bucket", count(*) AS "n"');
    expect(binOf('minute')).toBe('SELECT bin("time", 1m) AS "bucket", count(*) AS "n"');
    expect(binOf('5m')).toBe('SELECT bin("time", 5m) AS "bucket", count(*) AS "n"');
    expect(binOf('day')).toBe('SELECT bin("time", 1d) AS "bucket", count(*) AS "n"');
    expect(binOf('week')).toBe(`SELECT date_trunc('week', "time") AS "bucket", count(*) AS "n"`);
    expect(binOf('month')).toBe(`SELECT date_trunc('month', "time") AS "bucket", count(*) AS "n"`);
  });
});

describe('DuckDB differs only in the dialect table', () => {
  it('table, TIMESTAMP literals, time_bucket/date_trunc, quantile_cont, integer status_code', () => {
    expect(
      compileQuery(
        {
          tenantId: 'acme',
          window,
          groupBy: ['statusCode'],
          bin: '5m',
          measures: [{ as: 'p95', kind: 'percentile', field: 'latencyMs', p: 0.95 }],
        },
        duckdbDialect(),
      ).sql,
    ).toBe(`SELECT "status_code" AS "statusCode", time_bucket(INTERVAL '5 minutes', "time") AS "bucket", quantile_cont("latency_ms", 0.95) AS "p95"
FROM "events"
WHERE "tenant_id" = 'acme' AND "time" >= TIMESTAMP '2026-04-18 00:00:00.000' AND "time" < TIMESTAMP '2026-04-19 00:00:00.000'
GROUP BY "status_code", time_bucket(INTERVAL '5 minutes', "time")
ORDER BY time_bucket(INTERVAL '5 minutes', "time") ASC NULLS LAST, "status_code" ASC NULLS LAST`);
  });
});
