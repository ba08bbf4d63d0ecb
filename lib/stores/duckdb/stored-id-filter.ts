/**
 * A Bloom filter over every stored (tenant_id, event_id), held in memory by the single writer so
 * that most batches skip the existence join, whose cost grows with the table (a hash join over a
 * scan of every stored id). "Not here" is certain; "maybe here" is settled by the join. It is
 * never persisted: each open builds it from the table's ids, hashed by `idHashes` as the writer
 * hashes them, and it only ever learns ids after their transaction committed.
 *
 * It grows without a rescan (a scalable Bloom filter, Almeida et al. 2007): when a layer holds
 * its capacity of ids, new ids go to a new layer of twice the capacity, and a lookup asks every
 * layer. A layer is a split block Bloom filter (Putze, Sanders and Singler 2007; the variant
 * Parquet and Impala use): an id sets one bit in each of the 16 words of one 512-bit block, one
 * cache line, chosen by the high half of its hash, so an add or a lookup misses the cache once
 * instead of once per bit (a 10M-id rebuild spent 6 s on misses with bits spread over the whole
 * layer). Each word's bit is the top 5 bits of the low half times that word's odd salt, so no
 * two ids share a pattern of bits by construction, as they often did when the bits were one
 * arithmetic progression inside the block. Blocks fill unevenly, which costs sharpness that
 * BITS_PER_ID buys back: with 32 bits per id of capacity or more (a power of two, so a block is a
 * mask) a full layer says "maybe" for about 6e-6 of unknown ids, and the layers' rates add up to
 * a few times that at most. Every stored id is added once per write, so add() is on the ingest
 * path too.
 */
const BITS_PER_ID = 32;
const BLOCK_WORDS = 16;
const BLOCK_BITS = 32 * BLOCK_WORDS;
/** Parquet's eight salts, and eight more odd constants. */
const SALTS = Int32Array.of(
  0x47b6137b,
  0x44974d91,
  0x8824ad5b,
  0xa2b7289d,
  0x705495c7,
  0x2df1424b,
  0x9efc4947,
  0x5c6bfb31,
  0x9e3779b1,
  0x85ebca77,
  0xc2b2ae3d,
  0x27d4eb2f,
  0x165667b1,
  0xd3a2646d,
  0xfd7046c5,
  0xb55a4f09,
);

class BloomLayer {
  readonly capacity: number;
  readonly #words: Uint32Array;
  /** Block count - 1: the count is a power of two. */
  readonly #blockMask: number;
  count = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
    // Up to 2^32 bits (512 MiB, ~134M ids at full sharpness); beyond, it only says "maybe" more often.
    const size = 2 ** Math.min(32, Math.max(9, Math.ceil(Math.log2(capacity * BITS_PER_ID))));
    this.#blockMask = size / BLOCK_BITS - 1;
    this.#words = new Uint32Array(size / 32);
  }

  add(high: number, low: number): void {
    const words = this.#words;
    const base = (high & this.#blockMask) * BLOCK_WORDS;
    for (let i = 0; i < BLOCK_WORDS; i++) {
      const word = base + i;
      words[word] = (words[word] as number) | (1 << (Math.imul(low, SALTS[i] as number) >>> 27));
    }
    this.count++;
  }

  mightContain(high: number, low: number): boolean {
    const words = this.#words;
    const base = (high & this.#blockMask) * BLOCK_WORDS;
    for (let i = 0; i < BLOCK_WORDS; i++) {
      const bit = 1 << (Math.imul(low, SALTS[i] as number) >>> 27);
      if (((words[base + i] as number) & bit) === 0) return false;
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

  /** Every id of `halves` (idHashes' pairs), or only those whose row is flagged 1 in `rows`. */
  addHashes(halves: Uint32Array, rows?: Uint8Array): void {
    for (let j = 0; 2 * j < halves.length; j++) {
      if (rows === undefined || rows[j] === 1) this.add(halves[2 * j] as number, halves[2 * j + 1] as number);
    }
  }

  mightContain(high: number, low: number): boolean {
    for (const layer of this.#layers) if (layer.mightContain(high, low)) return true;
    return false;
  }
}

/** cyrb53's two lanes after the tenant and the separator no tenant id holds: [t1, t2]. */
function tenantLanes(tenantId: string): Int32Array {
  let t1 = 0xdeadbeef;
  let t2 = 0x41c6ce57;
  const prefix = `${tenantId}\u0000`;
  for (let i = 0; i < prefix.length; i++) {
    const ch = prefix.charCodeAt(i);
    t1 = Math.imul(t1 ^ ch, 2654435761);
    t2 = Math.imul(t2 ^ ch, 1597334677);
  }
  return Int32Array.of(t1, t2);
}

/** Continues the tenant's lanes over text[start, end) and writes the id's halves at out[2k], out[2k+1]. */
function hashIdInto(
  t1: number,
  t2: number,
  text: string,
  start: number,
  end: number,
  out: Uint32Array,
  k: number,
): void {
  let h1 = t1;
  let h2 = t2;
  for (let i = start; i < end; i++) {
    const ch = text.charCodeAt(i);
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

/**
 * Two 32-bit hashes of (tenant, id) per id, [h1, h2, h1, h2, …] in the order of the ids: the two
 * lanes of cyrb53 (public domain; good avalanche, ~1 ns per character in V8), over the tenant, a
 * separator no tenant id holds, then the id. Plain JavaScript, so hashing a batch costs
 * microseconds and no query; the lanes after the tenant are computed once per call.
 */
export function idHashes(tenantId: string, ids: readonly string[]): Uint32Array {
  const [t1 = 0, t2 = 0] = tenantLanes(tenantId);
  const out = new Uint32Array(2 * ids.length);
  for (let k = 0; k < ids.length; k++) {
    const id = ids[k] as string;
    hashIdInto(t1, t2, id, 0, id.length, out, k);
  }
  return out;
}

/**
 * idHashes of the ids in `joined`, which holds them separated by `separator` (a character none of
 * them contains): the filter's rebuild reads ids as one joined string per run of rows, because
 * DuckDB hands a string to JavaScript at ~1.7 µs each whatever its length.
 */
export function joinedIdHashes(tenantId: string, joined: string, separator: string): Uint32Array {
  let count = 1;
  for (let at = joined.indexOf(separator); at !== -1; at = joined.indexOf(separator, at + 1)) count++;
  const [t1 = 0, t2 = 0] = tenantLanes(tenantId);
  const out = new Uint32Array(2 * count);
  let start = 0;
  for (let k = 0; k < count; k++) {
    let end = joined.indexOf(separator, start);
    if (end === -1) end = joined.length;
    hashIdInto(t1, t2, joined, start, end, out, k);
    start = end + 1;
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
