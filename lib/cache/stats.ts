/** Upper bounds (ms) of the fn-time histogram buckets; the last bucket is +Inf. */
export const FN_TIME_BUCKETS_MS = [1, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000] as const;

export interface CategoryCounters {
  hitsL1: number;
  hitsL2: number;
  misses: number;
  staleServed: number;
  sets: number;
  invalidations: number;
  errors: number;
  oversize: number;
  bypass: number;
  refreshes: number;
  refreshErrors: number;
  fnErrors: number;
  /** Callers that gave up waiting for fn (hardTimeout / lockTimeout). */
  timeouts: number;
}

export interface FnTimeSnapshot {
  count: number;
  sumMs: number;
  /** Upper bound of the bucket holding the 95th percentile. */
  p95Ms: number;
  /** Cumulative counts per `le` (Prometheus histogram shape). */
  buckets: { le: number; count: number }[];
}

export interface CategoryStatsSnapshot extends CategoryCounters {
  hits: number;
  /** hits / (hits + misses), 0 when idle. Stale answers count as hits. */
  hitRate: number;
  fnTime: FnTimeSnapshot;
}

export interface StatsSnapshot {
  since: number;
  categories: Record<string, CategoryStatsSnapshot>;
  totals: CategoryStatsSnapshot;
  tagInvalidations: number;
}

const zero = (): CategoryCounters => ({
  hitsL1: 0,
  hitsL2: 0,
  misses: 0,
  staleServed: 0,
  sets: 0,
  invalidations: 0,
  errors: 0,
  oversize: 0,
  bypass: 0,
  refreshes: 0,
  refreshErrors: 0,
  fnErrors: 0,
  timeouts: 0,
});

interface Bucketed {
  counters: CategoryCounters;
  fnBuckets: number[];
  fnSum: number;
}

/** In-process counters per category (cheap increments; snapshots for /api/cache/stats and the exporter). */
export class CacheStats {
  private readonly byCategory = new Map<string, Bucketed>();
  tagInvalidations = 0;
  since: number;

  constructor(private readonly now: () => number) {
    this.since = now();
  }

  of(category: string): CategoryCounters {
    return this.bucket(category).counters;
  }

  private bucket(category: string): Bucketed {
    let b = this.byCategory.get(category);
    if (!b) {
      b = { counters: zero(), fnBuckets: new Array<number>(FN_TIME_BUCKETS_MS.length + 1).fill(0), fnSum: 0 };
      this.byCategory.set(category, b);
    }
    return b;
  }

  recordFnTime(category: string, ms: number): void {
    const b = this.bucket(category);
    let i = FN_TIME_BUCKETS_MS.findIndex((le) => ms <= le);
    if (i < 0) i = FN_TIME_BUCKETS_MS.length;
    b.fnBuckets[i]!++;
    b.fnSum += ms;
  }

  snapshot(categories: Iterable<string> = []): StatsSnapshot {
    const names = new Set([...categories, ...this.byCategory.keys()]);
    const out: Record<string, CategoryStatsSnapshot> = {};
    const total: Bucketed = { counters: zero(), fnBuckets: new Array<number>(FN_TIME_BUCKETS_MS.length + 1).fill(0), fnSum: 0 };
    for (const name of names) {
      const b = this.bucket(name);
      out[name] = view(b);
      for (const k of Object.keys(total.counters) as (keyof CategoryCounters)[]) total.counters[k] += b.counters[k];
      b.fnBuckets.forEach((n, i) => (total.fnBuckets[i]! += n));
      total.fnSum += b.fnSum;
    }
    return { since: this.since, categories: out, totals: view(total), tagInvalidations: this.tagInvalidations };
  }

  reset(): void {
    this.byCategory.clear();
    this.tagInvalidations = 0;
    this.since = this.now();
  }
}

function view(b: Bucketed): CategoryStatsSnapshot {
  const c = b.counters;
  const hits = c.hitsL1 + c.hitsL2 + c.staleServed;
  const count = b.fnBuckets.reduce((a, n) => a + n, 0);
  let cumulative = 0;
  const buckets = b.fnBuckets.map((n, i) => ({ le: FN_TIME_BUCKETS_MS[i] ?? Infinity, count: (cumulative += n) }));
  const p95 = buckets.find((x) => x.count >= 0.95 * count && count > 0)?.le ?? 0;
  return {
    ...c,
    hits,
    hitRate: hits + c.misses === 0 ? 0 : hits / (hits + c.misses),
    fnTime: { count, sumMs: b.fnSum, p95Ms: p95, buckets },
  };
}
