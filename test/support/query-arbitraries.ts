import fc from 'fast-check';
import { type Dimension, EVENT_TYPES, MESSAGE_STATUSES, type UsageEvent } from '#lib/domain/events.ts';
import type { Condition, MeasureSpec, QuerySpec, TimeBin } from '#lib/query/spec.ts';

/**
 * fast-check generators for the query property tests: events drawn from small pools (so groups
 * and filters hit), and random but valid specs over them.
 */
export const DAY_MS = 86_400_000;
/** Monday 2026-01-05 00:00 UTC: data spans [T0, T0 + SPAN_MS), with stragglers either side. */
export const T0 = Date.UTC(2026, 0, 5);
export const SPAN_MS = 40 * DAY_MS;

const STRING_POOLS: Partial<Record<Dimension, readonly string[]>> = {
  operatorId: ['op-1', 'op-2', "o'p; --"],
  accountId: ['acct-1', 'acct-2', 'acct-3'],
  model: ['claude', 'gpt-4o'],
  endpoint: ['/v1/a', '/v1/b'],
  status: MESSAGE_STATUSES,
};
const STATUS_CODES = [200, 201, 399, 400, 404, 429, 500] as const;
const pool = (dimension: Dimension): readonly string[] => STRING_POOLS[dimension] ?? ['x'];

export const GROUPABLE: readonly Dimension[] = [
  'operatorId',
  'accountId',
  'model',
  'endpoint',
  'status',
  'statusCode',
  'type',
];

/** A few instants events cluster around, so per-second and per-minute peaks exceed 1. */
const BURSTS = [T0 + 3_600_000, T0 + 5 * DAY_MS + 60_000, T0 + 20 * DAY_MS];

const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 3 });

const eventArb: fc.Arbitrary<Omit<UsageEvent, 'id'>> = fc.record({
  time: fc
    .oneof(
      fc.integer({ min: T0 - 3_600_000, max: T0 + SPAN_MS + 3_600_000 }),
      fc.tuple(fc.constantFrom(...BURSTS), fc.integer({ min: 0, max: 2_999 })).map(([b, o]) => b + o),
    )
    .map((ms) => new Date(ms)),
  type: fc.constantFrom(...EVENT_TYPES),
  operatorId: optional(fc.constantFrom(...pool('operatorId'))),
  accountId: optional(fc.constantFrom(...pool('accountId'))),
  model: optional(fc.constantFrom(...pool('model'))),
  endpoint: optional(fc.constantFrom(...pool('endpoint'))),
  status: optional(fc.constantFrom(...pool('status'))),
  statusCode: optional(fc.constantFrom(...STATUS_CODES)),
  latencyMs: optional(fc.double({ min: 0, max: 10_000, noNaN: true, noDefaultInfinity: true })),
  units: optional(fc.double({ min: 0, max: 1_000, noNaN: true, noDefaultInfinity: true })),
  // Values near 2^53: sums of them are exact only as integers, never as doubles.
  bytes: optional(fc.oneof(fc.integer({ min: 0, max: 1_000_000 }), fc.constantFrom(2 ** 52, 2 ** 53 - 1))),
  inputTokens: optional(fc.integer({ min: 0, max: 200_000 })),
  outputTokens: optional(fc.integer({ min: 0, max: 50_000 })),
  cost: optional(fc.bigInt({ min: 0n, max: 10n ** 15n })),
});

/** `size: 'max'`: fast-check would otherwise keep arrays to about ten elements whatever maxLength says. */
export const eventsArb = (maxLength: number): fc.Arbitrary<UsageEvent[]> =>
  fc
    .array(eventArb, { maxLength, size: 'max' })
    .map((events) => events.map((e, i) => ({ ...e, id: `e-${i}` })));

const dimensionValueArb = (dimension: Dimension): fc.Arbitrary<string | number> => {
  if (dimension === 'type') return fc.constantFrom(...EVENT_TYPES);
  if (dimension === 'statusCode') return fc.constantFrom(...STATUS_CODES, 302);
  return fc.constantFrom(...pool(dimension), 'absent-value');
};

const runEndArb = fc.oneof(fc.constantFrom(...STATUS_CODES), fc.integer({ min: 190, max: 510 }));

const simpleConditionArb: fc.Arbitrary<Condition> = fc.oneof(
  fc.constantFrom<Condition>({ outcome: 'failed' }, { outcome: 'succeeded' }),
  fc
    .tuple(fc.constantFrom(...GROUPABLE), fc.constantFrom('eq' as const, 'ne' as const))
    .chain(([dimension, op]) =>
      dimensionValueArb(dimension).map((value): Condition => ({ dimension, op, value })),
    ),
  fc
    .constantFrom(...GROUPABLE)
    .chain((dimension) =>
      fc
        .array(dimensionValueArb(dimension), { minLength: 1, maxLength: 3 })
        .map((values): Condition => ({ dimension, op: 'in', values })),
    ),
  // Status codes in runs, which the compiler turns into BETWEENs, mixed with single codes; a run
  // often starts or ends exactly at a code the events carry, where an off-by-one would show.
  fc
    .tuple(
      fc.array(fc.tuple(runEndArb, runEndArb), { minLength: 1, maxLength: 3 }),
      fc.array(fc.constantFrom(...STATUS_CODES, 302), { maxLength: 3 }),
    )
    .map(
      ([runs, singles]): Condition => ({
        dimension: 'statusCode',
        op: 'in',
        values: [
          ...runs.flatMap(([a, b]) =>
            Array.from({ length: Math.abs(a - b) + 1 }, (_, i) => Math.min(a, b) + i),
          ),
          ...singles,
        ],
      }),
    ),
  fc
    .tuple(fc.constantFrom(...GROUPABLE), fc.constantFrom('present' as const, 'absent' as const))
    .map(([dimension, op]): Condition => ({ dimension, op })),
  fc
    .tuple(fc.constantFrom('gte' as const, 'lt' as const), fc.constantFrom(0, 200, 400, 404, 500, 600))
    .map(([op, value]): Condition => ({ dimension: 'statusCode', op, value })),
);

export const conditionArb: fc.Arbitrary<Condition> = fc.oneof(
  { weight: 4, arbitrary: simpleConditionArb },
  // "A failed request": the usage/cost family's errors (a type in-list and the failure rule).
  {
    weight: 1,
    arbitrary: fc
      .array(simpleConditionArb, { minLength: 1, maxLength: 2 })
      .map((allOf): Condition => ({ allOf })),
  },
);

const FIELDS = ['latencyMs', 'units', 'bytes', 'inputTokens', 'outputTokens', 'cost'] as const;
const PERS = ['second', 'minute', 'hour', 'day'] as const;
const BINS: readonly TimeBin[] = ['second', 'minute', '5m', 'hour', 'day', 'week', 'month'];

type Unnamed = MeasureSpec extends infer M ? (M extends MeasureSpec ? Omit<M, 'as'> : never) : never;

const measureArb: fc.Arbitrary<Unnamed> = fc.oneof(
  optional(conditionArb).map((where): Unnamed => (where ? { kind: 'count', where } : { kind: 'count' })),
  fc
    .tuple(
      fc.constantFrom('sum' as const, 'avg' as const, 'min' as const, 'max' as const),
      fc.constantFrom(...FIELDS),
      optional(conditionArb),
    )
    .map(([kind, field, where]): Unnamed => (where ? { kind, field, where } : { kind, field })),
  fc
    .tuple(
      fc.constantFrom(...FIELDS),
      fc.double({ min: 0.01, max: 0.99, noNaN: true }),
      optional(conditionArb),
    )
    .map(
      ([field, p, where]): Unnamed =>
        where ? { kind: 'percentile', field, p, where } : { kind: 'percentile', field, p },
    ),
  fc.constantFrom(...GROUPABLE).map((dimension): Unnamed => ({ kind: 'distinctCount', dimension })),
  fc.constantFrom(...PERS).map((per): Unnamed => ({ kind: 'peakRate', per })),
  fc.constant<Unnamed>({ kind: 'lastTime' }),
);

/** Kinds whose values are exact in both engines, so ordering by them is deterministic. */
function isExactOrderKey(measure: MeasureSpec): boolean {
  if (measure.kind === 'count' || measure.kind === 'distinctCount' || measure.kind === 'peakRate')
    return true;
  if (measure.kind === 'sum') return measure.field !== 'latencyMs' && measure.field !== 'units';
  return false;
}

export function specArb(
  tenantId: string,
  options: { bins?: readonly TimeBin[] } = {},
): fc.Arbitrary<QuerySpec> {
  const bins = options.bins ?? BINS;
  return fc
    .record({
      fromOffset: fc.integer({ min: -2 * 3_600_000, max: SPAN_MS / 2 }),
      length: fc.integer({ min: 3_600_000, max: SPAN_MS + 4 * 3_600_000 }),
      types: optional(fc.subarray([...EVENT_TYPES], { minLength: 1 })),
      filters: fc.array(conditionArb, { maxLength: 2 }),
      groupBy: fc.subarray([...GROUPABLE], { maxLength: 2 }),
      bin: optional(fc.constantFrom(...bins)),
      measures: fc.array(measureArb, { minLength: 1, maxLength: 5 }),
      order: fc.array(fc.tuple(fc.nat(), fc.boolean()), { maxLength: 2 }),
      limit: optional(fc.integer({ min: 1, max: 15 })),
      offset: optional(fc.integer({ min: 0, max: 8 })),
    })
    .map(({ fromOffset, length, types, filters, groupBy, bin, measures: unnamed, order, limit, offset }) => {
      const measures = unnamed.map((m, i): MeasureSpec => {
        // A peak per unit wider than the bin is refused by the compiler; narrow it.
        if (m.kind === 'peakRate' && bin !== undefined && BINS.indexOf(m.per) > BINS.indexOf(bin)) {
          return { as: `m${i}`, kind: 'peakRate', per: 'second' };
        }
        return { ...m, as: `m${i}` } as MeasureSpec;
      });
      const orderable = [
        ...groupBy,
        ...(bin ? ['bucket'] : []),
        ...measures.filter(isExactOrderKey).map((m) => m.as),
      ];
      const orderBy: { key: string; direction: 'asc' | 'desc' }[] = [];
      for (const [index, ascending] of order) {
        const key = orderable[index % Math.max(1, orderable.length)];
        if (key !== undefined && !orderBy.some((o) => o.key === key)) {
          orderBy.push({ key, direction: ascending ? 'asc' : 'desc' });
        }
      }
      const from = new Date(T0 + fromOffset);
      const spec: QuerySpec = {
        tenantId,
        window: { from, to: new Date(from.getTime() + length) },
        filters,
        groupBy,
        measures,
        ...(types ? { types } : {}),
        ...(bin ? { bin } : {}),
        ...(orderBy.length > 0 ? { orderBy } : {}),
        ...(limit !== undefined ? { limit } : {}),
        ...(offset !== undefined ? { offset } : {}),
      };
      return spec;
    });
}
