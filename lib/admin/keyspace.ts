import 'server-only';
import type { Cache } from '@/lib/cache';
import { categoryOfKey } from '@/lib/cache/keys';
import { mastersOf } from './store-access';

export const TTL_BUCKETS = ['none', 'lt1h', '1to4h', '4to12h', '12to24h', 'gt1d'] as const;
export type TtlBucket = (typeof TTL_BUCKETS)[number];

const HOUR = 3_600_000;

/** The TTL bucket of a PTTL reply (-1: no expiry); undefined when the key is gone (-2). */
export function ttlBucket(pttl: number): TtlBucket | undefined {
  if (pttl === -1) return 'none';
  if (pttl < 0) return undefined;
  if (pttl < HOUR) return 'lt1h';
  if (pttl < 4 * HOUR) return '1to4h';
  if (pttl < 12 * HOUR) return '4to12h';
  if (pttl < 24 * HOUR) return '12to24h';
  return 'gt1d';
}

export interface KeyspaceCategory {
  keys: number;
  sampled: number;
  /** Mean sampled size × keys. */
  estBytes: number;
  /** Estimated key counts per TTL bucket (sample proportions × keys). */
  ttl: Record<TtlBucket, number>;
  /** Largest sampled keys, key shown without the prefix (names carry only hashes of arguments). */
  top: { key: string; bytes: number; ttlMs: number }[];
}

export interface KeyspaceScan {
  takenAt: number;
  ms: number;
  /** True when every key was sampled (the figures are then exact at scan time). */
  exact: boolean;
  scanned: number;
  /** Tag/category version keys and other `~` keys of this prefix. */
  bookkeeping: number;
  categories: Record<string, KeyspaceCategory>;
}

interface Sampled {
  key: string;
  node: number;
}

const SAMPLE_PER_CATEGORY = 400;
const PIPELINE = 200;

/** Keeps a uniform sample of at most `size` items from a stream (reservoir sampling, algorithm R). */
class Reservoir<T> {
  readonly items: T[] = [];
  seen = 0;
  constructor(private readonly size: number, private readonly random: () => number) {}
  offer(item: T): void {
    this.seen++;
    if (this.items.length < this.size) this.items.push(item);
    else {
      const j = Math.floor(this.random() * this.seen);
      if (j < this.size) this.items[j] = item;
    }
  }
}

function summarize(count: number, measured: { key: string; bytes: number; ttlMs: number }[], prefix: string): KeyspaceCategory {
  const ttl = Object.fromEntries(TTL_BUCKETS.map((b) => [b, 0])) as Record<TtlBucket, number>;
  let bytes = 0;
  for (const m of measured) {
    bytes += m.bytes;
    ttl[ttlBucket(m.ttlMs)!]++;
  }
  const n = measured.length;
  if (n > 0) for (const b of TTL_BUCKETS) ttl[b] = Math.round((ttl[b] / n) * count);
  const top = [...measured]
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 10)
    .map((m) => ({ ...m, key: m.key.slice(prefix.length + 1) }));
  return { keys: count, sampled: n, estBytes: n > 0 ? Math.round((bytes / n) * count) : 0, ttl, top };
}

/**
 * Keys and memory per category without blocking Redis: ONE SCAN pass (COUNT 1000) over every master,
 * each key classified by its category segment in Node, then MEMORY USAGE + PTTL pipelined on a uniform
 * sample per category and extrapolated. Never KEYS, never a SCAN per category.
 */
export async function scanKeyspace(cache: Cache, opts: { signal?: AbortSignal; random?: () => number } = {}): Promise<KeyspaceScan> {
  const started = Date.now();
  const prefix = cache.prefix;
  const random = opts.random ?? Math.random;
  const counts = new Map<string, number>();
  const samples = new Map<string, Reservoir<Sampled>>();
  let scanned = 0;
  let bookkeeping = 0;
  const classify = (key: string, node: number) => {
    scanned++;
    const category = categoryOfKey(prefix, key);
    if (!category) {
      bookkeeping++;
      return;
    }
    counts.set(category, (counts.get(category) ?? 0) + 1);
    let r = samples.get(category);
    if (!r) samples.set(category, (r = new Reservoir<Sampled>(SAMPLE_PER_CATEGORY, random)));
    r.offer({ key, node });
  };

  const measured = new Map<string, { key: string; bytes: number; ttlMs: number }[]>();
  const store = cache.store;
  const nodes = await mastersOf(cache);
  if (nodes.length > 0) {
    for (let n = 0; n < nodes.length; n++) {
      let cursor = '0';
      do {
        opts.signal?.throwIfAborted();
        const [next, keys] = await nodes[n]!.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
        cursor = next;
        for (const k of keys) classify(k, n);
      } while (cursor !== '0');
    }
    for (const [category, r] of samples) {
      const out: { key: string; bytes: number; ttlMs: number }[] = [];
      for (let n = 0; n < nodes.length; n++) {
        const mine = r.items.filter((s) => s.node === n);
        for (let i = 0; i < mine.length; i += PIPELINE) {
          opts.signal?.throwIfAborted();
          const chunk = mine.slice(i, i + PIPELINE);
          const p = nodes[n]!.pipeline();
          for (const s of chunk) p.call('MEMORY', 'USAGE', s.key).pttl(s.key);
          const replies = (await p.exec()) ?? [];
          chunk.forEach((s, j) => {
            const [e1, bytes] = replies[2 * j] ?? [];
            const [e2, ttl] = replies[2 * j + 1] ?? [];
            // A key that expired between SCAN and now is simply left out of the sample.
            if (e1 || e2 || bytes === null || Number(ttl) === -2) return;
            out.push({ key: s.key, bytes: Number(bytes), ttlMs: Number(ttl) });
          });
        }
      }
      measured.set(category, out);
    }
  } else {
    // Embedded memory store: same walk through the store interface; size is what the LRU accounts.
    for await (const keys of store.scan(`${prefix}:*`, { count: 1000, signal: opts.signal })) for (const k of keys) classify(k, 0);
    for (const [category, r] of samples) {
      const keys = r.items.map((s) => s.key);
      const values = await store.mget(keys);
      const ttls = await Promise.all(keys.map((k) => store.pttl(k)));
      measured.set(
        category,
        keys.flatMap((key, i) => (values[i] == null || ttls[i] === -2 ? [] : [{ key, bytes: 2 * (values[i]!.length + key.length) + 64, ttlMs: ttls[i]! }])),
      );
    }
  }

  const categories: Record<string, KeyspaceCategory> = {};
  for (const name of Object.keys(cache.categories)) categories[name] = summarize(0, [], prefix);
  for (const [name, count] of counts) categories[name] = summarize(count, measured.get(name) ?? [], prefix);
  const exact = [...samples.values()].every((r) => r.seen <= SAMPLE_PER_CATEGORY);
  return { takenAt: started, ms: Date.now() - started, exact, scanned, bookkeeping, categories };
}
