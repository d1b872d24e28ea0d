import { and, desc, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { useApi } from '../api/support';

/**
 * Real Redis + PostgreSQL: the dashboard's purge/warm (through the same lib/admin functions its server
 * actions call), the key scan, the sampler with its lease, and the audit rows they leave.
 */
describe('cache admin on real Redis', () => {
  const api = useApi({ patients: 200 });
  const admin = { label: 'admin@demo.mizaj.local' };

  /**
   * Warming predictions (the 200 most recent diagnoses: lib/resources/hot-set.ts) also fills the priors of each
   * condition they rank (lib/resources/remedy-means.ts): counted here by a query of the test's own.
   */
  async function warmedConditions(): Promise<number> {
    const { diagnoses } = await import('@/lib/db/schema');
    const recent = await api.db.db.select({ condition: diagnoses.conditionId }).from(diagnoses).orderBy(desc(diagnoses.createdAt)).limit(200);
    return new Set(recent.map((d) => d.condition)).size;
  }

  /** Key counts per category, counted independently of lib/admin (SCAN over the test's prefix). */
  async function countKeys(): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for await (const keys of api.redis.scanStream({ match: `${api.prefix}:*`, count: 1000 }) as AsyncIterable<string[]>) {
      for (const k of keys) {
        const seg = k.slice(api.prefix.length + 1).split(':')[0]!;
        if (!seg.startsWith('~')) counts[seg] = (counts[seg] ?? 0) + 1;
      }
    }
    return counts;
  }

  it('warm fills the hot set of a category and writes an audit row', async () => {
    const { warmCategory } = await import('@/lib/admin/cache-admin');
    const { diagnoses, adminAudit } = await import('@/lib/db/schema');
    const db = api.db.db;
    const report = await warmCategory(db, admin, 'predictions');
    const recent = Math.min(200, (await db.select({ id: diagnoses.id }).from(diagnoses)).length);
    expect(report.total).toBe(recent);
    expect(report.warmed).toBe(recent);
    expect(report.failed).toBe(0);
    await warmCategory(db, admin, 'recommendations');
    await warmCategory(db, admin, 'trending');
    const counts = await countKeys();
    // One key per warmed diagnosis (each its own), and one for the priors of each condition among them.
    expect(counts.predictions).toBe(recent + (await warmedConditions()));
    expect(counts.recommendations).toBeGreaterThan(0);
    expect(counts.trending).toBe(2);
    const rows = await db.select().from(adminAudit).where(and(eq(adminAudit.action, 'warm'), eq(adminAudit.target, 'predictions')));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor: admin.label, ok: true });
    expect(rows[0]!.result).toMatchObject({ warmed: recent, total: recent });
  });

  it('the key scan classifies every key by category in one pass, with TTL buckets and top keys', async () => {
    const { getCache } = await import('@/lib/cache');
    const { scanKeyspace } = await import('@/lib/admin/keyspace');
    const counts = await countKeys();
    const scan = await scanKeyspace(getCache());
    for (const [c, n] of Object.entries(counts)) expect(scan.categories[c]?.keys).toBe(n);
    expect(scan.bookkeeping).toBeGreaterThan(0);
    const p = scan.categories.predictions!;
    expect(p.estBytes).toBeGreaterThan(0);
    // The warmed rankings live 5 min + 5 min grace (their declared lifetime, lib/resources/prediction.ts): all < 1 h.
    expect(p.ttl.lt1h).toBe(p.keys);
    expect(p.top).toHaveLength(10);
    expect(p.top[0]!.bytes).toBeGreaterThanOrEqual(p.top[9]!.bytes);
    expect(p.top[0]!.key.startsWith('predictions:')).toBe(true);
  });

  it('purging predictions leaves no predictions key, keeps other categories, and writes an audit row', async () => {
    const { purgeCategory } = await import('@/lib/admin/cache-admin');
    const { adminAudit } = await import('@/lib/db/schema');
    const before = await countKeys();
    expect(before.predictions).toBeGreaterThan(0);
    const report = await purgeCategory(api.db.db, admin, 'predictions');
    expect(report.keysDeleted).toBe(before.predictions);
    const after = await countKeys();
    expect(after.predictions ?? 0).toBe(0);
    for (const [c, n] of Object.entries(before)) if (c !== 'predictions') expect(after[c]).toBe(n);
    const rows = await api.db.db.select().from(adminAudit).where(and(eq(adminAudit.action, 'purge-category'), eq(adminAudit.target, 'predictions')));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor: admin.label, ok: true });
    expect(rows[0]!.result).toMatchObject({ keysDeleted: before.predictions, aborted: false });
  });

  it('purge and warm jobs report progress to the end and refresh the stored key scan', async () => {
    const { startPurgeJob, startWarmJob, getJob } = await import('@/lib/admin/jobs');
    const { latestKeyspace } = await import('@/lib/admin/samples-store');
    const settle = async (id: string) => {
      for (let i = 0; i < 200; i++) {
        const j = getJob(id)!;
        if (j.finishedAt !== undefined) return j;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error('job did not finish');
    };
    const warm = await settle(startWarmJob(admin, 'predictions').id);
    expect(warm.status).toBe('done');
    expect(warm.progress.done).toBe(warm.progress.total);
    const keys = warm.progress.total + (await warmedConditions());
    expect((await latestKeyspace(api.db.db))!.categories.predictions!.keys).toBe(keys);
    const purge = await settle(startPurgeJob(admin, 'predictions').id);
    expect(purge).toMatchObject({ status: 'done', progress: { deleted: keys } });
    expect((await latestKeyspace(api.db.db))!.categories.predictions!.keys).toBe(0);
  });

  it('a stopped purge reports "stopped" and is audited as aborted', async () => {
    const { startPurgeJob, stopJob, getJob } = await import('@/lib/admin/jobs');
    const { warmCategory } = await import('@/lib/admin/cache-admin');
    await warmCategory(api.db.db, admin, 'analytics');
    const job = startPurgeJob(admin, 'analytics');
    stopJob(job.id);
    for (let i = 0; i < 200 && getJob(job.id)!.finishedAt === undefined; i++) await new Promise((r) => setTimeout(r, 25));
    expect(getJob(job.id)!.status).toBe('stopped');
  });

  it('the sampler writes category rows per instance and Redis rows from the lease holder only', async () => {
    const { MetricsSampler, leaseKey } = await import('@/lib/admin/sampler');
    const { getCache } = await import('@/lib/cache');
    const { cacheMetricSamples } = await import('@/lib/db/schema');
    const cache = getCache();
    const logger = { info: () => {}, warn: () => {} };
    const config = { intervalMs: 1_000, keyscanIntervalMs: 60_000, retentionMs: 7 * 86_400_000, enabled: true };
    const db = async () => api.db.db;
    const mine = new MetricsSampler({ cache: () => cache, db, config, logger });
    await api.redis.del(leaseKey(cache.prefix));
    // Another instance holds the lease: this one records its own counters but no Redis-wide figures.
    await api.redis.set(leaseKey(cache.prefix), 'someone-else', 'PX', 5_000);
    await mine.tick();
    let rows = await api.db.db.select().from(cacheMetricSamples);
    expect(rows.filter((r) => r.kind === 'category' && r.instance === cache.instanceId).length).toBe(Object.keys(cache.categories).length);
    expect(rows.filter((r) => r.kind === 'redis')).toHaveLength(0);
    // The lease is free again: this instance takes it and samples INFO, the key scan and rollups.
    await api.redis.del(leaseKey(cache.prefix));
    await mine.tick();
    rows = await api.db.db.select().from(cacheMetricSamples);
    const redisRows = rows.filter((r) => r.kind === 'redis');
    expect(redisRows).toHaveLength(1);
    expect(redisRows[0]!.data).toMatchObject({ backend: 'redis' });
    expect((redisRows[0]!.data as { usedMemory: number }).usedMemory).toBeGreaterThan(0);
    expect(rows.some((r) => r.kind === 'keyspace')).toBe(true);
    expect(await api.redis.get(leaseKey(cache.prefix))).toBe(cache.instanceId);
  });

  it('a sampler started before its Redis is reachable holds its first round until it is: no failing step logged', async () => {
    const { MetricsSampler, leaseKey } = await import('@/lib/admin/sampler');
    const { createCache } = await import('@/lib/cache');
    const { OwnRedis } = await import('../cache/support/own-redis');
    const server = await OwnRedis.start();
    await server.stop();
    const cache = createCache({ prefix: `${api.prefix}-late`, redis: { url: server.url } });
    const warnings: string[] = [];
    const logger = { info: () => {}, warn: (...args: unknown[]) => void warnings.push(String(args[1])) };
    const config = { intervalMs: 300, keyscanIntervalMs: 60_000, retentionMs: 7 * 86_400_000, enabled: true };
    try {
      const first = new MetricsSampler({ cache: () => cache, db: async () => api.db.db, config, logger }).start();
      // Past the moment the first round is due (300 ms), Redis comes up.
      await new Promise((r) => setTimeout(r, 500));
      await server.startProcess();
      await first;
      expect(warnings).toEqual([]);
      expect(await cache.store.mget([leaseKey(cache.prefix)])).toEqual([cache.instanceId]);
    } finally {
      await cache.close();
      await server.destroy();
    }
  });

  it('the dashboard loader reads it all back as plain data', async () => {
    const { loadDashboard } = await import('@/lib/admin/dashboard');
    const d = await loadDashboard('15m');
    expect(d.backend).toBe('redis');
    expect(d.redis.reachable).toBe(true);
    expect(d.database.ok).toBe(true);
    expect(d.memoryLimit.bytes).toBeGreaterThan(0);
    expect(d.categories.map((c) => c.name)).toContain('predictions');
    expect(d.audit[0]!.createdAt >= d.audit.at(-1)!.createdAt).toBe(true);
    expect(d.audit.some((a) => a.action === 'purge-category' && a.target === 'predictions')).toBe(true);
    expect(JSON.parse(JSON.stringify(d))).toEqual(d);
  });
});
