import { describe, expect, it } from 'vitest';
import { pricingPeriods } from '#lib/domain/billing/periods.ts';
import { storedPlan as plan } from '#test/support/price-plans.ts';

describe('pricingPeriods', () => {
  const march = { from: new Date('2026-03-01T00:00:00Z'), to: new Date('2026-04-01T00:00:00Z') };
  const shape = (periods: ReturnType<typeof pricingPeriods>) =>
    periods.map((p) => [p.from.toISOString(), p.to.toISOString(), p.plan?.id ?? null]);

  it('is the whole window under one plan', () => {
    expect(shape(pricingPeriods([plan('a', '2026-01-01T00:00:00Z')], march))).toEqual([
      ['2026-03-01T00:00:00.000Z', '2026-04-01T00:00:00.000Z', 'a'],
    ]);
    // a boundary on the window's edge cuts nothing
    expect(
      shape(pricingPeriods([plan('b', '2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z')], march)),
    ).toHaveLength(1);
  });

  it('cuts at every boundary inside the window, gaps included', () => {
    const plans = [
      plan('a', '2026-01-01T00:00:00Z', '2026-03-10T00:00:00Z'),
      plan('b', '2026-03-20T06:00:00Z', '2026-03-25T00:00:00Z'),
      plan('c', '2026-03-25T00:00:00Z'),
    ];
    expect(shape(pricingPeriods(plans, march))).toEqual([
      ['2026-03-01T00:00:00.000Z', '2026-03-10T00:00:00.000Z', 'a'],
      ['2026-03-10T00:00:00.000Z', '2026-03-20T06:00:00.000Z', null],
      ['2026-03-20T06:00:00.000Z', '2026-03-25T00:00:00.000Z', 'b'],
      ['2026-03-25T00:00:00.000Z', '2026-04-01T00:00:00.000Z', 'c'],
    ]);
  });

  it('is one unpriced period without plans', () => {
    expect(shape(pricingPeriods([], march))).toEqual([
      ['2026-03-01T00:00:00.000Z', '2026-04-01T00:00:00.000Z', null],
    ]);
  });
});
