/**
 * A Bloom filter over every stored (tenant_id, event_id), held in memory by the single writer so
 * that most batches skip the existence join, whose cost grows with the table (a hash join over a
 * scan of every stored id). "Not here" is certain; "maybe here" is settled by the join. It is
 * never persisted: each open rebuilds it from the table, hashed by DuckDB's own hash() so the
 * writer and the rebuild agree, and it only ever learns ids after their transaction committed.
 *
 * Sized at BITS_PER_ID bits per id of capacity or more (rounded up to a power of two, so a probe
 * is a mask, not a division) with K hashes (double hashing of two 32-bit halves): the
 * false-positive rate is about 1e-5 when full and far lower below; past capacity it degrades
 * gracefully and the store rebuilds it at twice the size. Every stored id is added once per
 * write, so add() is on the ingest path too.
 */
const BITS_PER_ID = 24;
const K = 16;

export class StoredIdFilter {
  readonly capacity: number;
  readonly #bits: Uint32Array;
  /** Bit count - 1: the size is a power of two (at least 32 bits). */
  readonly #mask: number;
  #count = 0;

  constructor(capacity: number) {
    this.capacity = Math.max(1, Math.ceil(capacity));
    // Up to 2^32 bits (512 MiB, ~180M ids at full sharpness); beyond, it only says "maybe" more often.
    const size = 2 ** Math.min(32, Math.max(5, Math.ceil(Math.log2(this.capacity * BITS_PER_ID))));
    this.#mask = (size - 1) | 0;
    this.#bits = new Uint32Array(size / 32);
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
    const bits = this.#bits;
    const mask = this.#mask;
    const step = low | 1; // odd: the probes visit distinct bits of a power-of-two table
    let probe = high | 0;
    for (let i = 0; i < K; i++) {
      const bit = (probe & mask) >>> 0;
      bits[bit >>> 5] = (bits[bit >>> 5] as number) | (1 << (bit & 31));
      probe = (probe + step) | 0;
    }
    this.#count++;
  }

  mightContain(high: number, low: number): boolean {
    const bits = this.#bits;
    const mask = this.#mask;
    const step = low | 1;
    let probe = high | 0;
    for (let i = 0; i < K; i++) {
      const bit = (probe & mask) >>> 0;
      if (((bits[bit >>> 5] as number) & (1 << (bit & 31))) === 0) return false;
      probe = (probe + step) | 0;
    }
    return true;
  }
}
