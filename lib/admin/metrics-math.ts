/**
 * Pure arithmetic behind the dashboard: cumulative counters (stored as sampled) become per-interval
 * figures here, at read time. Nothing in this file touches Redis, the database or the clock.
 */

import type { CategoryStatsSnapshot } from '@/lib/cache/stats';

/** What the sampler stores for one category of one app instance: cumulative since `since`. */
export interface CategorySample extends Pick<CategoryStatsSnapshot, 'hitsL1' | 'hitsL2' | 'misses' | 'staleServed' | 'sets' | 'invalidations' | 'errors'> {
  /** Epoch ms when this process's counters started (a new value means the counters restarted at 0). */
  since: number;
  /** Values not cached for being over maxEntryBytes (absent in samples taken before it was recorded). */
  oversize?: number;
  fnCount: number;
  fnSumMs: number;
  p95Ms: number;
}

/** Redis INFO figures as sampled. Counters are cumulative since Redis started (`runId`, `uptime`). */
export interface RedisSample {
  backend: 'redis' | 'cluster' | 'sentinel' | 'memory';
  runId: string;
  uptime: number;
  usedMemory: number;
  usedMemoryPeak: number;
  maxmemory: number;
  totalSystemMemory: number;
  fragmentationRatio: number;
  evictedKeys: number;
  expiredKeys: number;
  keyspaceHits: number;
  keyspaceMisses: number;
  opsPerSec: number;
  connectedClients: number;
  totalCommands: number;
}

/**
 * Growth of a counter between two samples. A counter that went down was restarted (Redis or the app
 * restarted): everything it holds now happened since the restart, inside this interval, so that is the
 * delta, never a negative number.
 */
export function counterDelta(previous: number, current: number, restarted = false): number {
  if (!Number.isFinite(previous) || !Number.isFinite(current)) return 0;
  if (restarted || current < previous) return Math.max(0, current);
  return current - previous;
}

/** hits / (hits + misses); null when there was no traffic (no rate is not a 0 % rate). */
export function hitRate(hits: number, misses: number): number | null {
  const total = hits + misses;
  return total > 0 ? hits / total : null;
}

export const hitsOf = (s: Pick<CategorySample, 'hitsL1' | 'hitsL2' | 'staleServed'>) => s.hitsL1 + s.hitsL2 + s.staleServed;

export interface RedisInterval {
  /** End of the interval (epoch ms). */
  t: number;
  seconds: number;
  restarted: boolean;
  evicted: number;
  expired: number;
  keyspaceHits: number;
  keyspaceMisses: number;
  commands: number;
  /** Mean commands per second over the interval (exact, unlike INFO's instantaneous figure). */
  opsPerSec: number;
}

/** Per-interval figures from two consecutive INFO samples taken at t0 and t1 (ms). */
export function redisInterval(t0: number, a: RedisSample, t1: number, b: RedisSample): RedisInterval {
  // A new run id or a smaller uptime means Redis restarted between the samples, even if a counter happens
  // to have grown past its old value again.
  const restarted = (a.runId !== '' && b.runId !== '' && a.runId !== b.runId) || b.uptime < a.uptime;
  const seconds = Math.max(0.001, (t1 - t0) / 1000);
  const commands = counterDelta(a.totalCommands, b.totalCommands, restarted);
  return {
    t: t1,
    seconds,
    restarted,
    evicted: counterDelta(a.evictedKeys, b.evictedKeys, restarted),
    expired: counterDelta(a.expiredKeys, b.expiredKeys, restarted),
    keyspaceHits: counterDelta(a.keyspaceHits, b.keyspaceHits, restarted),
    keyspaceMisses: counterDelta(a.keyspaceMisses, b.keyspaceMisses, restarted),
    commands,
    opsPerSec: commands / seconds,
  };
}

export interface CategoryInterval {
  t: number;
  hits: number;
  misses: number;
  sets: number;
  errors: number;
  oversize: number;
  fnCount: number;
  fnSumMs: number;
}

const CATEGORY_COUNTERS = ['hitsL1', 'hitsL2', 'staleServed', 'misses', 'sets', 'errors', 'oversize', 'fnCount', 'fnSumMs'] as const;

/** Per-interval figures of one category on one instance, from two consecutive samples. */
export function categoryInterval(a: CategorySample, t1: number, b: CategorySample): CategoryInterval {
  // The stats object restarts when its process does (new `since`) or when someone resets it.
  const restarted = a.since !== b.since || CATEGORY_COUNTERS.some((k) => (b[k] ?? 0) < (a[k] ?? 0));
  const d = (k: (typeof CATEGORY_COUNTERS)[number]) => counterDelta(a[k] ?? 0, b[k] ?? 0, restarted);
  return { t: t1, hits: d('hitsL1') + d('hitsL2') + d('staleServed'), misses: d('misses'), sets: d('sets'), errors: d('errors'), oversize: d('oversize'), fnCount: d('fnCount'), fnSumMs: d('fnSumMs') };
}

/** The first sample of a series, counted from zero when its counters started inside the range. */
export function categoryFromZero(t: number, s: CategorySample): CategoryInterval {
  return { t, hits: hitsOf(s), misses: s.misses, sets: s.sets, errors: s.errors, oversize: s.oversize ?? 0, fnCount: s.fnCount, fnSumMs: s.fnSumMs };
}
