import { describe, expect, it } from 'vitest';
import { fraction } from '#lib/domain/billing/money.ts';
import { priceLine } from '#lib/domain/billing/prices.ts';
import { averageBytes, COUNTED_USAGE, gbMonths, storageByteMs } from '#lib/domain/billing/units.ts';
import { METRIC_DIMENSIONS } from '#lib/domain/registry/price-plans.ts';
import { storedPlan } from '#test/support/price-plans.ts';

const DAY_MS = 86_400_000;

describe('counted usage', () => {
  it("is billed per the dimension its metric's prices refer to", () => {
    for (const usage of COUNTED_USAGE) expect(usage.dimension).toBe(METRIC_DIMENSIONS[usage.metric]);
  });
});

describe('storage units', () => {
  const day = new Date('2026-03-10T00:00:00Z');

  it('weigh a day by the part of it inside the period', () => {
    const whole = { from: new Date('2026-03-01T00:00:00Z'), to: new Date('2026-04-01T00:00:00Z') };
    expect(storageByteMs(fraction(10n, 1n), day, whole)).toEqual(fraction(10n * BigInt(DAY_MS), 1n));
    // a plan boundary at 06:00 leaves 18 hours of the day to the later period
    const later = { from: new Date('2026-03-10T06:00:00Z'), to: whole.to };
    expect(storageByteMs(fraction(3n, 2n), day, later)).toEqual(fraction(3n * BigInt(0.75 * DAY_MS), 2n));
  });

  it('are GB-months of 10⁹ bytes and 30 days, rounded half-up to 6 decimals', () => {
    const gbFor30Days = fraction(1_000_000_000n * 30n * BigInt(DAY_MS), 1n);
    expect(gbMonths(gbFor30Days)).toBe('1.000000');
    expect(gbMonths(fraction(1_000_000_000n * BigInt(DAY_MS), 1n))).toBe('0.033333');
    expect(gbMonths(fraction(1_000_000_000n * 2n * BigInt(DAY_MS), 1n))).toBe('0.066667');
  });

  it('average to whole bytes over the period', () => {
    expect(averageBytes(fraction(5n * BigInt(DAY_MS), 1n), 2 * DAY_MS)).toBe(3); // 2.5 rounds up
  });
});

describe('priceLine', () => {
  const plan = storedPlan('plan_1', '2026-01-01T00:00:00Z', undefined, [
    { metric: 'api_call', unitPrice: '0.0004' },
    { metric: 'api_call', dimensionValue: 'payments', unitPrice: '0.001' },
  ]);

  it('prices units with the dimension price, else the default price', () => {
    expect(priceLine(plan, 'api_call', 'payments', '3')).toEqual({
      pricePlanId: 'plan_1',
      unitPrice: '0.001',
      amount: '0.003000',
    });
    expect(priceLine(plan, 'api_call', null, '3')).toEqual({
      pricePlanId: 'plan_1',
      unitPrice: '0.0004',
      amount: '0.001200',
    });
  });

  it('bills a metric the plan does not price at zero, and leaves usage without a plan unpriced', () => {
    expect(priceLine(plan, 'storage_gb_month', null, '2.500000')).toEqual({
      pricePlanId: 'plan_1',
      unitPrice: null,
      amount: '0.000000',
    });
    expect(priceLine(undefined, 'api_call', 'payments', '3')).toEqual({
      pricePlanId: null,
      unitPrice: null,
      amount: null,
    });
  });
});
