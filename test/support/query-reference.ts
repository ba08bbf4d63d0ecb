import {
  type Dimension,
  INTEGER_MEASURES,
  isFailure,
  type Measure,
  type UsageEvent,
} from '#lib/domain/events.ts';
import type { Condition, MeasureSpec, QueryRow, QuerySpec, QueryValue, TimeBin } from '#lib/query/spec.ts';

/**
 * A plain in-memory evaluation of a QuerySpec, written independently of the SQL compiler, for
 * property tests: the same events go into a real store and into this function, and the answers
 * must agree. It models the stores' storage rules too: an empty string dimension is absent.
 *
 * Percentiles are computed as DuckDB's quantile_cont: sort the n values, take rank (n − 1)·p and
 * interpolate linearly between the two nearest ranks.
 */
export interface StoredEvent {
  tenantId: string;
  event: UsageEvent;
}

type DimensionValue = string | number | null;

export function dimensionValue(event: UsageEvent, dimension: Dimension): DimensionValue {
  if (dimension === 'statusCode') return event.statusCode ?? null;
  const value = event[dimension];
  return value === undefined || value === '' ? null : value;
}

function literal(dimension: Dimension, value: string | number): DimensionValue {
  return dimension === 'statusCode' ? Number(value) : String(value);
}

export function matches(event: UsageEvent, condition: Condition): boolean {
  if ('outcome' in condition) {
    const failed = isFailure({
      statusCode: event.statusCode,
      status: event.status === '' ? undefined : event.status,
    });
    return condition.outcome === 'failed' ? failed : !failed;
  }
  if ('allOf' in condition) return condition.allOf.every((part) => matches(event, part));
  const value = dimensionValue(event, condition.dimension);
  switch (condition.op) {
    case 'eq':
      return value !== null && value === literal(condition.dimension, condition.value);
    case 'ne':
      return value === null || value !== literal(condition.dimension, condition.value);
    case 'in':
      return value !== null && condition.values.some((v) => literal(condition.dimension, v) === value);
    case 'present':
      return value !== null;
    case 'absent':
      return value === null;
    case 'gte':
      return typeof value === 'number' && value >= condition.value;
    case 'lt':
      return typeof value === 'number' && value < condition.value;
  }
}

const DAY_MS = 86_400_000;

export function binStart(ms: number, bin: TimeBin): number {
  const floorTo = (step: number) => Math.floor(ms / step) * step;
  switch (bin) {
    case 'second':
      return floorTo(1000);
    case 'minute':
      return floorTo(60_000);
    case '5m':
      return floorTo(300_000);
    case 'hour':
      return floorTo(3_600_000);
    case 'day':
      return floorTo(DAY_MS);
    case 'week': {
      const day = floorTo(DAY_MS);
      const mondayBased = (new Date(day).getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
      return day - mondayBased * DAY_MS;
    }
    case 'month': {
      const d = new Date(ms);
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    }
  }
}

/** DuckDB quantile_cont: linear interpolation at rank (n − 1)·p of the sorted values. */
export function quantileCont(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (sorted.length - 1) * p;
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  const low = sorted[lo] as number;
  const high = sorted[hi] as number;
  return lo === hi ? low : low + (high - low) * (rank - lo);
}

function fieldValue(event: UsageEvent, field: Measure): number | bigint | undefined {
  return field === 'cost' ? event.cost : event[field];
}

const isExact = (field: Measure) =>
  field === 'cost' || (INTEGER_MEASURES as readonly string[]).includes(field);

function evaluate(measure: MeasureSpec, events: readonly UsageEvent[]): QueryValue {
  switch (measure.kind) {
    case 'count':
      return measure.where
        ? events.filter((e) => matches(e, measure.where as Condition)).length
        : events.length;
    case 'sum':
    case 'avg':
    case 'min':
    case 'max': {
      const selected = measure.where ? events.filter((e) => matches(e, measure.where as Condition)) : events;
      const values = selected
        .map((e) => fieldValue(e, measure.field))
        .filter((v): v is number | bigint => v !== undefined);
      if (measure.kind === 'sum') {
        if (isExact(measure.field)) return values.reduce<bigint>((sum, v) => sum + BigInt(v), 0n);
        return values.reduce<number>((sum, v) => sum + Number(v), 0);
      }
      if (values.length === 0) return null;
      if (measure.kind === 'avg') {
        if (isExact(measure.field)) {
          return Number(values.reduce<bigint>((sum, v) => sum + BigInt(v), 0n)) / values.length;
        }
        return values.reduce<number>((sum, v) => sum + Number(v), 0) / values.length;
      }
      const numbers = values.map(Number);
      return measure.kind === 'min' ? Math.min(...numbers) : Math.max(...numbers);
    }
    case 'percentile': {
      const selected = measure.where ? events.filter((e) => matches(e, measure.where as Condition)) : events;
      const values = selected.map((e) => fieldValue(e, measure.field)).filter((v) => v !== undefined);
      return quantileCont(values.map(Number), measure.p);
    }
    case 'distinctCount':
      return new Set(events.map((e) => dimensionValue(e, measure.dimension)).filter((v) => v !== null)).size;
    case 'peakRate': {
      const perBucket = new Map<number, number>();
      for (const e of events) {
        const bucket = binStart(e.time.getTime(), measure.per);
        perBucket.set(bucket, (perBucket.get(bucket) ?? 0) + 1);
      }
      return Math.max(0, ...perBucket.values());
    }
    case 'lastTime':
      return events.length === 0 ? null : new Date(Math.max(...events.map((e) => e.time.getTime())));
  }
}

/** Total order on one column's values; null sorts last (the caller keeps it last when descending). */
export function compareValues(a: QueryValue, b: QueryValue): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  if (a instanceof Date && b instanceof Date) return Math.sign(a.getTime() - b.getTime());
  if (typeof a === 'number' && typeof b === 'number') return Math.sign(a - b);
  if ((typeof a === 'bigint' && typeof b === 'bigint') || (typeof a === 'string' && typeof b === 'string')) {
    return a < b ? -1 : a > b ? 1 : 0;
  }
  throw new Error(`cannot compare ${String(a)} with ${String(b)}`);
}

export function referenceQuery(stored: readonly StoredEvent[], spec: QuerySpec): QueryRow[] {
  const from = spec.window.from.getTime();
  const to = spec.window.to.getTime();
  const events = stored
    .filter(({ tenantId }) => tenantId === spec.tenantId)
    .map(({ event }) => event)
    .filter((e) => e.time.getTime() >= from && e.time.getTime() < to)
    .filter((e) => spec.types === undefined || spec.types.includes(e.type))
    .filter((e) => (spec.filters ?? []).every((c) => matches(e, c)));

  const groupBy = spec.groupBy ?? [];
  const groups = new Map<string, { key: QueryRow; events: UsageEvent[] }>();
  for (const event of events) {
    const key: QueryRow = {};
    for (const dimension of groupBy) key[dimension] = dimensionValue(event, dimension);
    if (spec.bin !== undefined) key.bucket = new Date(binStart(event.time.getTime(), spec.bin));
    const id = JSON.stringify(groupBy.map((d) => key[d]).concat(key.bucket ? [String(key.bucket)] : []));
    const group = groups.get(id) ?? { key, events: [] };
    group.events.push(event);
    groups.set(id, group);
  }
  // An aggregate without GROUP BY answers one row, even over no events.
  if (groupBy.length === 0 && spec.bin === undefined && groups.size === 0)
    groups.set('', { key: {}, events: [] });

  let rows = [...groups.values()].map(({ key, events: members }) => {
    const row: QueryRow = { ...key };
    for (const measure of spec.measures) row[measure.as] = evaluate(measure, members);
    return row;
  });

  const order: { key: string; direction: 'asc' | 'desc' }[] = [...(spec.orderBy ?? [])];
  const tieBreakers = [...(spec.bin !== undefined ? ['bucket'] : []), ...groupBy];
  for (const key of tieBreakers) if (!order.some((o) => o.key === key)) order.push({ key, direction: 'asc' });
  rows.sort((a, b) => {
    for (const { key, direction } of order) {
      const x = a[key] ?? null;
      const y = b[key] ?? null;
      const c = compareValues(x, y);
      if (c !== 0) return direction === 'desc' && x !== null && y !== null ? -c : c; // NULLS LAST
    }
    return 0;
  });
  const offset = spec.offset ?? 0;
  rows = rows.slice(offset, spec.limit === undefined ? undefined : offset + spec.limit);
  return rows;
}
