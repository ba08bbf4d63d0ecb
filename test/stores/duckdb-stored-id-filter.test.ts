import { describe, expect, it } from 'vitest';
import {
  HashedIdSet,
  idHashes,
  joinedIdHashes,
  StoredIdFilter,
} from '#lib/stores/duckdb/stored-id-filter.ts';

/** Deterministic pseudo-random 32-bit halves (xorshift), standing in for idHashes. */
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
  it('never forgets an id it was given (no false negatives), also once it has grown past its first layer', () => {
    const filter = new StoredIdFilter(100);
    const added: [number, number][] = [];
    const source = halves(7);
    for (let i = 0; i < 1_000; i++) {
      const pair = source.next().value as [number, number];
      filter.add(...pair);
      added.push(pair);
    }
    expect(filter.layers).toBeGreaterThan(1);
    for (const pair of added) expect(filter.mightContain(...pair)).toBe(true);
  });

  it('says "maybe" for unknown ids rarely, also after growing to several layers', () => {
    const grown = new StoredIdFilter(1_000);
    const added = halves(5);
    for (let i = 0; i < 30_000; i++) grown.add(...(added.next().value as [number, number]));
    expect(grown.layers).toBe(5); // 1k + 2k + 4k + 8k + 16k ids
    const unknown = halves(77_777);
    let falsePositives = 0;
    for (let i = 0; i < 100_000; i++)
      if (grown.mightContain(...(unknown.next().value as [number, number]))) falsePositives++;
    expect(falsePositives).toBeLessThan(20);
  });

  it('says "maybe" for unknown ids rarely when within capacity', () => {
    const filter = new StoredIdFilter(10_000);
    const source = halves(11);
    for (let i = 0; i < 10_000; i++) filter.add(...(source.next().value as [number, number]));
    expect(filter.layers).toBe(1);
    const others = halves(99_991);
    let falsePositives = 0;
    for (let i = 0; i < 100_000; i++)
      if (filter.mightContain(...(others.next().value as [number, number]))) falsePositives++;
    // Designed for about 6e-6 when full: allow a wide margin, still far below any useful "always maybe".
    expect(falsePositives).toBeLessThan(20);
  });
});

describe('idHashes', () => {
  const pairs = (hashes: Uint32Array) =>
    Array.from(
      { length: hashes.length / 2 },
      (_, i) => [hashes[2 * i] as number, hashes[2 * i + 1] as number] as const,
    );

  it('hashes (tenant, id) the same way every time, and differently for another tenant', () => {
    const ids = ['evt-1', 'evt-2', 'ünïcødé', 'a'.repeat(128)];
    expect(idHashes('ten_a', ids)).toEqual(idHashes('ten_a', ids));
    expect(pairs(idHashes('ten_a', ids))).toEqual(ids.map((id) => pairs(idHashes('ten_a', [id]))[0]));
    const other = pairs(idHashes('ten_b', ids));
    pairs(idHashes('ten_a', ids)).forEach((pair, i) => {
      expect(pair).not.toEqual(other[i]);
    });
    // The separator keeps ("ab", "c") and ("a", "bc") apart.
    expect(pairs(idHashes('ab', ['c']))).not.toEqual(pairs(idHashes('a', ['bc'])));
  });

  it('hashes newline-joined ids (joinedIdHashes) exactly as it hashes them one by one', () => {
    const cases = [['evt-1', 'evt-2', 'ünïcødé-𝄞', "it's", 'a'.repeat(128)], ['only'], ['', 'empty', '', '']];
    for (const ids of cases)
      expect(joinedIdHashes('ten_a', ids.join('\n'), '\n')).toEqual(idHashes('ten_a', ids));
  });

  it('spreads sequential ids well enough for the filter to stay sharp', () => {
    const stored = Array.from({ length: 50_000 }, (_, i) => `bench-1763900000000-0-${i}`);
    const filter = new StoredIdFilter(stored.length);
    for (const [high, low] of pairs(idHashes('ten_demo', stored))) filter.add(high, low);
    const fresh = Array.from({ length: 200_000 }, (_, i) => `bench-1763900000000-1-${i}`);
    let falsePositives = 0;
    for (const [high, low] of pairs(idHashes('ten_demo', fresh)))
      if (filter.mightContain(high, low)) falsePositives++;
    for (const [high, low] of pairs(idHashes('ten_other', stored)))
      if (filter.mightContain(high, low)) falsePositives++;
    expect(falsePositives).toBeLessThan(20);
  });
});

describe('HashedIdSet (ids taken earlier in a write group)', () => {
  it('holds exactly the (tenant, id)s added, by their hashes', () => {
    const ids = Array.from({ length: 5000 }, (_, i) => `evt-${i}`);
    const hashes = idHashes('ten_a', ids);
    const set = new HashedIdSet(ids.length);
    ids.forEach((id, i) => {
      if (i % 2 === 0) set.add('ten_a', id, hashes[2 * i] as number, hashes[2 * i + 1] as number);
    });
    expect(set.size).toBe(2500);
    const found = ids.filter((id, i) =>
      set.has('ten_a', id, hashes[2 * i] as number, hashes[2 * i + 1] as number),
    );
    expect(found).toEqual(ids.filter((_, i) => i % 2 === 0));
    // The same ids of another tenant are other events.
    const other = idHashes('ten_b', ids);
    expect(
      ids.some((id, i) => set.has('ten_b', id, other[2 * i] as number, other[2 * i + 1] as number)),
    ).toBe(false);
  });

  it('tells apart ids whose hashes collide, and adds an id once', () => {
    const set = new HashedIdSet(4);
    set.add('ten_a', 'one', 7, 9);
    set.add('ten_a', 'two', 7, 9); // the same halves: a collision, still another id
    set.add('ten_b', 'one', 7, 9);
    set.add('ten_a', 'one', 7, 9);
    expect(set.size).toBe(3);
    expect(set.has('ten_a', 'one', 7, 9)).toBe(true);
    expect(set.has('ten_a', 'two', 7, 9)).toBe(true);
    expect(set.has('ten_b', 'one', 7, 9)).toBe(true);
    expect(set.has('ten_b', 'two', 7, 9)).toBe(false);
    expect(set.has('ten_a', 'one', 7, 10)).toBe(false);
  });
});
