import * as z from 'zod';
import { UNIT_PRICE_PATTERN } from '../domain/registry/price-plans.ts';
import { calendarDateParam, dateOrInstantParam } from './calendar.ts';
import { integerParam, moneyString, windowSchema } from './common.ts';

/**
 * contracts/platform-metrics-api.txt: the metrics endpoints (summary, per operator, per
 * connector) and the billing report. camelCase JSON; counts are whole numbers; money and unit
 * prices are exact decimal strings. Figures that come from events count only events that carry
 * an `operatorId` ("across all operators": usage attributed to no operator is nobody's).
 *
 * Windows of the metrics endpoints: `from` (inclusive) and `to` (exclusive), ISO 8601 with a zone
 * or a plain date (00:00 UTC); `to` defaults to now and `from` to 30 days before `to`; at most 90
 * days, else 400 INVALID_WINDOW.
 */

const count = z.number().int().nonnegative();
const connectionCounts = z.strictObject({
  /** Connections with status `active`. */
  active: count,
  inactive: count,
  /** active + inactive. */
  total: count,
});

export const PLATFORM_DEFAULT_WINDOW_DAYS = 30;

export const platformWindowQuery = z.strictObject({
  from: dateOrInstantParam.optional(),
  to: dateOrInstantParam.optional(),
});

// GET /platform-api/metrics/summary

export const platformSummaryResponse = z.strictObject({
  window: windowSchema,
  /** Registered operators now, by status (registry; not windowed). */
  operators: z.strictObject({ active: count, suspended: count, total: count }),
  /** `api.request` events of the window. */
  apiCalls: count,
  /** `gateway.request` events of the window. */
  gatewayRequests: count,
  /** `event.ingested` events of the window. */
  eventsIngested: count,
  /** Registered operator–connector connections now (registry; not windowed); "connections active" is `active`. */
  connections: connectionCounts,
});
export type PlatformSummaryResponse = z.infer<typeof platformSummaryResponse>;

// GET /platform-api/metrics/operators

export const OPERATOR_SORTS = [
  'name',
  'apiCalls',
  'eventsIngested',
  'gatewayRequests',
  'lastActiveAt',
  'activeConnections',
] as const;
export type OperatorSort = (typeof OPERATOR_SORTS)[number];
export const SORT_ORDERS = ['asc', 'desc'] as const;
export type SortOrder = (typeof SORT_ORDERS)[number];
export const MAX_OPERATORS_LIMIT = 200;
export const DEFAULT_OPERATORS_LIMIT = 50;

/**
 * `sort` (default `apiCalls`: the most active operators first) with `order` (default `asc` for
 * `name`, `desc` for every other sort). A null `name` or `lastActiveAt` sorts last in either
 * order; ties go by `operatorId` ascending, so pages are stable. Paged by `limit` (1–200,
 * default 50) and `offset` (default 0).
 */
export const platformOperatorsQuery = z.strictObject({
  from: dateOrInstantParam.optional(),
  to: dateOrInstantParam.optional(),
  limit: integerParam(1, MAX_OPERATORS_LIMIT).default(DEFAULT_OPERATORS_LIMIT),
  offset: integerParam(0, Number.MAX_SAFE_INTEGER).default(0),
  sort: z.enum(OPERATOR_SORTS).default('apiCalls'),
  order: z.enum(SORT_ORDERS).optional(),
});
export type PlatformOperatorsQuery = z.infer<typeof platformOperatorsQuery>;

/** `unregistered`: an operator id that events (or connections) name but the registry does not hold. */
export const PLATFORM_OPERATOR_STATUSES = ['active', 'suspended', 'unregistered'] as const;

export const platformOperatorRow = z.strictObject({
  operatorId: z.string(),
  /** The registry's name; null for an unregistered operator. */
  name: z.string().nullable(),
  status: z.enum(PLATFORM_OPERATOR_STATUSES),
  /** The operator's connections with status `active` (registry; not windowed). */
  activeConnections: count,
  apiCalls: count,
  eventsIngested: count,
  gatewayRequests: count,
  /**
   * Time of the operator's latest event of the window, of any type but `storage.sample` (a
   * storage sample is the platform measuring what is stored, not the operator doing something);
   * null when there is none.
   */
  lastActiveAt: z.iso.datetime().nullable(),
});
export type PlatformOperatorRow = z.infer<typeof platformOperatorRow>;

/**
 * Every registered operator (idle ones with zeros) plus every operator id seen in the window's
 * events or in a connection that the registry does not hold (status `unregistered`).
 */
export const platformOperatorsResponse = z.strictObject({
  window: windowSchema,
  items: z.array(platformOperatorRow),
  pagination: z.strictObject({
    /** Operators in the whole list (all pages). */
    total: count,
    limit: z.number().int().min(1).max(MAX_OPERATORS_LIMIT),
    offset: count,
    hasMore: z.boolean(),
  }),
});
export type PlatformOperatorsResponse = z.infer<typeof platformOperatorsResponse>;

// GET /platform-api/metrics/connectors

export const platformConnectorRow = z.strictObject({
  connectorId: z.string(),
  /** The registry's name; null for a connector id only events or connections name. */
  name: z.string().nullable(),
  category: z.string().nullable(),
  /** Distinct operators with an `active` connection to the connector (registry; not windowed). */
  operatorsUsing: count,
  /** Distinct operators that sent gateway requests through the connector in the window. */
  operatorsActive: count,
  /** The connector's connections by status (registry; not windowed). */
  connections: connectionCounts,
  /** `gateway.request` events through the connector in the window. */
  gatewayRequests: count,
});

/**
 * Every registered connector, plus connector ids that only events or connections name. Ordered
 * by adoption: `operatorsUsing` desc, then `gatewayRequests` desc, then `connectorId` asc.
 */
export const platformConnectorsResponse = z.strictObject({
  window: windowSchema,
  items: z.array(platformConnectorRow),
});
export type PlatformConnectorsResponse = z.infer<typeof platformConnectorsResponse>;

// GET /platform-api/usage/report

export const MAX_REPORT_DAYS = 92;

/** The form the report prints its dates in (requests read them with calendarDateParam). */
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * `start` and `end` are both required UTC calendar dates and `end` is inclusive: the report
 * covers [start 00:00Z, end + 1 day 00:00Z). `end` before `start`, or more than 92 days (a
 * quarter), is 400 INVALID_WINDOW naming `end`.
 */
export const usageReportQuery = z.strictObject({ start: calendarDateParam, end: calendarDateParam });
export type UsageReportQuery = z.infer<typeof usageReportQuery>;

const unitPriceString = z.string().regex(UNIT_PRICE_PATTERN);
/** 6 decimals, e.g. "12.345678". */
const decimal6 = z.string().regex(/^\d+\.\d{6}$/);

/**
 * How a line is priced. Lines are per (dimension value, price plan): a window in which the
 * price plan changes gives a line per plan. `pricePlanId` null: no plan was in force, and
 * `unitPrice` and `amount` are null. A plan that has no price for the metric (nor a default
 * price) does not bill it: `unitPrice` null, `amount` "0.000000". Otherwise `amount` = units ×
 * `unitPrice`, computed exactly and rounded half-up to 6 decimals.
 */
const priced = {
  pricePlanId: z.string().nullable(),
  unitPrice: unitPriceString.nullable(),
  amount: moneyString.nullable(),
};

export const apiCallLine = z.strictObject({
  /** The endpoint category; null for calls without one (priced at the metric's default price). */
  category: z.string().nullable(),
  calls: count,
  ...priced,
});
export const gatewayRequestLine = z.strictObject({
  connectorId: z.string().nullable(),
  /** The registry's connector name; null when the registry does not hold the connector. */
  name: z.string().nullable(),
  requests: count,
  ...priced,
});
export const eventsIngestedLine = z.strictObject({
  /** The ingested event's own type (the event's `category`). */
  type: z.string().nullable(),
  events: count,
  ...priced,
});
/**
 * Storage over the part of the window a plan covers. Each UTC day (or the part of it inside the
 * period) counts with the mean `storageBytes` of the operator's `storage.sample` events of that
 * day; a day without a sample counts as zero bytes. `averageBytes` = the time-weighted mean over
 * the period (whole bytes, half-up); `gbMonths` = Σ day means × day fraction / 30 / 10⁹ (GB of
 * 10⁹ bytes, months of 30 days), rounded half-up to 6 decimals; `amount` = gbMonths × unitPrice.
 */
export const storageLine = z.strictObject({
  averageBytes: count,
  gbMonths: decimal6,
  ...priced,
});

const usageTotals = {
  apiCalls: count,
  gatewayRequests: count,
  eventsIngested: count,
  storageGbMonths: decimal6,
  /** apiCalls + gatewayRequests + eventsIngested: the countable usage (storage is in GB-months). */
  billableUnits: count,
  /** Σ of the line amounts; null when any line has no plan in force (its amount is unknown). */
  amount: moneyString.nullable(),
};

export const usageReportOperator = z.strictObject({
  operatorId: z.string(),
  name: z.string().nullable(),
  status: z.enum(PLATFORM_OPERATOR_STATUSES),
  ...usageTotals,
  apiCallsByCategory: z.array(apiCallLine),
  gatewayRequestsByConnector: z.array(gatewayRequestLine),
  eventsIngestedByType: z.array(eventsIngestedLine),
  /** One line per price plan under which the operator sent storage samples. */
  storage: z.array(storageLine),
});
export type UsageReportOperator = z.infer<typeof usageReportOperator>;

/**
 * The billing report of [start, end]. `operators`: every registered active operator (zeros when
 * idle), and every other operator (suspended, or unregistered) with usage in the window, by
 * `operatorId`. `totals` is the exact sum of the operator rows, field by field.
 */
export const usageReportResponse = z.strictObject({
  start: z.string().regex(DATE),
  end: z.string().regex(DATE),
  window: windowSchema,
  /** The currency of the plans in force; null when none is. */
  currency: z.string().nullable(),
  /** The window cut at every price-plan boundary inside it, in time order. */
  pricingPeriods: z.array(
    z.strictObject({
      from: z.iso.datetime(),
      to: z.iso.datetime(),
      pricePlanId: z.string().nullable(),
      pricePlanName: z.string().nullable(),
    }),
  ),
  /** Why some amounts are null (periods without a price plan), in words. */
  notes: z.array(z.string()),
  operators: z.array(usageReportOperator),
  totals: z.strictObject({ operators: count, ...usageTotals }),
});
export type UsageReportResponse = z.infer<typeof usageReportResponse>;
