import { ValidationError } from '../domain/errors.ts';
import {
  type Dimension,
  EVENT_TYPES,
  FAILURE_RULE,
  INTEGER_MEASURES,
  type Measure,
} from '../domain/events.ts';
import { DIMENSION_COLUMNS, MEASURE_COLUMNS, TENANT_COLUMN } from './columns.ts';
import { type Dialect, TIME } from './dialect.ts';
import type { Condition, MeasureSpec, QueryRow, QuerySpec, QueryValue, TimeBin } from './spec.ts';
import { numberLiteral, quoteIdentifier, stringLiteral } from './sql.ts';

/**
 * One compiler for both time-series dialects: a QuerySpec becomes ONE SQL statement, and the
 * driver's rows become QueryRows (shapeRows). The dialect supplies only what differs (table,
 * timestamp literal, time bins, percentile, how a dimension reads); see dialect.ts.
 *
 * Every SELECT that reads the events table carries the tenant predicate and the time predicate
 * on the raw `time` column (`time >= from AND time < to`). Conditional measures use
 * `CASE WHEN … END` inside the aggregate rather than `FILTER (WHERE …)`, which Timestream does not
 * document. `peakRate` counts events per `per` bucket in a CTE and takes the max per group; the
 * CTE is joined back on the group keys with a NULL-safe equality written as coalesce + IS NULL
 * (Timestream documents no `IS NOT DISTINCT FROM`). `offset` pages with row_number(), since
 * Timestream documents LIMIT but no OFFSET.
 */

export type ColumnKind = 'dimension' | 'bucket' | 'count' | 'integerSum' | 'micros' | 'number' | 'time';

export interface CompiledQuery {
  sql: string;
  /** Output columns in SELECT order; `name` is the QueryRow key (and the SQL alias). */
  columns: { name: string; kind: ColumnKind }[];
}

const INVALID_QUERY = 'INVALID_QUERY';
const MAX_LIMIT = 100_000;
/** Measure aliases: a letter first, so they never collide with the compiler's `__` names. */
const ALIAS = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

/** Width of each bin, to refuse a peakRate `per` wider than the rows' own bin. */
const BIN_ORDER: readonly TimeBin[] = ['second', 'minute', '5m', 'hour', 'day', 'week', 'month'];
const PEAK_PERS = ['second', 'minute', 'hour', 'day'] as const;
type PeakPer = (typeof PEAK_PERS)[number];

const q = quoteIdentifier;

function invalid(detail: string): never {
  throw new ValidationError(INVALID_QUERY, detail);
}

function isDimension(value: unknown): value is Dimension {
  return typeof value === 'string' && Object.hasOwn(DIMENSION_COLUMNS, value);
}

function isMeasure(value: unknown): value is Measure {
  return typeof value === 'string' && Object.hasOwn(MEASURE_COLUMNS, value);
}

function assertDimension(value: unknown): asserts value is Dimension {
  if (!isDimension(value)) invalid(`unknown dimension ${JSON.stringify(value)}`);
}

function assertMeasure(value: unknown): asserts value is Measure {
  if (!isMeasure(value)) invalid(`unknown measure field ${JSON.stringify(value)}`);
}

/**
 * The domain's failure rule (FAILURE_RULE, the data isFailure reads too), in SQL; never NULL, so
 * `NOT` of it is exactly "succeeded".
 */
export function failedSql(dialect: Dialect): string {
  const statusCode = dialect.dimension('statusCode');
  const status = dialect.dimension('status');
  const statuses = FAILURE_RULE.failedStatuses.map(stringLiteral).join(', ');
  return `(coalesce(${statusCode}, 0) >= ${numberLiteral(FAILURE_RULE.minStatusCode)} OR coalesce(${status}, '') IN (${statuses}))`;
}

/** A status code compared with: an integer, or a string of one. */
function statusCodeValue(value: unknown): number {
  const code = typeof value === 'string' && /^-?\d{1,9}$/.test(value) ? Number(value) : value;
  if (typeof code !== 'number' || !Number.isSafeInteger(code)) {
    invalid(`statusCode must be compared with an integer, not ${JSON.stringify(value)}`);
  }
  return code;
}

function valueLiteral(dimension: Dimension, value: unknown): string {
  if (dimension === 'statusCode') return numberLiteral(statusCodeValue(value));
  if (typeof value === 'number' && Number.isFinite(value)) return stringLiteral(String(value));
  if (typeof value !== 'string') invalid(`${dimension} must be compared with a string`);
  return stringLiteral(value);
}

/** Consecutive codes from which an in-list becomes a BETWEEN. */
const MIN_STATUS_CODE_RANGE = 3;

/**
 * statusCode IN (…), with every run of MIN_STATUS_CODE_RANGE or more consecutive codes as one
 * BETWEEN: "any 5xx" is 100 codes, and DuckDB compared a row with a 100-value list about twice as
 * slowly as with a range (the developer-usage totals: 131 ms against 62 ms on 1M events). NULL
 * stays NULL either way, so the rewrite also holds under NOT.
 */
function statusCodeInSql(column: string, values: readonly unknown[]): string {
  const codes = [...new Set(values.map(statusCodeValue))].sort((a, b) => a - b);
  const singles: number[] = [];
  const ranges: [number, number][] = [];
  for (let start = 0; start < codes.length; ) {
    let end = start;
    while (end + 1 < codes.length && codes[end + 1] === (codes[end] as number) + 1) end++;
    if (end - start + 1 >= MIN_STATUS_CODE_RANGE) ranges.push([codes[start] as number, codes[end] as number]);
    else singles.push(...codes.slice(start, end + 1));
    start = end + 1;
  }
  const parts = ranges.map(
    ([from, to]) => `${column} BETWEEN ${numberLiteral(from)} AND ${numberLiteral(to)}`,
  );
  if (singles.length > 0) parts.push(`${column} IN (${singles.map(numberLiteral).join(', ')})`);
  return parts.length === 1 ? (parts[0] as string) : `(${parts.join(' OR ')})`;
}

export function conditionSql(condition: Condition, dialect: Dialect): string {
  if ('outcome' in condition) {
    if (condition.outcome === 'failed') return failedSql(dialect);
    if (condition.outcome === 'succeeded') return `NOT ${failedSql(dialect)}`;
    return invalid(`unknown outcome ${JSON.stringify(condition.outcome)}`);
  }
  if ('allOf' in condition) {
    if (!Array.isArray(condition.allOf) || condition.allOf.length === 0) {
      invalid('"allOf" needs at least one condition');
    }
    return `(${condition.allOf.map((part) => conditionSql(part, dialect)).join(' AND ')})`;
  }
  assertDimension(condition.dimension);
  const column = dialect.dimension(condition.dimension);
  switch (condition.op) {
    case 'eq':
      return `${column} = ${valueLiteral(condition.dimension, condition.value)}`;
    case 'ne':
      // An event without the dimension is "not equal" to any value.
      return `(${column} IS NULL OR ${column} <> ${valueLiteral(condition.dimension, condition.value)})`;
    case 'in': {
      if (!Array.isArray(condition.values) || condition.values.length === 0) {
        invalid(`"in" on ${condition.dimension} needs at least one value`);
      }
      if (condition.dimension === 'statusCode') return statusCodeInSql(column, condition.values);
      const values = [...new Set(condition.values.map((v) => valueLiteral(condition.dimension, v)))];
      return `${column} IN (${values.join(', ')})`;
    }
    case 'present':
      return `${column} IS NOT NULL`;
    case 'absent':
      return `${column} IS NULL`;
    case 'gte':
    case 'lt': {
      const { op, value } = condition;
      // Typed as statusCode only, but specs can be built from untyped input.
      if ((condition.dimension as Dimension) !== 'statusCode') invalid(`"${op}" applies to statusCode only`);
      return `${column} ${op === 'gte' ? '>=' : '<'} ${valueLiteral('statusCode', value)}`;
    }
    default:
      return invalid(`unknown condition operator ${JSON.stringify((condition as { op?: unknown }).op)}`);
  }
}

interface Key {
  name: string;
  expression: string;
  kind: 'dimension' | 'bucket';
  /** Fill value for the NULL-safe join; null for keys that are never NULL. */
  nullFill: string | null;
}

interface Aggregate {
  as: string;
  expression: string;
  kind: ColumnKind;
}

interface Peak {
  as: string;
  per: PeakPer;
}

function measureField(field: unknown): string {
  assertMeasure(field);
  return q(MEASURE_COLUMNS[field]);
}

/** A measure's column, or only its values on events matching `where` (NULL elsewhere, which aggregates skip). */
function measureArgument(field: Measure, where: Condition | undefined, dialect: Dialect): string {
  const column = measureField(field);
  return where ? `CASE WHEN ${conditionSql(where, dialect)} THEN ${column} END` : column;
}

function sumKind(field: Measure): ColumnKind {
  if (field === 'cost') return 'micros';
  return (INTEGER_MEASURES as readonly string[]).includes(field) ? 'integerSum' : 'number';
}

function aggregate(measure: MeasureSpec, dialect: Dialect): Aggregate | Peak {
  const { as } = measure;
  switch (measure.kind) {
    case 'count':
      return {
        as,
        kind: 'count',
        expression: measure.where
          ? `count(CASE WHEN ${conditionSql(measure.where, dialect)} THEN 1 END)`
          : 'count(*)',
      };
    case 'sum':
    case 'avg':
    case 'min':
    case 'max': {
      const argument = measureArgument(measure.field, measure.where, dialect);
      if (measure.kind === 'sum') {
        // A sum over no values is 0, not NULL; integer sums stay integers (DuckDB HUGEINT,
        // Timestream BIGINT) and are read back as bigint.
        return { as, kind: sumKind(measure.field), expression: `coalesce(sum(${argument}), 0)` };
      }
      return { as, kind: 'number', expression: `${measure.kind}(${argument})` };
    }
    case 'percentile': {
      const { p } = measure;
      if (typeof p !== 'number' || !Number.isFinite(p) || p <= 0 || p >= 1) {
        invalid(`percentile ${as} needs p in (0, 1)`);
      }
      const argument = measureArgument(measure.field, measure.where, dialect);
      return { as, kind: 'number', expression: dialect.percentile(argument, p) };
    }
    case 'distinctCount':
      assertDimension(measure.dimension);
      return { as, kind: 'count', expression: `count(DISTINCT ${dialect.dimension(measure.dimension)})` };
    case 'peakRate':
      if (!(PEAK_PERS as readonly string[]).includes(measure.per)) {
        invalid(`peakRate ${as} has an unknown per ${JSON.stringify(measure.per)}`);
      }
      return { as, per: measure.per };
    case 'lastTime':
      return { as, kind: 'time', expression: `max(${TIME})` };
    default:
      return invalid(`unknown measure kind ${JSON.stringify((measure as { kind?: unknown }).kind)}`);
  }
}

function validateWindow(spec: QuerySpec): void {
  const { from, to } = spec.window ?? {};
  if (
    !(from instanceof Date) ||
    !(to instanceof Date) ||
    Number.isNaN(from.getTime()) ||
    Number.isNaN(to.getTime())
  ) {
    invalid('the window needs a valid from and to');
  }
  if (from.getTime() >= to.getTime()) invalid("the window's from must be before its to");
}

function keysOf(spec: QuerySpec, dialect: Dialect): Key[] {
  const keys: Key[] = [];
  const seen = new Set<string>();
  for (const dimension of spec.groupBy ?? []) {
    assertDimension(dimension);
    if (seen.has(dimension)) invalid(`groupBy lists ${dimension} twice`);
    seen.add(dimension);
    keys.push({
      name: dimension,
      expression: dialect.dimension(dimension),
      kind: 'dimension',
      nullFill: dimension === 'statusCode' ? '0' : "''",
    });
  }
  if (spec.bin !== undefined) {
    if (!BIN_ORDER.includes(spec.bin)) invalid(`unknown bin ${JSON.stringify(spec.bin)}`);
    keys.push({ name: 'bucket', expression: dialect.bin(spec.bin), kind: 'bucket', nullFill: null });
  }
  return keys;
}

function basePredicates(spec: QuerySpec, dialect: Dialect): string {
  if (typeof spec.tenantId !== 'string' || spec.tenantId.length === 0) invalid('a query needs a tenant');
  const predicates = [
    `${q(TENANT_COLUMN)} = ${stringLiteral(spec.tenantId)}`,
    ...dialect.extraPredicates,
    `${TIME} >= ${dialect.timestamp(spec.window.from)}`,
    `${TIME} < ${dialect.timestamp(spec.window.to)}`,
  ];
  if (spec.types !== undefined) {
    if (spec.types.length === 0) invalid('types, when given, must list at least one event type');
    for (const type of spec.types) {
      if (!(EVENT_TYPES as readonly string[]).includes(type))
        invalid(`unknown event type ${JSON.stringify(type)}`);
    }
    const types = [...new Set(spec.types)].map(stringLiteral).join(', ');
    predicates.push(`${q(DIMENSION_COLUMNS.type)} IN (${types})`);
  }
  for (const filter of spec.filters ?? []) predicates.push(conditionSql(filter, dialect));
  return predicates.join(' AND ');
}

function validatePaging(spec: QuerySpec): { limit?: number; offset: number } {
  const { limit, offset = 0 } = spec;
  if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_LIMIT)) {
    invalid(`limit must be an integer from 1 to ${MAX_LIMIT}`);
  }
  if (!Number.isSafeInteger(offset) || offset < 0) invalid('offset must be a non-negative integer');
  return limit === undefined ? { offset } : { limit, offset };
}

/**
 * ORDER BY, as expressions of the final SELECT (not output aliases, which some engines resolve
 * against input columns first). The requested keys come first; the remaining group keys follow
 * as tie-breakers, so pages are stable. With a bin and no orderBy, rows go by bucket.
 */
function orderBy(spec: QuerySpec, keys: readonly Key[], expressions: ReadonlyMap<string, string>): string[] {
  const order: string[] = [];
  const used = new Set<string>();
  for (const item of spec.orderBy ?? []) {
    const expression = expressions.get(item.key);
    if (expression === undefined) {
      invalid(
        `cannot order by ${JSON.stringify(item.key)}: not a group-by dimension, bucket or measure alias`,
      );
    }
    if (item.direction !== 'asc' && item.direction !== 'desc') invalid(`unknown direction for ${item.key}`);
    if (used.has(item.key)) invalid(`orderBy lists ${item.key} twice`);
    used.add(item.key);
    order.push(`${expression} ${item.direction === 'asc' ? 'ASC' : 'DESC'} NULLS LAST`);
  }
  const tieBreakers = [
    ...keys.filter((k) => k.kind === 'bucket'),
    ...keys.filter((k) => k.kind === 'dimension'),
  ];
  for (const key of tieBreakers) {
    if (!used.has(key.name)) order.push(`${expressions.get(key.name) ?? key.expression} ASC NULLS LAST`);
  }
  return order;
}

export function compileQuery(spec: QuerySpec, dialect: Dialect): CompiledQuery {
  validateWindow(spec);
  const where = basePredicates(spec, dialect);
  const keys = keysOf(spec, dialect);
  const paging = validatePaging(spec);

  if (!Array.isArray(spec.measures) || spec.measures.length === 0)
    invalid('a query needs at least one measure');
  const names = new Set(keys.map((k) => k.name.toLowerCase()));
  const planned = spec.measures.map((measure) => {
    if (typeof measure.as !== 'string' || !ALIAS.test(measure.as)) {
      invalid(
        `measure alias ${JSON.stringify(measure.as)} must be a letter then up to 63 letters, digits or _`,
      );
    }
    // Case-insensitively unique: Presto-family engines may fold result column names to lower case.
    if (names.has(measure.as.toLowerCase())) invalid(`output name ${measure.as} is used twice`);
    names.add(measure.as.toLowerCase());
    return aggregate(measure, dialect);
  });
  const aggregates = planned.filter((m): m is Aggregate => 'expression' in m);
  const peaks = planned.filter((m): m is Peak => 'per' in m);
  for (const peak of peaks) {
    if (spec.bin !== undefined && BIN_ORDER.indexOf(peak.per) > BIN_ORDER.indexOf(spec.bin)) {
      invalid(`peakRate ${peak.as} counts per ${peak.per}, wider than the ${spec.bin} bin`);
    }
  }

  const columns: CompiledQuery['columns'] = [
    ...keys.map((k) => ({ name: k.name, kind: k.kind })),
    ...planned.map((m) => ({ name: m.as, kind: 'expression' in m ? m.kind : ('count' as const) })),
  ];
  const groupBy = keys.length > 0 ? `\nGROUP BY ${keys.map((k) => k.expression).join(', ')}` : '';
  const from = `FROM ${dialect.table}\nWHERE ${where}`;

  let ctes: string[] = [];
  let select: string[];
  let body: string;
  const expressions = new Map<string, string>();
  if (peaks.length === 0) {
    select = [
      ...keys.map((k) => `${k.expression} AS ${q(k.name)}`),
      ...aggregates.map((a) => `${a.expression} AS ${q(a.as)}`),
    ];
    for (const k of keys) expressions.set(k.name, k.expression);
    for (const a of aggregates) expressions.set(a.as, a.expression);
    body = `${from}${groupBy}`;
  } else {
    ({ ctes, select, body } = withPeaks(
      keys,
      aggregates,
      peaks,
      planned,
      from,
      groupBy,
      dialect,
      expressions,
    ));
  }

  const order = orderBy(spec, keys, expressions);
  const prefix = ctes.length > 0 ? `WITH ${ctes.join(',\n')}\n` : '';
  let sql: string;
  if (paging.offset > 0) {
    const window = `row_number() OVER (${order.length > 0 ? `ORDER BY ${order.join(', ')}` : ''}) AS "__rn"`;
    const last =
      paging.limit === undefined ? '' : ` AND "__rn" <= ${numberLiteral(paging.offset + paging.limit)}`;
    sql =
      `${prefix}SELECT ${columns.map((c) => q(c.name)).join(', ')}\nFROM (\n` +
      `SELECT ${[...select, window].join(', ')}\n${body}\n) AS "paged"\n` +
      `WHERE "__rn" > ${numberLiteral(paging.offset)}${last}\nORDER BY "__rn"`;
  } else {
    sql = `${prefix}SELECT ${select.join(', ')}\n${body}`;
    if (order.length > 0) sql += `\nORDER BY ${order.join(', ')}`;
    if (paging.limit !== undefined) sql += `\nLIMIT ${numberLiteral(paging.limit)}`;
  }
  return { sql, columns };
}

/**
 * The peakRate shape: CTE "agg" holds the group keys and every other measure; one CTE per `per`
 * holds, per group, the max of the per-bucket counts; the final SELECT left-joins them on the
 * group keys (NULL-safe), or, with no keys, pairs the two single rows.
 */
function withPeaks(
  keys: readonly Key[],
  aggregates: readonly Aggregate[],
  peaks: readonly Peak[],
  planned: readonly (Aggregate | Peak)[],
  from: string,
  groupBy: string,
  dialect: Dialect,
  expressions: Map<string, string>,
): { ctes: string[]; select: string[]; body: string } {
  const keyColumns = keys.map((k) => q(k.name));
  const aggSelect = [
    ...keys.map((k) => `${k.expression} AS ${q(k.name)}`),
    ...aggregates.map((a) => `${a.expression} AS ${q(a.as)}`),
  ];
  // An aggregate with neither keys nor measures would have an empty select list.
  if (aggSelect.length === 0) aggSelect.push('count(*) AS "__events"');
  const ctes = [`"agg" AS (\nSELECT ${aggSelect.join(', ')}\n${from}${groupBy}\n)`];

  const peakName = (per: PeakPer) => q(`peak_${per}`);
  const pers = [...new Set(peaks.map((p) => p.per))];
  for (const per of pers) {
    const perBin = dialect.bin(per);
    const inner = [...keys.map((k) => `${k.expression} AS ${q(k.name)}`), 'count(*) AS "__n"'];
    const innerGroup = [...keys.map((k) => k.expression), perBin].join(', ');
    const outerGroup = keyColumns.length > 0 ? `\nGROUP BY ${keyColumns.join(', ')}` : '';
    ctes.push(
      `${peakName(per)} AS (\nSELECT ${[...keyColumns, 'max("__n") AS "__v"'].join(', ')}\nFROM (\n` +
        `SELECT ${inner.join(', ')}\n${from}\nGROUP BY ${innerGroup}\n) AS ${q(`per_${per}`)}${outerGroup}\n)`,
    );
  }

  const agg = (name: string) => `"agg".${q(name)}`;
  for (const k of keys) expressions.set(k.name, agg(k.name));
  const select = keys.map((k) => `${agg(k.name)} AS ${q(k.name)}`);
  for (const measure of planned) {
    const expression = 'per' in measure ? `coalesce(${peakName(measure.per)}."__v", 0)` : agg(measure.as);
    expressions.set(measure.as, expression);
    select.push(`${expression} AS ${q(measure.as)}`);
  }

  let body = 'FROM "agg"';
  for (const per of pers) {
    if (keys.length === 0) {
      body += `, ${peakName(per)}`;
      continue;
    }
    const on = keys.map((k) => {
      const left = agg(k.name);
      const right = `${peakName(per)}.${q(k.name)}`;
      if (k.nullFill === null) return `${left} = ${right}`;
      return `coalesce(${left}, ${k.nullFill}) = coalesce(${right}, ${k.nullFill}) AND (${left} IS NULL) = (${right} IS NULL)`;
    });
    body += `\nLEFT JOIN ${peakName(per)} ON ${on.join(' AND ')}`;
  }
  return { ctes, select, body };
}

// ---------------------------------------------------------------------------------------------
// Driver rows → QueryRows

function unconvertible(column: string, kind: string, value: unknown): never {
  const shown = typeof value === 'bigint' ? `${value}n` : JSON.stringify(value);
  throw new Error(`Query result column ${column}: cannot read ${shown} as ${kind}`);
}

const INTEGER_TEXT = /^-?\d+$/;

function toBigint(column: string, value: unknown): bigint | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value === 'string') {
    const text = value.replace(/\.0*$/, '');
    if (INTEGER_TEXT.test(text)) return BigInt(text);
  }
  return unconvertible(column, 'an integer', value);
}

function toNumber(column: string, value: unknown): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && value.trim() !== '') {
    const number = Number(value);
    if (!Number.isNaN(number) || value === 'NaN') return number;
  }
  return unconvertible(column, 'a number', value);
}

// '2026-04-18 10:00:00.000000000' (Timestream) or ISO 8601; UTC either way.
const TIMESTAMP_TEXT = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z?$/;

function toDate(column: string, value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value;
  if (typeof value === 'string') {
    const m = TIMESTAMP_TEXT.exec(value);
    if (m) {
      const [, y, mo, d, h, mi, s, fraction] = m;
      const ms = Number((fraction ?? '').padEnd(3, '0').slice(0, 3));
      return new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms));
    }
  }
  return unconvertible(column, 'a timestamp', value);
}

function toDimension(column: string, value: unknown): string | number | null {
  if (value === null || value === undefined) return null;
  if (column === 'statusCode') {
    const code = toNumber(column, value);
    return code === null || Number.isInteger(code) ? code : unconvertible(column, 'a status code', value);
  }
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return unconvertible(column, 'a string', value);
}

function shapeValue(column: { name: string; kind: ColumnKind }, value: unknown): QueryValue {
  switch (column.kind) {
    case 'dimension':
      return toDimension(column.name, value);
    case 'bucket':
    case 'time':
      return toDate(column.name, value);
    case 'count':
      return toNumber(column.name, value) ?? 0;
    case 'integerSum':
    case 'micros':
      return toBigint(column.name, value) ?? 0n;
    case 'number':
      return toNumber(column.name, value);
  }
}

/**
 * Normalizes driver values to the QueryRow conventions of spec.ts: counts → number; integer and
 * cost (micros) sums → bigint, exact; avg/percentile/min/max → number | null; bucket and
 * lastTime → Date; dimensions → string | null, statusCode → number | null. Accepts what either
 * driver yields (bigint/number/Date from DuckDB and the Timestream parser, or plain strings) and
 * looks a column up by its name, then by its lower-cased name.
 */
export function shapeRows(compiled: CompiledQuery, rawRows: readonly Record<string, unknown>[]): QueryRow[] {
  return rawRows.map((raw) => {
    const row: QueryRow = {};
    for (const column of compiled.columns) {
      const value = Object.hasOwn(raw, column.name) ? raw[column.name] : raw[column.name.toLowerCase()];
      row[column.name] = shapeValue(column, value);
    }
    return row;
  });
}
