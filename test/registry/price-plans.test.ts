import { describe, expect, it } from 'vitest';
import { ValidationError } from '#lib/domain/errors.ts';
import {
  assertValidPlan,
  findOverlap,
  type PricePlan,
  priceInForce,
  rangesOverlap,
  UNIT_PRICE_PATTERN,
  unitPrice,
} from '#lib/domain/registry/price-plans.ts';
import { storedPlan as plan } from '#test/support/price-plans.ts';

describe('priceInForce', () => {
  const plans = [
    plan('2025', '2025-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'),
    plan('2026-h1', '2026-01-01T00:00:00.000Z', '2026-07-01T00:00:00.000Z'),
    plan('open', '2026-09-01T00:00:00.000Z'),
  ];

  it.each([
    ['2025-06-15T12:00:00Z', '2025'],
    ['2026-01-01T00:00:00Z', '2026-h1'], // validFrom is inclusive
    ['2025-12-31T23:59:59.999Z', '2025'],
    ['2026-07-01T00:00:00Z', undefined], // validTo is exclusive; nothing until September
    ['2026-08-31T23:59:59Z', undefined],
    ['2099-01-01T00:00:00Z', 'open'],
    ['2024-12-31T00:00:00Z', undefined],
  ])('at %s: %s', (at, expected) => {
    expect(priceInForce(plans, new Date(at))?.id).toBe(expected);
  });
});

describe('unitPrice', () => {
  const priced: Pick<PricePlan, 'prices'> = {
    prices: [
      { metric: 'api_call', unitPrice: '0.0004' },
      { metric: 'api_call', dimensionValue: 'payments', unitPrice: '0.001' },
      { metric: 'input_tokens_1k', dimensionValue: 'gpt-4o', unitPrice: '0.0025' },
      { metric: 'message_segment', unitPrice: '0.0065' },
    ],
  };

  it('takes the dimension-specific price, else the metric default, else nothing', () => {
    expect(unitPrice(priced, 'api_call', 'payments')).toBe('0.001');
    expect(unitPrice(priced, 'api_call', 'scores')).toBe('0.0004');
    expect(unitPrice(priced, 'api_call')).toBe('0.0004');
    expect(unitPrice(priced, 'input_tokens_1k', 'gpt-4o')).toBe('0.0025');
    expect(unitPrice(priced, 'input_tokens_1k', 'llama')).toBeUndefined();
    expect(unitPrice(priced, 'message_segment')).toBe('0.0065');
    expect(unitPrice(priced, 'storage_gb_month')).toBeUndefined();
  });
});

describe('validity and prices', () => {
  it('treats ranges as half-open, and open-ended ranges as endless', () => {
    const a = plan('a', '2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z');
    expect(rangesOverlap(a, plan('b', '2026-02-01T00:00:00Z'))).toBe(false);
    expect(rangesOverlap(a, plan('c', '2026-01-31T23:59:59Z'))).toBe(true);
    expect(rangesOverlap(plan('d', '2020-01-01T00:00:00Z'), plan('e', '2030-01-01T00:00:00Z'))).toBe(true);
    expect(findOverlap([a], a, 'a')).toBeUndefined();
    expect(findOverlap([a], plan('x', '2025-01-01T00:00:00Z'))?.id).toBe('a');
  });

  it.each([
    ['0', true],
    ['0.000000000001', true],
    ['123456789012345.5', true],
    ['10', true],
    ['0.0000000000001', false],
    ['-1', false],
    ['1.', false],
    ['.5', false],
    ['01', false],
    ['1e3', false],
    [' 1', false],
    ['1,5', false],
  ])('UNIT_PRICE_PATTERN matches %j: %s', (value, valid) => {
    expect(UNIT_PRICE_PATTERN.test(value)).toBe(valid);
  });

  it('rejects an inverted validity, a repeated price and a dimension on a single-price metric', () => {
    const base = { validFrom: '2026-01-01T00:00:00Z' };
    expect(() => assertValidPlan({ ...base, validTo: '2026-01-01T00:00:00Z', prices: [] })).toThrow(
      ValidationError,
    );
    expect(() =>
      assertValidPlan({
        ...base,
        prices: [
          { metric: 'api_call', dimensionValue: 'x', unitPrice: '1' },
          { metric: 'api_call', dimensionValue: 'x', unitPrice: '2' },
        ],
      }),
    ).toThrow(/second price/);
    expect(() =>
      assertValidPlan({
        ...base,
        prices: [{ metric: 'storage_gb_month', dimensionValue: 'ssd', unitPrice: '1' }],
      }),
    ).toThrow(/takes no dimensionValue/);
    expect(() =>
      assertValidPlan({
        ...base,
        prices: [
          { metric: 'api_call', unitPrice: '1' },
          { metric: 'api_call', dimensionValue: 'payments', unitPrice: '2' },
        ],
      }),
    ).not.toThrow();
  });
});
