import { describe, expect, it } from 'vitest';
import { StoredIdFilter } from '#lib/stores/duckdb/stored-id-filter.ts';

/** Deterministic pseudo-random 32-bit halves (xorshift), standing in for DuckDB's hash(). */
function* halves(seed: number): Generator<[number, number]> {
  let x = seed >>> 0 || 1;
  const next = () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
  for (;;) yield [next(), next()];
}

describe('StoredIdFilter', () => {
  it('never forgets an id it was given (no false negatives), even far past capacity', () => {
    const filter = new StoredIdFilter(100);
    const added: [number, number][] = [];
    const source = halves(7);
    for (let i = 0; i < 1_000; i++) {
      const pair = source.next().value as [number, number];
      filter.add(...pair);
      added.push(pair);
    }
    expect(filter.overfull).toBe(true);
    for (const pair of added) expect(filter.mightContain(...pair)).toBe(true);
  });

  it('says "maybe" for unknown ids rarely when within capacity', () => {
    const filter = new StoredIdFilter(10_000);
    const source = halves(11);
    for (let i = 0; i < 10_000; i++) filter.add(...(source.next().value as [number, number]));
    expect(filter.overfull).toBe(false);
    const others = halves(99_991);
    let falsePositives = 0;
    for (let i = 0; i < 100_000; i++)
      if (filter.mightContain(...(others.next().value as [number, number]))) falsePositives++;
    // Designed for about 1e-5 when full: allow a wide margin, still far below any useful "always maybe".
    expect(falsePositives).toBeLessThan(20);
  });
});
