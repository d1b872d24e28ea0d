import { LRUCache } from 'lru-cache';

export interface L1Entry {
  /** Decoded and deep-frozen: handed out as is, never re-parsed. */
  value: unknown;
  storedAt: number;
  freshUntil: number;
  graceUntil: number;
  id: string;
  category: string;
  tags: readonly string[];
  /** Local generation read before the L2 read/fn that produced the value. */
  snap: number;
  bytes: number;
}

const KEY_GEN_MS = 60_000;
const MAX_KEY_GENS = 50_000;

export interface L1Options {
  maxBytes?: number;
  /** Upper bound on an L1 entry's life, whatever its category TTL (bounds damage of a missed bus message). */
  maxTtlMs?: number;
}

/**
 * Small in-process layer. Coherence does not depend on deleting keys: every invalidation (local or from
 * the bus) stamps its tags/category with a new local generation, and an entry is served only if it was
 * read after the last invalidation of each of its tags — so a slow L2 read that started before an
 * invalidation cannot plant a stale value either.
 */
export class L1Cache {
  readonly maxBytes: number;
  readonly maxTtlMs: number;
  private readonly lru: LRUCache<string, L1Entry>;
  // Two maps, not one keyed `c:…`/`t:…`: every L1 read checks them, and building those keys was a string per tag.
  private readonly categoryGens = new Map<string, number>();
  private readonly tagGens = new Map<string, number>();
  /** Per key, oldest first: the generation of the last rewrite announced for it, and the entry it wrote. */
  private readonly keyGens = new Map<string, { gen: number; id: string | null; at: number }>();
  private counter = 0;
  private epoch = 0;

  constructor(options: L1Options = {}) {
    this.maxBytes = options.maxBytes ?? 16 * 1024 * 1024;
    this.maxTtlMs = options.maxTtlMs ?? 5 * 60_000;
    this.lru = new LRUCache<string, L1Entry>({ maxSize: this.maxBytes, sizeCalculation: (e) => e.bytes, allowStale: false });
  }

  get size(): number {
    return this.lru.size;
  }

  get bytes(): number {
    return this.lru.calculatedSize;
  }

  snapshot(): number {
    return this.counter;
  }

  get(key: string): L1Entry | undefined {
    const e = this.lru.get(key);
    if (!e) return undefined;
    if (!this.valid(key, e)) {
      this.lru.delete(key);
      return undefined;
    }
    return e;
  }

  private valid(key: string, e: L1Entry): boolean {
    if (e.snap < this.epoch) return false;
    const k = this.keyGens.get(key);
    // Rewritten elsewhere after this was read: only a copy of the entry announced then may stay.
    if (k && k.gen > e.snap && (k.id === null || k.id !== e.id)) return false;
    if ((this.categoryGens.get(e.category) ?? 0) > e.snap) return false;
    for (const t of e.tags) if ((this.tagGens.get(t) ?? 0) > e.snap) return false;
    return true;
  }

  set(key: string, entry: L1Entry, now: number): void {
    if (!this.valid(key, entry)) return;
    // A slow read must not replace a newer value another path put here meanwhile.
    const current = this.lru.get(key);
    if (current && current.storedAt > entry.storedAt && this.valid(key, current)) return;
    const ttl = Math.min(entry.graceUntil - now, this.maxTtlMs);
    if (ttl <= 0 || entry.bytes > this.maxBytes / 4) return;
    this.lru.set(key, entry, { ttl });
  }

  /**
   * `keys`: entries rewritten elsewhere (a recompute, set, delete or expire on another instance); `ids[i]`,
   * when given, is the id of the entry now stored under keys[i]: a copy with that id is kept.
   */
  invalidate(tags: readonly string[], categories: readonly string[], keys: readonly string[] = [], ids?: readonly (string | null)[]): void {
    const g = ++this.counter;
    for (const t of tags) this.tagGens.set(t, g);
    for (const c of categories) this.categoryGens.set(c, g);
    const at = performance.now();
    keys.forEach((k, i) => {
      const id = ids?.[i] ?? null;
      this.keyGens.delete(k);
      this.keyGens.set(k, { gen: g, id, at });
      if (id === null || this.lru.peek(k)?.id !== id) this.lru.delete(k);
    });
    // Every write anywhere announces its key: a key's generation only guards reads and computations in flight
    // when it came, so old ones are let go (a computation still running after KEY_GEN_MS is hung anyway).
    for (const [k, v] of this.keyGens) {
      if (this.keyGens.size <= MAX_KEY_GENS && at - v.at < KEY_GEN_MS) break;
      this.keyGens.delete(k);
    }
    // Generations only matter for entries younger than them; past a bound, a full drop is cheaper.
    if (this.tagGens.size > 100_000) this.clear();
  }

  /** Drops everything (bus reconnect: messages may have been missed). */
  clear(): void {
    this.epoch = ++this.counter;
    this.tagGens.clear();
    this.categoryGens.clear();
    this.keyGens.clear();
    this.lru.clear();
  }
}
