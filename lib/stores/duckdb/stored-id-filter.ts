/**
 * A Bloom filter over every stored (tenant_id, event_id), held in memory by the single writer so
 * that most batches skip the existence join, whose cost grows with the table (a hash join over a
 * scan of every stored id). "Not here" is certain; "maybe here" is settled by the join. It is
 * never persisted: each open rebuilds it from the table, hashed by DuckDB's own hash() so the
 * writer and the rebuild agree, and it only ever learns ids after their transaction committed.
 *
 * Sized at BITS_PER_ID bits per id of capacity with K hashes (double hashing of two 32-bit
 * halves): the false-positive rate is about 1e-5 when full and far lower below; past capacity
 * it degrades gracefully and the store rebuilds it at twice the size.
 */
const BITS_PER_ID = 24;
const K = 16;

export class StoredIdFilter {
  readonly capacity: number;
  readonly #bits: Uint32Array;
  readonly #size: number;
  #count = 0;

  constructor(capacity: number) {
    this.capacity = Math.max(1, Math.ceil(capacity));
    this.#size = Math.ceil((this.capacity * BITS_PER_ID) / 32) * 32;
    this.#bits = new Uint32Array(this.#size / 32);
  }

  /** Ids added so far (with repeats, so an upper bound). */
  get count(): number {
    return this.#count;
  }

  get overfull(): boolean {
    return this.#count > this.capacity;
  }

  /** `high` and `low`: the two 32-bit halves of DuckDB's hash(tenant_id, event_id). */
  add(high: number, low: number): void {
    const step = (low | 1) >>> 0;
    for (let i = 0; i < K; i++) {
      const bit = (high + i * step) % this.#size;
      this.#bits[bit >>> 5] = (this.#bits[bit >>> 5] as number) | (1 << (bit & 31));
    }
    this.#count++;
  }

  mightContain(high: number, low: number): boolean {
    const step = (low | 1) >>> 0;
    for (let i = 0; i < K; i++) {
      const bit = (high + i * step) % this.#size;
      if (((this.#bits[bit >>> 5] as number) & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }
}
