import 'server-only';
import type { Cache } from '@/lib/cache';

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
 * Keys and memory per category without blocking Redis: ONE SCAN pass (COUNT 1000) over every master
 * (CacheAdmin.scan classifies each key by its category), then MEMORY USAGE + PTTL pipelined on a uniform
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
  for await (const batch of cache.admin.scan({ count: 1000, signal: opts.signal })) {
    for (const { key, category } of batch.keys) {
      scanned++;
      if (!category) {
        bookkeeping++;
        continue;
      }
      counts.set(category, (counts.get(category) ?? 0) + 1);
      let r = samples.get(category);
      if (!r) samples.set(category, (r = new Reservoir<Sampled>(SAMPLE_PER_CATEGORY, random)));
      r.offer({ key, node: batch.node });
    }
  }

  const measured = new Map<string, { key: string; bytes: number; ttlMs: number }[]>();
  for (const [category, r] of samples) {
    const out: { key: string; bytes: number; ttlMs: number }[] = [];
    for (const node of new Set(r.items.map((s) => s.node))) {
      // A key that expired between SCAN and now is simply left out of the sample.
      out.push(...(await cache.admin.measure(node, r.items.filter((s) => s.node === node).map((s) => s.key), opts.signal)));
    }
    measured.set(category, out);
  }

  const categories: Record<string, KeyspaceCategory> = {};
  for (const name of Object.keys(cache.categories)) categories[name] = summarize(0, [], prefix);
  for (const [name, count] of counts) categories[name] = summarize(count, measured.get(name) ?? [], prefix);
  const exact = [...samples.values()].every((r) => r.seen <= SAMPLE_PER_CATEGORY);
  return { takenAt: started, ms: Date.now() - started, exact, scanned, bookkeeping, categories };
}
