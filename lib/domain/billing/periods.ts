import { priceInForce, type StoredPricePlan } from '../registry/price-plans.ts';
import type { TimeWindow } from '../windows.ts';

/**
 * Plans can change inside a billed window: the window is cut at every plan boundary inside it
 * into pricing periods, each with the plan in force over all of it (or none), and each period is
 * measured and priced on its own.
 */
export interface PricingPeriod {
  from: Date;
  to: Date;
  plan: StoredPricePlan | undefined;
}

/** The window cut at every plan boundary inside it; adjacent pieces with the same plan are one. */
export function pricingPeriods(plans: readonly StoredPricePlan[], window: TimeWindow): PricingPeriod[] {
  const from = window.from.getTime();
  const to = window.to.getTime();
  const cuts = new Set<number>([from, to]);
  for (const plan of plans) {
    for (const boundary of [plan.validFrom, plan.validTo]) {
      const at = boundary === undefined ? Number.NaN : Date.parse(boundary);
      if (at > from && at < to) cuts.add(at);
    }
  }
  const sorted = [...cuts].sort((a, b) => a - b);
  const periods: PricingPeriod[] = [];
  for (let i = 0; i + 1 < sorted.length; i += 1) {
    const start = sorted[i] as number;
    const plan = priceInForce(plans, new Date(start));
    const last = periods.at(-1);
    if (last && last.plan?.id === plan?.id) last.to = new Date(sorted[i + 1] as number);
    else periods.push({ from: new Date(start), to: new Date(sorted[i + 1] as number), plan });
  }
  return periods;
}
