import { INSTANT_RULE, INVALID_TIME, parseInstant } from '../calendar.ts';
import { ValidationError } from '../errors.ts';
import type { EntityMeta } from './types.ts';

/**
 * Price plans: what a tenant charges per billable unit, in force over a validity range
 * [validFrom, validTo). Unit prices are exact decimal strings (up to 12 decimals, because per-token
 * prices are tiny) and are never turned into floats here; the billing report multiplies them
 * exactly. A price may be specific to one value of the metric's dimension and falls back to the
 * metric's default price (the entry without a dimension value).
 */
export const PRICE_METRICS = [
  'api_call',
  'gateway_request',
  'event_ingested',
  'storage_gb_month',
  'input_tokens_1k',
  'output_tokens_1k',
  'message_segment',
] as const;
export type PriceMetric = (typeof PRICE_METRICS)[number];

/** The event dimension a metric's `dimensionValue` refers to; null when a metric has one price only. */
export const METRIC_DIMENSIONS: Readonly<Record<PriceMetric, 'category' | 'connectorId' | 'model' | null>> = {
  api_call: 'category', // endpoint category of api.request events
  gateway_request: 'connectorId',
  event_ingested: 'category', // the ingested event's own type
  storage_gb_month: null,
  input_tokens_1k: 'model',
  output_tokens_1k: 'model',
  message_segment: null,
};

export interface UnitPrice {
  metric: PriceMetric;
  /** Absent: the metric's default price. */
  dimensionValue?: string;
  /** Non-negative decimal string, at most 12 decimals: "0.000150". */
  unitPrice: string;
}

export interface PricePlan {
  name: string;
  description?: string;
  /** ISO 4217. */
  currency: string;
  /** Inclusive, ISO 8601 UTC. */
  validFrom: string;
  /** Exclusive, ISO 8601 UTC; absent: open-ended. */
  validTo?: string;
  prices: UnitPrice[];
}

export type StoredPricePlan = PricePlan & EntityMeta;

/** Non-negative, no sign, no exponent, no superfluous leading zeros, 1–12 decimals when a point is present. */
export const UNIT_PRICE_PATTERN = /^(?:0|[1-9]\d{0,14})(?:\.\d{1,12})?$/;

type Validity = Pick<PricePlan, 'validFrom' | 'validTo'>;

const startOf = (plan: Validity) => Date.parse(plan.validFrom);
const endOf = (plan: Validity) =>
  plan.validTo === undefined ? Number.POSITIVE_INFINITY : Date.parse(plan.validTo);

/** Half-open ranges overlap when each starts before the other ends. */
export function rangesOverlap(a: Validity, b: Validity): boolean {
  return startOf(a) < endOf(b) && startOf(b) < endOf(a);
}

/** The plan in force at `at` (validFrom ≤ at < validTo); plans of one tenant never overlap. */
export function priceInForce<P extends Validity>(plans: readonly P[], at: Date): P | undefined {
  const time = at.getTime();
  let found: P | undefined;
  for (const plan of plans) {
    if (startOf(plan) <= time && time < endOf(plan) && (!found || startOf(plan) > startOf(found)))
      found = plan;
  }
  return found;
}

/**
 * The unit price of `metric` for `dimensionValue` under `plan`: the dimension-specific price if
 * the plan has one, else the metric's default, else undefined (the metric is not billed).
 */
export function unitPrice(
  plan: Pick<PricePlan, 'prices'>,
  metric: PriceMetric,
  dimensionValue?: string,
): string | undefined {
  let fallback: string | undefined;
  for (const price of plan.prices) {
    if (price.metric !== metric) continue;
    if (price.dimensionValue === undefined) fallback = price.unitPrice;
    else if (dimensionValue !== undefined && price.dimensionValue === dimensionValue) return price.unitPrice;
  }
  return fallback;
}

/** The first stored plan (other than `exceptId`) whose validity overlaps `candidate`'s. */
export function findOverlap<P extends Validity & { id: string }>(
  plans: readonly P[],
  candidate: Validity,
  exceptId?: string,
): P | undefined {
  return plans.find((plan) => plan.id !== exceptId && rangesOverlap(plan, candidate));
}

/**
 * Rules a price list must keep beyond its shape: validity bounds are real instants (the request
 * schema already reads them with lib/domain/calendar.ts; this holds for any other caller), validity ends after it starts, at most one price
 * per (metric, dimension value), and dimension values only for metrics that have a dimension.
 */
export function assertValidPlan(plan: Validity & Pick<PricePlan, 'prices'>): void {
  const errors: { in: 'body'; name: string; code?: string; message: string }[] = [];
  for (const name of ['validFrom', 'validTo'] as const) {
    const bound = plan[name] === undefined ? undefined : parseInstant(plan[name]);
    if (bound?.ok === false) {
      errors.push({
        in: 'body',
        name,
        code: INVALID_TIME,
        message: `must be ${INSTANT_RULE} (${bound.reason})`,
      });
    }
  }
  if (errors.length === 0 && plan.validTo !== undefined && endOf(plan) <= startOf(plan)) {
    errors.push({ in: 'body', name: 'validTo', message: 'must be later than validFrom' });
  }
  const seen = new Set<string>();
  plan.prices.forEach((price, index) => {
    if (price.dimensionValue !== undefined && METRIC_DIMENSIONS[price.metric] === null) {
      errors.push({
        in: 'body',
        name: `prices.${index}.dimensionValue`,
        message: `${price.metric} has a single price; it takes no dimensionValue`,
      });
    }
    const key = `${price.metric}\u0000${price.dimensionValue ?? ''}`;
    if (seen.has(key)) {
      errors.push({
        in: 'body',
        name: `prices.${index}`,
        message: `a second price for ${price.metric}${price.dimensionValue === undefined ? '' : ` / ${price.dimensionValue}`}`,
      });
    }
    seen.add(key);
  });
  const first = errors[0];
  if (first) {
    throw new ValidationError('INVALID_PRICE_PLAN', `body parameter '${first.name}': ${first.message}`, {
      errors,
    });
  }
}
