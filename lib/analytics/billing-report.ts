import {
  MAX_REPORT_DAYS,
  type UsageReportOperator,
  type UsageReportResponse,
} from '#lib/contracts/platform-metrics.ts';
import {
  addFractions,
  type Fraction,
  fraction,
  sumDecimals,
  totalAmount,
  ZERO,
} from '#lib/domain/billing/money.ts';
import { type PricingPeriod, pricingPeriods } from '#lib/domain/billing/periods.ts';
import { priceLine } from '#lib/domain/billing/prices.ts';
import {
  API_CALLS,
  averageBytes,
  COUNTED_USAGE,
  type CountedUsage,
  EVENTS_INGESTED,
  GATEWAY_REQUESTS,
  gbMonths,
  STORAGE_METRIC,
  storageByteMs,
} from '#lib/domain/billing/units.ts';
import { UnprocessableError, ValidationError } from '#lib/domain/errors.ts';
import type { RegistryStores } from '#lib/domain/ports/registry-repository.ts';
import type { TimeSeriesStore } from '#lib/domain/ports/time-series.ts';
import type { StoredPricePlan } from '#lib/domain/registry/price-plans.ts';
import { DAY_MS, isoSeconds, type TimeWindow } from '#lib/domain/windows.ts';
import type { QueryRow, QuerySpec } from '#lib/query/spec.ts';
import { DATE_RULE, INVALID_TIME, parseCalendarDate } from '../domain/calendar.ts';
import { HAS_OPERATOR } from './platform-metrics.ts';
import { listConnectors, listOperators } from './platform-registry.ts';

/**
 * The billing report (GET /platform-api/usage/report): per operator, the billable usage of a
 * range of UTC dates, priced with the price plans in force. The billing rules (pricing periods,
 * units, prices, exact amounts) are lib/domain/billing's; this service measures and arranges.
 *
 * Each pricing period is measured with its own queries: 4 per period (API calls by operator and
 * category, gateway requests by operator and connector, ingested events by operator and type,
 * storage samples by operator and UTC day), whatever the number of operators. A window within one
 * plan, the usual case, is 4 queries. Lines are per (dimension value, plan). A day without a
 * storage sample counts as zero.
 */

export interface ReportPeriod {
  /** YYYY-MM-DD, inclusive. */
  start: string;
  /** YYYY-MM-DD, inclusive. */
  end: string;
  /** [start 00:00Z, end + 1 day 00:00Z). */
  window: TimeWindow;
}

/** 00:00Z of a report date; the query schema reads it the same way, this holds for any other caller. */
function reportDateMillis(name: 'start' | 'end', value: string): number {
  const date = parseCalendarDate(value);
  if (date.ok) return date.millis;
  const message = `must be ${DATE_RULE} (${date.reason})`;
  throw new ValidationError('VALIDATION_FAILED', `query parameter '${name}': ${message}`, {
    errors: [{ in: 'query', name, code: INVALID_TIME, message }],
  });
}

/** The report's window; 400 INVALID_WINDOW naming `end` when it ends before it starts or is too long. */
export function reportWindow(start: string, end: string): ReportPeriod {
  const from = new Date(reportDateMillis('start', start));
  const to = new Date(reportDateMillis('end', end) + DAY_MS);
  const days = (to.getTime() - from.getTime()) / DAY_MS;
  if (days < 1) {
    throw new ValidationError('INVALID_WINDOW', `'end' (${end}) must not be before 'start' (${start})`, {
      parameter: 'end',
    });
  }
  if (days > MAX_REPORT_DAYS) {
    throw new ValidationError(
      'INVALID_WINDOW',
      `'end' must be at most ${MAX_REPORT_DAYS} days after 'start' (both inclusive); ${start}..${end} is ${days} days`,
      { parameter: 'end' },
    );
  }
  return { start, end, window: { from, to } };
}

const countSpec = (tenantId: string, period: PricingPeriod, family: CountedUsage): QuerySpec => ({
  tenantId,
  window: { from: period.from, to: period.to },
  types: [family.type],
  filters: [HAS_OPERATOR],
  groupBy: ['operatorId', family.dimension],
  measures: [{ as: 'units', kind: 'count' }],
});

/**
 * Storage samples per operator and UTC day: the exact byte sum, and the mean, from which the
 * number of samples that carry `storageBytes` is recovered (the engine counts events, not
 * non-null measure values).
 */
const storageSpec = (tenantId: string, period: PricingPeriod): QuerySpec => ({
  tenantId,
  window: { from: period.from, to: period.to },
  types: ['storage.sample'],
  filters: [HAS_OPERATOR],
  groupBy: ['operatorId'],
  bin: 'day',
  measures: [
    { as: 'bytes', kind: 'sum', field: 'storageBytes' },
    { as: 'meanBytes', kind: 'avg', field: 'storageBytes' },
  ],
});

/** The exact mean of a day's samples as a fraction, or undefined when no sample carried bytes. */
function dayMean(row: QueryRow): Fraction | undefined {
  const mean = row.meanBytes;
  if (typeof mean !== 'number') return undefined;
  const sum = typeof row.bytes === 'bigint' ? row.bytes : BigInt(Number(row.bytes ?? 0));
  if (sum === 0n) return ZERO;
  return fraction(sum, BigInt(Math.round(Number(sum) / mean)));
}

interface UnitsLine {
  dimension: string | null;
  plan: StoredPricePlan | undefined;
  /** First period of the line: lines of one dimension value go in time order. */
  order: number;
  units: number;
}

interface StorageAccumulator {
  plan: StoredPricePlan | undefined;
  order: number;
  /** Σ day mean × milliseconds of the day inside the period. */
  byteMs: Fraction;
}

interface OperatorAccumulator {
  lines: Map<CountedUsage, Map<string, UnitsLine>>;
  storage: Map<string, StorageAccumulator>;
}

const planKey = (plan: StoredPricePlan | undefined) => plan?.id ?? '';

const byDimensionThenTime = (a: UnitsLine, b: UnitsLine): number => {
  if (a.dimension !== b.dimension) {
    if (a.dimension === null) return 1;
    if (b.dimension === null) return -1;
    return a.dimension < b.dimension ? -1 : 1;
  }
  return a.order - b.order;
};

type ReportRegistry = Pick<RegistryStores, 'operators' | 'connectors' | 'priceBook'>;

export async function usageReport(
  store: TimeSeriesStore,
  registry: ReportRegistry,
  tenantId: string,
  report: ReportPeriod,
): Promise<UsageReportResponse> {
  const { plans } = await registry.priceBook.get(tenantId);
  const periods = pricingPeriods(plans, report.window);
  const currencies = new Set(periods.flatMap((period) => (period.plan ? [period.plan.currency] : [])));
  if (currencies.size > 1) {
    throw new UnprocessableError(
      'MIXED_CURRENCIES',
      `The price plans in force between ${report.start} and ${report.end} use different currencies ` +
        `(${[...currencies].join(', ')}); report each plan's dates separately`,
    );
  }

  const [results, operators, connectors] = await Promise.all([
    Promise.all(
      periods.map(async (period) => {
        const [counts, storage] = await Promise.all([
          Promise.all(COUNTED_USAGE.map((family) => store.query(countSpec(tenantId, period, family)))),
          store.query(storageSpec(tenantId, period)),
        ]);
        return { counts, storage };
      }),
    ),
    listOperators(registry, tenantId),
    listConnectors(registry, tenantId),
  ]);

  const accumulators = new Map<string, OperatorAccumulator>();
  const accumulator = (operatorId: string): OperatorAccumulator => {
    let found = accumulators.get(operatorId);
    if (!found) {
      found = { lines: new Map(COUNTED_USAGE.map((family) => [family, new Map()])), storage: new Map() };
      accumulators.set(operatorId, found);
    }
    return found;
  };
  const periodMs = new Map<string, number>();

  results.forEach(({ counts, storage }, order) => {
    const period = periods[order] as PricingPeriod;
    const key = planKey(period.plan);
    periodMs.set(key, (periodMs.get(key) ?? 0) + period.to.getTime() - period.from.getTime());
    COUNTED_USAGE.forEach((family, index) => {
      for (const row of counts[index] ?? []) {
        const dimension = row[family.dimension] === null ? null : String(row[family.dimension]);
        const lines = accumulator(String(row.operatorId)).lines.get(family) as Map<string, UnitsLine>;
        const lineKey = JSON.stringify([dimension, key]);
        const line = lines.get(lineKey) ?? { dimension, plan: period.plan, order, units: 0 };
        line.units += Number(row.units ?? 0);
        lines.set(lineKey, line);
      }
    });
    for (const row of storage) {
      const mean = dayMean(row);
      if (mean === undefined || !(row.bucket instanceof Date)) continue;
      const byOperator = accumulator(String(row.operatorId)).storage;
      const entry = byOperator.get(key) ?? { plan: period.plan, order, byteMs: ZERO };
      entry.byteMs = addFractions(entry.byteMs, storageByteMs(mean, row.bucket, period));
      byOperator.set(key, entry);
    }
  });

  const registered = new Map(operators.map((operator) => [operator.id, operator]));
  const connectorNames = new Map(connectors.map((connector) => [connector.id, connector.name]));
  const ids = new Set(accumulators.keys());
  for (const operator of operators) if (operator.status === 'active') ids.add(operator.id);

  const rows: UsageReportOperator[] = [...ids].sort().map((operatorId) => {
    const acc = accumulators.get(operatorId);
    const lines = (family: CountedUsage) =>
      [...(acc?.lines.get(family)?.values() ?? [])].sort(byDimensionThenTime);
    const apiCallsByCategory = lines(API_CALLS).map((line) => ({
      category: line.dimension,
      calls: line.units,
      ...priceLine(line.plan, API_CALLS.metric, line.dimension, String(line.units)),
    }));
    const gatewayRequestsByConnector = lines(GATEWAY_REQUESTS).map((line) => ({
      connectorId: line.dimension,
      name: line.dimension === null ? null : (connectorNames.get(line.dimension) ?? null),
      requests: line.units,
      ...priceLine(line.plan, GATEWAY_REQUESTS.metric, line.dimension, String(line.units)),
    }));
    const eventsIngestedByType = lines(EVENTS_INGESTED).map((line) => ({
      type: line.dimension,
      events: line.units,
      ...priceLine(line.plan, EVENTS_INGESTED.metric, line.dimension, String(line.units)),
    }));
    const storage = [...(acc?.storage.entries() ?? [])]
      .sort(([, a], [, b]) => a.order - b.order)
      .map(([key, entry]) => {
        const months = gbMonths(entry.byteMs);
        return {
          averageBytes: averageBytes(entry.byteMs, periodMs.get(key) ?? 1),
          gbMonths: months,
          ...priceLine(entry.plan, STORAGE_METRIC, null, months),
        };
      });
    const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);
    const apiCalls = sum(apiCallsByCategory.map((line) => line.calls));
    const gatewayRequests = sum(gatewayRequestsByConnector.map((line) => line.requests));
    const eventsIngested = sum(eventsIngestedByType.map((line) => line.events));
    const operator = registered.get(operatorId);
    return {
      operatorId,
      name: operator?.name ?? null,
      status: operator?.status ?? 'unregistered',
      apiCalls,
      gatewayRequests,
      eventsIngested,
      storageGbMonths: sumDecimals(storage.map((line) => line.gbMonths)),
      billableUnits: apiCalls + gatewayRequests + eventsIngested,
      amount: totalAmount(
        [apiCallsByCategory, gatewayRequestsByConnector, eventsIngestedByType, storage].flatMap((family) =>
          family.map((line) => line.amount),
        ),
      ),
      apiCallsByCategory,
      gatewayRequestsByConnector,
      eventsIngestedByType,
      storage,
    };
  });

  const total = (field: 'apiCalls' | 'gatewayRequests' | 'eventsIngested' | 'billableUnits') =>
    rows.reduce((sum, row) => sum + row[field], 0);
  const unpriced = periods.filter((period) => !period.plan);
  return {
    start: report.start,
    end: report.end,
    window: { from: isoSeconds(report.window.from), to: isoSeconds(report.window.to) },
    currency: [...currencies][0] ?? null,
    pricingPeriods: periods.map((period) => ({
      from: isoSeconds(period.from),
      to: isoSeconds(period.to),
      pricePlanId: period.plan?.id ?? null,
      pricePlanName: period.plan?.name ?? null,
    })),
    notes: unpriced.map(
      (period) =>
        `No price plan is in force from ${isoSeconds(period.from)} to ${isoSeconds(period.to)}: ` +
        'its usage is reported without unit prices or amounts.',
    ),
    operators: rows,
    totals: {
      operators: rows.length,
      apiCalls: total('apiCalls'),
      gatewayRequests: total('gatewayRequests'),
      eventsIngested: total('eventsIngested'),
      storageGbMonths: sumDecimals(rows.map((row) => row.storageGbMonths)),
      billableUnits: total('billableUnits'),
      amount: totalAmount(rows.map((row) => row.amount)),
    },
  };
}
