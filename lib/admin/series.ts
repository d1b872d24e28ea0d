import { categoryFromZero, categoryInterval, hitRate, redisInterval, type CategoryInterval, type CategorySample, type RedisInterval, type RedisSample } from './metrics-math';

/** One stored sample (raw or rolled up) as the dashboard reads it. */
export interface MetricRow {
  takenAt: Date;
  instance: string;
  kind: 'category' | 'redis' | 'keyspace';
  category: string | null;
  data: unknown;
}

export interface MemoryPoint {
  t: number;
  used: number;
  peak: number;
  /** maxmemory, or null when Redis has none (the chart then draws system memory as a reference line). */
  max: number | null;
}

export type HitRatePoint = { t: number; overall: number | null } & Record<string, number | null>;

export interface CategoryRangeStats {
  hits: number;
  misses: number;
  hitRate: number | null;
  sets: number;
  errors: number;
  /** Values not cached for being over maxEntryBytes. */
  oversize: number;
  meanFnMs: number | null;
}

export interface DashboardSeries {
  stepMs: number;
  memory: MemoryPoint[];
  hitRate: HitRatePoint[];
  churn: { t: number; evicted: number; expired: number }[];
  ops: { t: number; ops: number }[];
  categories: Record<string, CategoryRangeStats>;
  totals: CategoryRangeStats & { evicted: number; expired: number; redisRestarted: boolean };
  counts: { categorySamples: number; redisSamples: number; instances: number };
}

/**
 * Turns cumulative samples into per-bucket figures for [from, to]: deltas per (instance, category) series,
 * summed over instances per bucket. `rows` may start before `from` so the first interval has a predecessor.
 */
export function buildSeries(rows: readonly MetricRow[], opts: { from: number; to: number; stepMs: number; categories: readonly string[] }): DashboardSeries {
  const { from, stepMs } = opts;
  const bucketOf = (t: number) => Math.floor(t / stepMs) * stepMs + stepMs;
  const sorted = [...rows].sort((a, b) => a.takenAt.getTime() - b.takenAt.getTime());

  // ---- per-category counters, per instance
  const last = new Map<string, { t: number; s: CategorySample }>();
  const catBuckets = new Map<number, Map<string, CategoryInterval>>();
  const instances = new Set<string>();
  let categorySamples = 0;
  const add = (category: string, iv: CategoryInterval) => {
    const b = bucketOf(iv.t);
    let m = catBuckets.get(b);
    if (!m) catBuckets.set(b, (m = new Map()));
    const cur = m.get(category);
    if (!cur) m.set(category, { ...iv, t: b });
    else for (const k of ['hits', 'misses', 'sets', 'errors', 'oversize', 'fnCount', 'fnSumMs'] as const) cur[k] += iv[k];
  };
  for (const row of sorted) {
    if (row.kind !== 'category' || !row.category) continue;
    const t = row.takenAt.getTime();
    const s = row.data as CategorySample;
    const id = `${row.instance}\u0000${row.category}`;
    const prev = last.get(id);
    last.set(id, { t, s });
    if (t < from) continue;
    categorySamples++;
    instances.add(row.instance);
    if (prev) add(row.category, categoryInterval(prev.s, t, s));
    else if (s.since >= from) add(row.category, categoryFromZero(t, s));
  }

  const categories: Record<string, CategoryRangeStats> = {};
  const total = { hits: 0, misses: 0, sets: 0, errors: 0, oversize: 0, fnCount: 0, fnSumMs: 0 };
  for (const name of opts.categories) categories[name] = { hits: 0, misses: 0, hitRate: null, sets: 0, errors: 0, oversize: 0, meanFnMs: null };
  const fnTotals = new Map<string, { count: number; sum: number }>();
  const hitRatePoints: HitRatePoint[] = [];
  for (const b of [...catBuckets.keys()].sort((x, y) => x - y)) {
    const m = catBuckets.get(b)!;
    const point: HitRatePoint = { t: b, overall: null };
    let hits = 0;
    let misses = 0;
    for (const [name, iv] of m) {
      const c = (categories[name] ??= { hits: 0, misses: 0, hitRate: null, sets: 0, errors: 0, oversize: 0, meanFnMs: null });
      c.hits += iv.hits;
      c.misses += iv.misses;
      c.sets += iv.sets;
      c.errors += iv.errors;
      c.oversize += iv.oversize;
      const f = fnTotals.get(name) ?? { count: 0, sum: 0 };
      f.count += iv.fnCount;
      f.sum += iv.fnSumMs;
      fnTotals.set(name, f);
      hits += iv.hits;
      misses += iv.misses;
      point[name] = hitRate(iv.hits, iv.misses);
      total.sets += iv.sets;
      total.errors += iv.errors;
      total.oversize += iv.oversize;
      total.fnCount += iv.fnCount;
      total.fnSumMs += iv.fnSumMs;
    }
    total.hits += hits;
    total.misses += misses;
    point.overall = hitRate(hits, misses);
    hitRatePoints.push(point);
  }
  for (const [name, c] of Object.entries(categories)) {
    c.hitRate = hitRate(c.hits, c.misses);
    const f = fnTotals.get(name);
    c.meanFnMs = f && f.count > 0 ? f.sum / f.count : null;
  }

  // ---- Redis-wide figures: one series whoever took it
  const memory: MemoryPoint[] = [];
  const churn = new Map<number, { evicted: number; expired: number; commands: number; seconds: number }>();
  let prev: { t: number; s: RedisSample } | undefined;
  let redisSamples = 0;
  let evicted = 0;
  let expired = 0;
  let redisRestarted = false;
  for (const row of sorted) {
    if (row.kind !== 'redis') continue;
    const t = row.takenAt.getTime();
    const s = row.data as RedisSample;
    const before = prev;
    prev = { t, s };
    if (t < from) continue;
    redisSamples++;
    const b = bucketOf(t);
    const point = { t: b, used: s.usedMemory, peak: s.usedMemoryPeak, max: s.maxmemory > 0 ? s.maxmemory : null };
    if (memory.length > 0 && memory[memory.length - 1]!.t === b) memory[memory.length - 1] = point;
    else memory.push(point);
    if (!before) continue;
    const iv: RedisInterval = redisInterval(before.t, before.s, t, s);
    redisRestarted ||= iv.restarted;
    const c = churn.get(b) ?? { evicted: 0, expired: 0, commands: 0, seconds: 0 };
    c.evicted += iv.evicted;
    c.expired += iv.expired;
    c.commands += iv.commands;
    c.seconds += iv.seconds;
    churn.set(b, c);
    evicted += iv.evicted;
    expired += iv.expired;
  }
  const churnPoints = [...churn.entries()].sort(([a], [b]) => a - b);

  return {
    stepMs,
    memory,
    hitRate: hitRatePoints,
    churn: churnPoints.map(([t, c]) => ({ t, evicted: c.evicted, expired: c.expired })),
    ops: churnPoints.map(([t, c]) => ({ t, ops: c.seconds > 0 ? c.commands / c.seconds : 0 })),
    categories,
    totals: {
      hits: total.hits,
      misses: total.misses,
      hitRate: hitRate(total.hits, total.misses),
      sets: total.sets,
      errors: total.errors,
      oversize: total.oversize,
      meanFnMs: total.fnCount > 0 ? total.fnSumMs / total.fnCount : null,
      evicted,
      expired,
      redisRestarted,
    },
    counts: { categorySamples, redisSamples, instances: instances.size },
  };
}
