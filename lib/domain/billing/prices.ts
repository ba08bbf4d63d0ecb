import { type PriceMetric, type StoredPricePlan, unitPrice } from '../registry/price-plans.ts';
import { AMOUNT_DECIMALS, lineAmount } from './money.ts';

/** A billed line's price: all null without a plan, a zero amount when the plan does not bill the metric. */
export interface LinePrice {
  pricePlanId: string | null;
  unitPrice: string | null;
  amount: string | null;
}

/** Prices `units` of `metric` (for one value of its dimension, or none) under a period's plan. */
export function priceLine(
  plan: StoredPricePlan | undefined,
  metric: PriceMetric,
  dimension: string | null,
  units: string,
): LinePrice {
  if (!plan) return { pricePlanId: null, unitPrice: null, amount: null };
  const price = unitPrice(plan, metric, dimension ?? undefined);
  if (price === undefined) {
    return { pricePlanId: plan.id, unitPrice: null, amount: (0).toFixed(AMOUNT_DECIMALS) };
  }
  return { pricePlanId: plan.id, unitPrice: price, amount: lineAmount(units, price) };
}
