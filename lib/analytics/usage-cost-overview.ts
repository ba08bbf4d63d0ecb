import type { TimeSeriesStore } from '#lib/domain/ports/time-series.ts';
import type { OverviewRange, OverviewResponse } from '../contracts/usage-cost.ts';
import { REQUEST_EVENT_TYPES } from '../domain/events.ts';
import { wireInteger } from '../domain/exact-integers.ts';
import { microsToWireNumber } from '../domain/money.ts';
import { isoSeconds, roundTo, type TimeWindow } from '../domain/windows.ts';
import type { MeasureSpec, QueryRow, TimeBin } from '../query/spec.ts';
import { bigintOf, countOf, IS_REQUEST, msOf, RANGE_MS, USAGE_MEASURES } from './usage-cost.ts';

/**
 * GET /v1/analytics/overview: the contract's dashboard (KPIs with their change against the
 * previous period, request volume, top models, cost by project) in five queries whatever the
 * number of models, projects or buckets: current totals, previous totals, series, models,
 * projects. The field rules are documented on `overviewResponse` in lib/contracts/usage-cost.ts.
 * Requests are the request types' events alone (usage-cost.ts), as in the usage query.
 */

export const TOP_MODELS = 4;
export const MAX_PROJECTS = 100;
const HOUR_MS = 3_600_000;

const SERIES_GRAIN: Record<OverviewRange, 'hour' | 'day'> = { '24h': 'hour', '7d': 'day', '30d': 'day' };

/** The KPI totals: the family's measures, plus the requests that name a model (top-models' whole). */
const TOTALS: readonly MeasureSpec[] = [
  USAGE_MEASURES.requests,
  USAGE_MEASURES.inputTokens,
  USAGE_MEASURES.outputTokens,
  USAGE_MEASURES.cost,
  USAGE_MEASURES.latencyP99,
  {
    as: 'modelRequests',
    kind: 'count',
    where: { allOf: [IS_REQUEST, { dimension: 'model', op: 'present' }] },
  },
];

/** % change with 1 decimal; null when there is no previous value to compare with. */
export function changePct(current: number | bigint | null, previous: number | bigint | null): number | null {
  if (current === null || previous === null) return null;
  if (typeof current === 'bigint' || typeof previous === 'bigint') {
    const [c, p] = [BigInt(current), BigInt(previous)];
    return p === 0n ? null : roundTo((Number(c - p) / Number(p)) * 100, 1);
  }
  return previous === 0 ? null : roundTo(((current - previous) / previous) * 100, 1);
}

const share = (part: number, whole: number) => (whole === 0 ? 0 : roundTo((part / whole) * 100, 1));

/** Start of each UTC hour or day the window touches (UTC days are all 24 h long). */
function bucketStarts(window: TimeWindow, grain: 'hour' | 'day'): Date[] {
  const step = grain === 'hour' ? HOUR_MS : 24 * HOUR_MS;
  const starts: Date[] = [];
  for (let t = Math.floor(window.from.getTime() / step) * step; t < window.to.getTime(); t += step) {
    starts.push(new Date(t));
  }
  return starts;
}

const totalsOf = (row: QueryRow | undefined) => ({
  requests: countOf(row, 'requests'),
  tokens: bigintOf(row, 'inputTokens') + bigintOf(row, 'outputTokens'),
  cost: bigintOf(row, 'cost'),
  latencyP99: msOf(row, 'latencyP99'),
  modelRequests: countOf(row, 'modelRequests'),
});

export async function usageOverview(
  store: TimeSeriesStore,
  tenantId: string,
  range: OverviewRange,
  now: Date,
): Promise<OverviewResponse> {
  const length = RANGE_MS[range];
  const window = { from: new Date(now.getTime() - length), to: now };
  const previous = { from: new Date(now.getTime() - 2 * length), to: window.from };
  const grain = SERIES_GRAIN[range];
  const bin: TimeBin = grain;

  const [[currentRow], [previousRow], series, models, projects] = await Promise.all([
    store.query({ tenantId, window, measures: TOTALS }),
    store.query({ tenantId, window: previous, measures: TOTALS }),
    store.query({ tenantId, window, bin, measures: [USAGE_MEASURES.requests] }),
    store.query({
      tenantId,
      window,
      types: REQUEST_EVENT_TYPES,
      filters: [{ dimension: 'model', op: 'present' }],
      groupBy: ['model'],
      measures: [USAGE_MEASURES.requests],
      orderBy: [{ key: 'requests', direction: 'desc' }],
      limit: TOP_MODELS,
    }),
    store.query({
      tenantId,
      window,
      groupBy: ['projectId'],
      measures: [USAGE_MEASURES.cost, USAGE_MEASURES.requests],
      orderBy: [
        { key: 'cost', direction: 'desc' },
        { key: 'requests', direction: 'desc' },
      ],
      limit: MAX_PROJECTS,
    }),
  ]);

  const current = totalsOf(currentRow);
  const before = totalsOf(previousRow);

  const perBucket = new Map<number, number>();
  for (const row of series) {
    if (row.bucket instanceof Date) perBucket.set(row.bucket.getTime(), countOf(row, 'requests'));
  }

  const top = models.map((row) => ({
    model: String(row.model),
    requests: countOf(row, 'requests'),
    share_pct: share(countOf(row, 'requests'), current.modelRequests),
    is_other: false,
  }));
  const otherRequests = current.modelRequests - top.reduce((sum, entry) => sum + entry.requests, 0);
  if (otherRequests > 0) {
    top.push({
      model: 'other',
      requests: otherRequests,
      share_pct: share(otherRequests, current.modelRequests),
      is_other: true,
    });
  }

  return {
    range,
    window: { from: isoSeconds(window.from), to: isoSeconds(window.to) },
    previous_window: { from: isoSeconds(previous.from), to: isoSeconds(previous.to) },
    kpis: {
      requests: {
        value: current.requests,
        previous_value: before.requests,
        change_pct: changePct(current.requests, before.requests),
      },
      tokens: {
        value: wireInteger(current.tokens),
        previous_value: wireInteger(before.tokens),
        change_pct: changePct(current.tokens, before.tokens),
      },
      cost: {
        value: microsToWireNumber(current.cost),
        previous_value: microsToWireNumber(before.cost),
        change_pct: changePct(current.cost, before.cost),
      },
      latency_p99: {
        value: current.latencyP99,
        previous_value: before.latencyP99,
        change_pct: changePct(current.latencyP99, before.latencyP99),
      },
    },
    request_volume: {
      granularity: grain,
      buckets: bucketStarts(window, grain).map((start) => ({
        start: isoSeconds(start),
        requests: perBucket.get(start.getTime()) ?? 0,
      })),
    },
    top_models: top,
    cost_by_project: projects.map((row) => ({
      project: row.projectId === null || row.projectId === undefined ? null : String(row.projectId),
      cost: microsToWireNumber(bigintOf(row, 'cost')),
      requests: countOf(row, 'requests'),
    })),
  };
}
