import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCache, MemoryStore, setCacheForTesting } from '@/lib/cache';
import { createTestDb, destroyTestDb, type TestDb } from '../support/test-db';

/** The dashboard's empty and error states: no samples yet, Redis unreachable, embedded memory backend. */
describe('dashboard states', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await createTestDb();
    Object.assign(process.env, { DATABASE_URL: db.url, NODE_ENV: 'test' });
  });
  afterAll(async () => {
    await setCacheForTesting(undefined);
    const { closeDb } = await import('@/lib/db/client');
    await closeDb();
    await destroyTestDb(db);
  });

  it('with an embedded memory store and no samples: says so, compares memory with the store bound', async () => {
    const store = new MemoryStore({ maxBytes: 8 * 1024 * 1024 });
    await setCacheForTesting(createCache({ prefix: `t-dash-mem-${process.pid}`, store }));
    const { loadDashboard } = await import('@/lib/admin/dashboard');
    const d = await loadDashboard('15m');
    expect(d.backend).toBe('memory');
    expect(d.memoryLimit).toEqual({ kind: 'store', bytes: 8 * 1024 * 1024 });
    expect(d.series.counts).toEqual({ categorySamples: 0, redisSamples: 0, instances: 0 });
    expect(d.keyspace).toBeNull();
    expect(d.latency).toBeNull();
    expect(d.database.ok).toBe(true);

    // The sampler and key scan work on the memory store too.
    const { MetricsSampler } = await import('@/lib/admin/sampler');
    const { getCache } = await import('@/lib/cache');
    const cache = getCache();
    await cache.cached(async (n: number) => ({ n }), ['t'], { category: 'trending' })(1);
    const sampler = new MetricsSampler({ cache: () => cache, db: async () => db.db, config: { intervalMs: 1_000, keyscanIntervalMs: 1_000, retentionMs: 86_400_000, enabled: true }, logger: { info: () => {}, warn: () => {} } });
    await sampler.tick();
    const after = await loadDashboard('15m');
    expect(after.series.counts.redisSamples).toBe(1);
    expect(after.series.memory[0]!.used).toBeGreaterThan(0);
    expect(after.categories.find((c) => c.name === 'trending')!.keys).toBe(1);
  });

  it('with Redis unreachable: still answers, quickly, and says Redis is down', async () => {
    // A port nothing listens on: the store fails fast (no offline queue) and the breaker opens.
    await setCacheForTesting(createCache({ prefix: `t-dash-down-${process.pid}`, redis: { url: 'redis://127.0.0.1:1', connectTimeoutMs: 200 } }));
    const { loadDashboard } = await import('@/lib/admin/dashboard');
    const started = Date.now();
    const d = await loadDashboard('1h');
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(d.backend).toBe('redis');
    expect(d.redis.reachable).toBe(false);
    expect(d.redis.error).toBeTruthy();
    expect(d.live).toBeNull();
    expect(d.latency).toBeNull();
    expect(d.database.ok).toBe(true);
    // Memory falls back to the host's memory as the reference when INFO cannot be read.
    expect(d.memoryLimit.kind).toBe('system');

    // The sampler keeps recording this instance's counters and logs the Redis step once, not every tick.
    const { MetricsSampler } = await import('@/lib/admin/sampler');
    const { getCache } = await import('@/lib/cache');
    const warnings: string[] = [];
    const sampler = new MetricsSampler({
      cache: getCache,
      db: async () => db.db,
      config: { intervalMs: 1_000, keyscanIntervalMs: 60_000, retentionMs: 86_400_000, enabled: true },
      logger: { info: () => {}, warn: (o: object) => void warnings.push(JSON.stringify(o)) },
    });
    await sampler.tick();
    await sampler.tick();
    await sampler.tick();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('lease');
    const again = await loadDashboard('1h');
    expect(again.series.counts.categorySamples).toBeGreaterThan(0);
  });

  it('rolls completed buckets up (last sample each), reads them back for long ranges, and deletes by retention', async () => {
    const { insertSamples, rollUp, readRows, deleteOlderThan } = await import('@/lib/admin/samples-store');
    const { buildSeries } = await import('@/lib/admin/series');
    const { cacheMetricRollups } = await import('@/lib/db/schema');
    const base = Date.UTC(2026, 0, 1, 12, 0, 0);
    const since = base - 3_600_000;
    const rows = [];
    // One instance, 10 s samples over 4 minutes: 10 hits and 5 misses more every sample.
    for (let i = 0; i < 24; i++) {
      rows.push({ takenAt: new Date(base + i * 10_000), instance: 'I1', kind: 'category' as const, category: 'predictions', data: { since, hitsL1: 10 * i, hitsL2: 0, misses: 5 * i, staleServed: 0, sets: 0, invalidations: 0, errors: 0, fnCount: 0, fnSumMs: 0, p95Ms: 0 } });
    }
    await insertSamples(db.db, rows);
    const now = base + 4 * 60_000 + 5_000;
    await rollUp(db.db, 60, now);
    await rollUp(db.db, 60, now); // idempotent
    const rolled = await db.db.select().from(cacheMetricRollups);
    // The last three complete buckets (the rollup window) are written once each, with their last sample (…:50).
    expect(rolled.map((r) => r.bucket.toISOString()).sort()).toEqual(['2026-01-01T12:01:00.000Z', '2026-01-01T12:02:00.000Z', '2026-01-01T12:03:00.000Z']);
    expect(rolled.every((r) => r.takenAt.getUTCSeconds() === 50)).toBe(true);
    const back = await readRows(db.db, new Date(base), new Date(now), 60);
    expect(back).toHaveLength(3);
    const series = buildSeries(back, { from: base + 60_000, to: now, stepMs: 60_000, categories: ['predictions'] });
    // Two intervals of 6 samples each between the kept samples: 120 hits, 60 misses.
    expect(series.categories.predictions).toMatchObject({ hits: 120, misses: 60 });
    await deleteOlderThan(db.db, new Date(base + 2 * 60_000 + 30_000));
    expect(await db.db.select().from(cacheMetricRollups)).toHaveLength(1);
    expect(await readRows(db.db, new Date(base), new Date(now), 0)).toHaveLength(9);
  });
});
