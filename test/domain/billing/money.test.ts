import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fraction, lineAmount, roundFraction, sumDecimals, totalAmount } from '#lib/domain/billing/money.ts';

describe('lineAmount: units × unit price, exact, rounded half-up to 6 decimals', () => {
  it.each([
    [3, '0.000015', '0.000045'],
    [1, '0.000333333333', '0.000333'], // 1/3-style prices round per line
    [2, '0.000333333333', '0.000667'],
    [3, '0.000333333333', '0.001000'], // 0.000999999999
    [1, '0.0000035', '0.000004'], // a float product would print 0.000003
    [1, '0.0000025', '0.000003'], // half-up, not half-even
    [5, '0.0000001', '0.000001'],
    [4, '0.0000001', '0.000000'],
    [0, '0.023', '0.000000'],
    ['123456789012345', '0.000000000001', '123.456789'],
    ['999999999999999', '999999999999999.999999999999', '999999999999998999999999999000.000000'],
    ['0.150000', '0.023', '0.003450'],
    ['0.044444', '0.023', '0.001022'], // 0.001022212
  ])('%s × %s = %s', (units, price, amount) => {
    expect(lineAmount(units, price)).toBe(amount);
  });

  it('agrees with integer arithmetic on every count and 12-decimal price', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 12n }),
        fc.bigInt({ min: 0n, max: 10n ** 15n }),
        (units, pico) => {
          // price = pico / 10^12; amount in micros = units × pico / 10^6, rounded half-up
          const price = `${pico / 10n ** 12n}.${(pico % 10n ** 12n).toString().padStart(12, '0')}`;
          const micros = (units * pico * 2n + 10n ** 6n) / (2n * 10n ** 6n);
          const expected = `${micros / 10n ** 6n}.${(micros % 10n ** 6n).toString().padStart(6, '0')}`;
          expect(lineAmount(units, price)).toBe(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('sums 6-decimal strings exactly', () => {
    expect(sumDecimals([])).toBe('0.000000');
    expect(sumDecimals(['0.100000', '0.200000'])).toBe('0.300000');
    expect(sumDecimals(Array.from({ length: 1000 }, () => '0.000001'))).toBe('0.001000');
  });

  it('totals amounts, unknown (null) when any amount is unknown', () => {
    expect(totalAmount([])).toBe('0.000000');
    expect(totalAmount(['0.100000', '0.000001'])).toBe('0.100001');
    expect(totalAmount(['0.100000', null])).toBeNull();
  });
});

describe('fractions', () => {
  it('round half-up to any number of decimals', () => {
    expect(roundFraction(fraction(4n, 90n), 6)).toBe('0.044444');
    expect(roundFraction(fraction(2n, 3n), 6)).toBe('0.666667');
    expect(roundFraction(fraction(1n, 2n), 0)).toBe('1');
    expect(roundFraction(fraction(5n, 10_000_000n), 6)).toBe('0.000001');
    expect(roundFraction(fraction(4_000_000_000n, 45n), 0)).toBe('88888889');
    expect(roundFraction(fraction(0n, 7n), 6)).toBe('0.000000');
  });
});
