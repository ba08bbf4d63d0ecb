import type { TimeSeriesStore } from '#lib/domain/ports/time-series.ts';
import {
  type OperatorSort,
  PLATFORM_DEFAULT_WINDOW_DAYS,
  type PlatformConnectorsResponse,
  type PlatformOperatorRow,
  type PlatformOperatorsResponse,
  type PlatformSummaryResponse,
  type SortOrder,
} from '../contracts/platform-metrics.ts';
import { EVENT_TYPES, type EventType } from '../domain/events.ts';
import { DAY_MS, isoSeconds, type TimeWindow } from '../domain/windows.ts';
import type { Condition, MeasureSpec, QueryRow, QuerySpec } from '../query/spec.ts';
import {
  addConnection,
  type ConnectionCounts,
  listConnections,
  listConnectors,
  listOperators,
  noConnections,
  type PlatformRegistry,
} from './platform-registry.ts';

/**
 * Platform metrics (contracts/platform-metrics-api.txt): registry counts joined with the usage of
 * a window. Each endpoint runs ONE store query whatever the number of operators or connectors
 * (plus whole-kind registry lists); the measure lists below are shared by all of them.
 *
 * Usage counts only events that carry an `operatorId` ("across all operators"), so the summary's
 * figures are exactly the sums of the per-operator rows.
 */

/** The metrics endpoints' default window: the last 30 days, ending now. */
export const defaultPlatformFrom = (to: Date): Date =>
  new Date(to.getTime() - PLATFORM_DEFAULT_WINDOW_DAYS * DAY_MS);

const ofType = (type: EventType): Condition => ({ dimension: 'type', op: 'eq', value: type });
export const HAS_OPERATOR: Condition = { dimension: 'operatorId', op: 'present' };

/** The three usage counts of the platform contract, one conditional count per event type. */
export const platformUsageMeasures: readonly MeasureSpec[] = [
  { as: 'apiCalls', kind: 'count', where: ofType('api.request') },
  { as: 'gatewayRequests', kind: 'count', where: ofType('gateway.request') },
  { as: 'eventsIngested', kind: 'count', where: ofType('event.ingested') },
];

/**
 * Event types that show an operator being active: every type but `storage.sample`, which is the
 * platform measuring what is stored (it arrives for idle and suspended operators alike).
 */
export const ACTIVITY_TYPES: readonly EventType[] = EVENT_TYPES.filter((type) => type !== 'storage.sample');

const activity = (tenantId: string, window: TimeWindow): Omit<QuerySpec, 'measures'> => ({
  tenantId,
  window,
  types: ACTIVITY_TYPES,
  filters: [HAS_OPERATOR],
});

const count = (row: QueryRow | undefined, key: string): number => Number(row?.[key] ?? 0);
const windowOf = (window: TimeWindow) => ({ from: isoSeconds(window.from), to: isoSeconds(window.to) });

/** Platform-wide KPIs: registry counts (now) and the window's usage in one query. */
export async function platformSummary(
  store: TimeSeriesStore,
  registry: PlatformRegistry,
  tenantId: string,
  window: TimeWindow,
): Promise<PlatformSummaryResponse> {
  const [[row], operators, connections] = await Promise.all([
    store.query({ ...activity(tenantId, window), measures: platformUsageMeasures }),
    listOperators(registry, tenantId),
    listConnections(registry, tenantId),
  ]);
  const byConnection = noConnections();
  for (const connection of connections) addConnection(byConnection, connection);
  const active = operators.filter((operator) => operator.status === 'active').length;
  return {
    window: windowOf(window),
    operators: { active, suspended: operators.length - active, total: operators.length },
    apiCalls: count(row, 'apiCalls'),
    gatewayRequests: count(row, 'gatewayRequests'),
    eventsIngested: count(row, 'eventsIngested'),
    connections: byConnection,
  };
}

export interface OperatorsPage {
  limit: number;
  offset: number;
  sort: OperatorSort;
  order?: SortOrder | undefined;
}

type Key = string | number | null;
const keyOf = (row: PlatformOperatorRow, sort: OperatorSort): Key => {
  if (sort === 'lastActiveAt') return row.lastActiveAt === null ? null : Date.parse(row.lastActiveAt);
  return row[sort];
};

/**
 * Orders operator rows by `sort` in `order`; nulls last in either order, ties by operatorId asc.
 * Names compare by code point, so the order is the same on every machine.
 */
export function compareOperators(sort: OperatorSort, order: SortOrder) {
  const sign = order === 'asc' ? 1 : -1;
  return (a: PlatformOperatorRow, b: PlatformOperatorRow): number => {
    const x = keyOf(a, sort);
    const y = keyOf(b, sort);
    if (x !== y) {
      if (x === null) return 1;
      if (y === null) return -1;
      if (x < y) return -sign;
      if (x > y) return sign;
    }
    return a.operatorId < b.operatorId ? -1 : a.operatorId > b.operatorId ? 1 : 0;
  };
}

/**
 * Every operator with its connections and the window's usage: one query grouped by operator,
 * joined with the operator and connection lists of the registry; sorted and paged here, since
 * names, statuses and connections live in the registry, not in the store.
 */
export async function platformOperators(
  store: TimeSeriesStore,
  registry: PlatformRegistry,
  tenantId: string,
  window: TimeWindow,
  page: OperatorsPage,
): Promise<PlatformOperatorsResponse> {
  const [rows, operators, connections] = await Promise.all([
    store.query({
      ...activity(tenantId, window),
      groupBy: ['operatorId'],
      measures: [...platformUsageMeasures, { as: 'lastActiveAt', kind: 'lastTime' }],
    }),
    listOperators(registry, tenantId),
    listConnections(registry, tenantId),
  ]);
  const usage = new Map(rows.map((row) => [String(row.operatorId), row]));
  const activeConnections = new Map<string, number>();
  for (const connection of connections) {
    const current = activeConnections.get(connection.operatorId) ?? 0;
    activeConnections.set(connection.operatorId, current + (connection.status === 'active' ? 1 : 0));
  }
  const registered = new Map(operators.map((operator) => [operator.id, operator]));
  const ids = new Set([...registered.keys(), ...usage.keys(), ...activeConnections.keys()]);

  const items: PlatformOperatorRow[] = [...ids].map((operatorId) => {
    const operator = registered.get(operatorId);
    const row = usage.get(operatorId);
    const last = row?.lastActiveAt;
    return {
      operatorId,
      name: operator?.name ?? null,
      status: operator?.status ?? 'unregistered',
      activeConnections: activeConnections.get(operatorId) ?? 0,
      apiCalls: count(row, 'apiCalls'),
      eventsIngested: count(row, 'eventsIngested'),
      gatewayRequests: count(row, 'gatewayRequests'),
      lastActiveAt: last instanceof Date ? isoSeconds(last) : null,
    };
  });
  const order = page.order ?? (page.sort === 'name' ? 'asc' : 'desc');
  items.sort(compareOperators(page.sort, order));
  return {
    window: windowOf(window),
    items: items.slice(page.offset, page.offset + page.limit),
    pagination: {
      total: items.length,
      limit: page.limit,
      offset: page.offset,
      hasMore: page.offset + page.limit < items.length,
    },
  };
}

/**
 * Connector adoption: connections per connector from the registry, and the window's gateway
 * requests and active operators per connector in one query grouped by connector.
 */
export async function platformConnectors(
  store: TimeSeriesStore,
  registry: PlatformRegistry,
  tenantId: string,
  window: TimeWindow,
): Promise<PlatformConnectorsResponse> {
  const [rows, connectors, connections] = await Promise.all([
    store.query({
      tenantId,
      window,
      types: ['gateway.request'],
      filters: [HAS_OPERATOR, { dimension: 'connectorId', op: 'present' }],
      groupBy: ['connectorId'],
      measures: [
        { as: 'gatewayRequests', kind: 'count' },
        { as: 'operatorsActive', kind: 'distinctCount', dimension: 'operatorId' },
      ],
    }),
    listConnectors(registry, tenantId),
    listConnections(registry, tenantId),
  ]);
  const usage = new Map(rows.map((row) => [String(row.connectorId), row]));
  const byConnector = new Map<string, { counts: ConnectionCounts; using: Set<string> }>();
  for (const connection of connections) {
    let entry = byConnector.get(connection.connectorId);
    if (!entry) {
      entry = { counts: noConnections(), using: new Set() };
      byConnector.set(connection.connectorId, entry);
    }
    addConnection(entry.counts, connection);
    if (connection.status === 'active') entry.using.add(connection.operatorId);
  }
  const registered = new Map(connectors.map((connector) => [connector.id, connector]));
  const ids = new Set([...registered.keys(), ...byConnector.keys(), ...usage.keys()]);
  const items: PlatformConnectorsResponse['items'] = [...ids].map((connectorId) => {
    const connector = registered.get(connectorId);
    const entry = byConnector.get(connectorId);
    const row = usage.get(connectorId);
    return {
      connectorId,
      name: connector?.name ?? null,
      category: connector?.category ?? null,
      operatorsUsing: entry?.using.size ?? 0,
      operatorsActive: count(row, 'operatorsActive'),
      connections: entry?.counts ?? noConnections(),
      gatewayRequests: count(row, 'gatewayRequests'),
    };
  });
  items.sort(
    (a, b) =>
      b.operatorsUsing - a.operatorsUsing ||
      b.gatewayRequests - a.gatewayRequests ||
      (a.connectorId < b.connectorId ? -1 : a.connectorId > b.connectorId ? 1 : 0),
  );
  return { window: windowOf(window), items };
}
