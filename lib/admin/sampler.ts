import 'server-only';
import { getCache, type Cache } from '@/lib/cache';
import { getDb } from '@/lib/db/client';
import type { Db } from '@/lib/db/types';
import { getLogger, type Logger as AppLogger } from '@/lib/log';
import { scanKeyspace, type KeyspaceScan } from './keyspace';
import type { CategorySample, RedisSample } from './metrics-math';
import { redisSampleFromInfo } from './redis-info';
import { parseSamplerConfig, type SamplerConfig } from './sampler-config';
import { deleteOlderThan, insertSamples, rollUp, ROLLUP_RESOLUTIONS, type NewSample } from './samples-store';

type Logger = Pick<AppLogger, 'info' | 'warn'>;

/** Longest the first round waits for the cache's connection. */
const FIRST_ROUND_WAIT_MS = 10_000;

/** Instance name of Redis-wide rows (whoever holds the lease writes them). */
export const REDIS_INSTANCE = 'redis';
const ROLLUP_EVERY_MS = 60_000;
const RETENTION_EVERY_MS = 10 * 60_000;

/** The sampler's lease (CacheAdmin.lease): a `~` bookkeeping key, so key scans and category purges never count or touch it. */
const LEASE = 'metrics-lease';
export const leaseKey = (prefix: string) => `${prefix}:~${LEASE}`;

export function categorySamples(cache: Cache, takenAt: Date): NewSample[] {
  const snap = cache.statsSnapshot();
  return Object.entries(snap.categories).map(([category, s]) => {
    const data: CategorySample = {
      since: snap.since,
      hitsL1: s.hitsL1,
      hitsL2: s.hitsL2,
      misses: s.misses,
      staleServed: s.staleServed,
      sets: s.sets,
      invalidations: s.invalidations,
      errors: s.errors,
      oversize: s.oversize,
      fnCount: s.fnTime.count,
      fnSumMs: Math.round(s.fnTime.sumMs * 100) / 100,
      p95Ms: s.fnTime.p95Ms,
    };
    return { takenAt, instance: cache.instanceId, kind: 'category' as const, category, data };
  });
}

/** Redis INFO figures; for the embedded memory store, its own byte count against its bound. */
export async function redisSample(cache: Cache): Promise<RedisSample> {
  const memory = cache.admin.memory();
  if (memory) return { ...redisSampleFromInfo({}, 'memory'), usedMemory: memory.bytes, usedMemoryPeak: memory.bytes, maxmemory: memory.maxBytes };
  return redisSampleFromInfo(await cache.admin.info(), cache.admin.backend);
}

/** One key scan, stored so every instance's dashboard reads the same figures. */
export async function refreshKeyspace(cache: Cache, db: Db, signal?: AbortSignal): Promise<KeyspaceScan> {
  const scan = await scanKeyspace(cache, { signal });
  await insertSamples(db, [{ takenAt: new Date(scan.takenAt), instance: cache.instanceId, kind: 'keyspace', category: null, data: scan }]);
  return scan;
}

export interface SamplerDeps {
  cache: () => Cache;
  db: () => Promise<Db>;
  config: SamplerConfig;
  logger: Logger;
  now?: () => number;
}

/**
 * Every `intervalMs`: this instance's category counters (always), and, on the one instance holding the
 * lease, Redis INFO, the key scan (every keyscanIntervalMs), rollups and the retention delete. Runs on
 * unref'd timers, never overlaps itself, and logs a failing step once when it starts failing and once
 * when it recovers.
 */
export class MetricsSampler {
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  private running: Promise<void> | undefined;
  private readonly failing = new Set<string>();
  private lastKeyscan = 0;
  private lastRollup = 0;
  private lastRetention = 0;
  private readonly now: () => number;

  constructor(private readonly deps: SamplerDeps) {
    this.now = deps.now ?? Date.now;
  }

  get intervalMs(): number {
    return this.deps.config.intervalMs;
  }

  /** Starts sampling; resolves once the first round is done. */
  start(): Promise<void> {
    if (this.started) return Promise.resolve();
    this.started = true;
    // A first sample soon after start, so a fresh dashboard has something to show, once the cache's connection is up
    // (or FIRST_ROUND_WAIT_MS passed): a process still loading its bundles a second in may not have its Redis
    // connection ready, and the lease step would log "failing" on a healthy start. The rounds follow from there.
    return new Promise<void>((resolve) => setTimeout(resolve, Math.min(1_000, this.deps.config.intervalMs)).unref())
      .then(() => this.deps.cache().ready(FIRST_ROUND_WAIT_MS))
      .catch(() => {})
      .then(() => this.tick())
      .finally(() => {
        if (!this.started) return;
        this.timer = setInterval(() => void this.tick(), this.deps.config.intervalMs);
        this.timer.unref();
      });
  }

  stop(): void {
    this.started = false;
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One round; concurrent callers share it (a slow database never stacks rounds up). */
  tick(): Promise<void> {
    this.running ??= this.round().finally(() => (this.running = undefined));
    return this.running;
  }

  private async round(): Promise<void> {
    const cache = this.deps.cache();
    const now = this.now();
    const takenAt = new Date(now);
    const rows = categorySamples(cache, takenAt);
    const leader = (await this.step('lease', () => this.isLeader(cache))) ?? false;
    if (leader) {
      const sample = await this.step('redis-info', () => redisSample(cache));
      if (sample) rows.push({ takenAt, instance: REDIS_INSTANCE, kind: 'redis', category: null, data: sample });
    }
    const db = await this.step('database', () => this.deps.db());
    if (!db) return;
    await this.step('database', () => insertSamples(db, rows));
    if (!leader) return;
    if (now - this.lastKeyscan >= this.deps.config.keyscanIntervalMs) {
      this.lastKeyscan = now;
      await this.step('keyscan', () => refreshKeyspace(cache, db));
    }
    if (now - this.lastRollup >= ROLLUP_EVERY_MS) {
      this.lastRollup = now;
      await this.step('rollup', async () => {
        for (const r of ROLLUP_RESOLUTIONS) await rollUp(db, r, now);
      });
    }
    if (now - this.lastRetention >= RETENTION_EVERY_MS) {
      this.lastRetention = now;
      await this.step('retention', () => deleteOlderThan(db, new Date(now - this.deps.config.retentionMs)));
    }
  }

  private async isLeader(cache: Cache): Promise<boolean> {
    // The memory store is per process: every process is its own (only) sampler.
    return cache.admin.lease(LEASE, cache.instanceId, 3 * this.deps.config.intervalMs);
  }

  private async step<T>(name: string, run: () => Promise<T>): Promise<T | undefined> {
    try {
      const value = await run();
      if (this.failing.delete(name)) this.deps.logger.info({ step: name }, 'metrics sampler step recovered');
      return value;
    } catch (err) {
      if (!this.failing.has(name)) {
        this.failing.add(name);
        this.deps.logger.warn({ step: name, err: err instanceof Error ? err.message : String(err) }, 'metrics sampler step failing (logged once until it recovers)');
      }
      return undefined;
    }
  }
}

const HOLDER = Symbol.for('mizaj.metrics-sampler');
type Holder = { [HOLDER]?: MetricsSampler };

/** Starts this process's sampler once (from lib/startup.ts); throws on a bad METRICS_* variable. */
export function startMetricsSampler(): MetricsSampler | undefined {
  const holder = globalThis as Holder;
  if (holder[HOLDER]) return holder[HOLDER];
  const config = parseSamplerConfig();
  if (!config.enabled) return undefined;
  const logger = getLogger('metrics-sampler');
  const sampler = new MetricsSampler({ cache: getCache, db: getDb, config, logger });
  holder[HOLDER] = sampler;
  void sampler.start();
  return sampler;
}

/** The interval the dashboard should expect between samples. */
export function samplerIntervalMs(): number {
  return (globalThis as Holder)[HOLDER]?.intervalMs ?? parseSamplerConfig().intervalMs;
}
