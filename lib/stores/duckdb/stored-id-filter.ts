/**
 * A Bloom filter over every stored (tenant_id, event_id), held in memory by the single writer so
 * that most batches skip the existence join, whose cost grows with the table (a hash join over a
 * scan of every stored id). "Not here" is certain; "maybe here" is settled by the join. It is
 * never persisted: each open builds it from the table's ids, hashed by `idHashes` as the writer
 * hashes them, and it only ever learns ids after their transaction committed.
 *
 * It grows without a rescan (a scalable Bloom filter, Almeida et al. 2007): when a layer holds
 * its capacity of ids, new ids go to a new layer of twice the capacity, and a lookup asks every
 * layer. Each layer has BITS_PER_ID bits per id of capacity or more (rounded up to a power of two,
 * so a probe is a mask, not a division) and K hashes (double hashing of two 32-bit halves): about
 * 1e-5 false positives when full, and the layers' rates add up to a few times that at most. Every
 * stored id is added once per write, so add() is on the ingest path too.
 */
const BITS_PER_ID = 24;
const K = 16;

class BloomLayer {
  readonly capacity: number;
  readonly #bits: Uint32Array;
  /** Bit count - 1: the size is a power of two (at least 32 bits). */
  readonly #mask: number;
  count = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
    // Up to 2^32 bits (512 MiB, ~180M ids at full sharpness); beyond, it only says "maybe" more often.
    const size = 2 ** Math.min(32, Math.max(5, Math.ceil(Math.log2(capacity * BITS_PER_ID))));
    this.#mask = (size - 1) | 0;
    this.#bits = new Uint32Array(size / 32);
  }

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
    this.count++;
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

export class StoredIdFilter {
  readonly #layers: BloomLayer[];

  /** `capacity`: ids the first layer holds at full sharpness. */
  constructor(capacity: number) {
    this.#layers = [new BloomLayer(Math.max(1, Math.ceil(capacity)))];
  }

  get layers(): number {
    return this.#layers.length;
  }

  /** `high` and `low`: the two 32-bit halves of idHashes. */
  add(high: number, low: number): void {
    let layer = this.#layers[this.#layers.length - 1] as BloomLayer;
    if (layer.count >= layer.capacity) {
      layer = new BloomLayer(2 * layer.capacity);
      this.#layers.push(layer);
    }
    layer.add(high, low);
  }

  mightContain(high: number, low: number): boolean {
    for (const layer of this.#layers) if (layer.mightContain(high, low)) return true;
    return false;
  }
}

/**
 * Two 32-bit hashes of (tenant, id) per id, [h1, h2, h1, h2, …] in the order of the ids: the two
 * lanes of cyrb53 (public domain; good avalanche, ~1 ns per character in V8), over the tenant, a
 * separator no tenant id holds, then the id. Plain JavaScript, so hashing a batch costs
 * microseconds and no query; the lanes after the tenant are computed once per call.
 */
export function idHashes(tenantId: string, ids: readonly string[]): Uint32Array {
  let t1 = 0xdeadbeef;
  let t2 = 0x41c6ce57;
  const prefix = `${tenantId}\u0000`;
  for (let i = 0; i < prefix.length; i++) {
    const ch = prefix.charCodeAt(i);
    t1 = Math.imul(t1 ^ ch, 2654435761);
    t2 = Math.imul(t2 ^ ch, 1597334677);
  }
  const out = new Uint32Array(2 * ids.length);
  for (let k = 0; k < ids.length; k++) {
    const id = ids[k] as string;
    let h1 = t1;
    let h2 = t2;
    for (let i = 0; i < id.length; i++) {
      const ch = id.charCodeAt(i);
      h1 = Math.imul(h1 ^ ch, 2654435761);
      h2 = Math.imul(h2 ^ ch, 1597334677);
    }
    h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
    h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
    h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
    h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
    out[2 * k] = h1 >>> 0;
    out[2 * k + 1] = h2 >>> 0;
  }
  return out;
}

/**
 * The (tenant, id)s a write group has taken so far, looked up by their idHashes halves: open
 * addressing over typed arrays, so no id string is hashed again on the way (a group holds up to
 * 16k ids). A match of both halves is confirmed on the strings, so the answer is exact.
 */
export class HashedIdSet {
  readonly #high: Uint32Array;
  readonly #low: Uint32Array;
  /** 1 + the index of the entry in #tenants/#ids, 0 for an empty slot. */
  readonly #entries: Int32Array;
  readonly #mask: number;
  readonly #tenants: string[] = [];
  readonly #ids: string[] = [];

  /** `capacity`: the most ids it will hold. */
  constructor(capacity: number) {
    const size = 2 ** Math.max(4, Math.ceil(Math.log2(2 * capacity)));
    this.#mask = size - 1;
    this.#high = new Uint32Array(size);
    this.#low = new Uint32Array(size);
    this.#entries = new Int32Array(size);
  }

  get size(): number {
    return this.#ids.length;
  }

  has(tenantId: string, id: string, high: number, low: number): boolean {
    return this.#slot(tenantId, id, high, low) < 0;
  }

  add(tenantId: string, id: string, high: number, low: number): void {
    const slot = this.#slot(tenantId, id, high, low);
    if (slot < 0) return;
    this.#high[slot] = high;
    this.#low[slot] = low;
    this.#tenants.push(tenantId);
    this.#ids.push(id);
    this.#entries[slot] = this.#ids.length;
  }

  /** The free slot for the id, or -1 when it is in the set. */
  #slot(tenantId: string, id: string, high: number, low: number): number {
    const entries = this.#entries;
    const mask = this.#mask;
    for (let slot = high & mask; ; slot = (slot + 1) & mask) {
      const entry = entries[slot] as number;
      if (entry === 0) return slot;
      if (
        this.#high[slot] === high &&
        this.#low[slot] === low &&
        this.#ids[entry - 1] === id &&
        this.#tenants[entry - 1] === tenantId
      ) {
        return -1;
      }
    }
  }
}
