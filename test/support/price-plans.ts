import type { StoredPricePlan, UnitPrice } from '#lib/domain/registry/price-plans.ts';

/** A stored EUR plan named after its id, valid from `validFrom` (to `validTo`, or open-ended). */
export const storedPlan = (
  id: string,
  validFrom: string,
  validTo?: string,
  prices: UnitPrice[] = [],
): StoredPricePlan => ({
  id,
  name: id,
  currency: 'EUR',
  validFrom,
  ...(validTo ? { validTo } : {}),
  prices,
  version: 1,
  createdAt: validFrom,
  updatedAt: validFrom,
});
