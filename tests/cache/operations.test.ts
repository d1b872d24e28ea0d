import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCache, MemoryStore, type Cache } from '@/lib/cache';
import { ChaosStore } from './support/chaos-store';
import { ServiceUnavailableError } from '@/lib/errors';
import { cleanPrefix, SHARED_REDIS_URL, sharedStore, testPrefix } from './support/shared-redis';

// Warming, purge/reclaim, stats, health, events, withInvalidation, pass-through and memory-only mode.

const prefix = testPrefix('ops');
let cache: Cache;

beforeAll(async () => {
  cache = createCache({ prefix, redis: { url: SHARED_REDIS_URL, commandTimeoutMs: 2_000 }, l1: {} });
  await cache.ready();
});

afterAll(async () => {
  await cache.close();
  await cleanPrefix(prefix);
});

const countKeys = async (pattern: string) => {
  const store = await sharedStore();
  let n = 0;
  for await (const keys of store.scan(pattern)) n += keys.length;
  await store.close();
  return n;
};

describe('warming', () => {
  it('fills a category through the same cached functions, with progress', async () => {
    let runs = 0;
    const getRec = cache.cached(async (id: number) => (runs++, { id }), ['warm-rec'], { category: 'recommendations', tags: (id) => [`recommendation:${id}`] });
    cache.registerWarmer('recommendations', async () => [1, 2, 3, 4, 5].map((id) => () => getRec(id)));
    const progress: number[] = [];
    const report = await cache.warm('recommendations', { onProgress: (p) => progress.push(p.done) });
    expect(report).toMatchObject({ category: 'recommendations', done: 5, total: 5, failed: 0, aborted: false });
    expect(progress).toEqual([0, 1, 2, 3, 4, 5]);
    expect(runs).toBe(5);
    expect((await getRec.withMeta(3)).status).toBe('HIT');
  });

  it('is abortable and counts failures', async () => {
    const ac = new AbortController();
    cache.registerWarmer('feedback', () => [
      async () => {
        throw new Error('db');
      },
      async () => ac.abort(),
      async () => 'never',
    ]);
    const report = await cache.warm('feedback', { signal: ac.signal, concurrency: 1 });
    expect(report.failed).toBe(1);
    expect(report.aborted).toBe(true);
    expect(report.done).toBe(2);
  });

  it('warmOnStartup returns at once and warms critical categories in the background', async () => {
    const c = createCache({ prefix: `${prefix}-boot`, store: new MemoryStore() });
    let ran = false;
    const get = c.cached(async () => (ran = true), ['boot'], { category: 'trending' });
    c.registerWarmer('trending', () => [() => get()]);
    const pending = c.warmOnStartup(true);
    expect(ran).toBe(false);
    const reports = await pending;
    expect(ran).toBe(true);
    expect(reports.map((r) => r.category)).toEqual(['trending']);
    expect(await c.warmOnStartup(false)).toEqual([]);
  });
});

describe('purge and reclaim', () => {
  it('purgeCategory invalidates at once, then SCAN+UNLINKs in batches with progress', async () => {
    const get = cache.cached(async (i: number) => i, ['purge'], { category: 'profile' });
    for (let i = 0; i < 300; i += 100) await Promise.all(Array.from({ length: 100 }, (_, j) => get(i + j)));
    const keep = cache.cached(async () => 'keep', ['keep'], { category: 'analytics' });
    await keep();
    const batches: number[] = [];
    const report = await cache.admin.purge('profile', { batchSize: 50, onProgress: (p) => batches.push(p.deleted) });
    expect(report.deleted).toBe(300);
    expect(report.batches).toBeGreaterThan(1);
    expect(batches.at(-1)).toBe(300);
    expect(await countKeys(`${prefix}:profile:*`)).toBe(0);
    expect((await keep.withMeta()).status).toBe('HIT');
  });

  it('a purge can be stopped with an AbortSignal', async () => {
    const get = cache.cached(async (i: number) => i, ['purge-abort'], { category: 'profile' });
    await Promise.all(Array.from({ length: 200 }, (_, i) => get(i)));
    const ac = new AbortController();
    const report = await cache.admin.purge('profile', { batchSize: 10, signal: ac.signal, onProgress: (p) => p.batches >= 2 && ac.abort() });
    expect(report.aborted).toBe(true);
    expect(report.deleted).toBeLessThan(200);
    expect((await get.withMeta(1)).status).toBe('MISS'); // invalidated anyway (O(1)), whatever memory is left
  });

  it('reclaim unlinks entries made dead by a tag invalidation and keeps live ones', async () => {
    const get = cache.cached(async (i: number) => i, ['reclaim'], { category: 'predictions', tags: (i) => [i % 2 ? 'odd' : 'even'] });
    await Promise.all(Array.from({ length: 40 }, (_, i) => get(i)));
    await cache.invalidateTag('odd');
    const report = await cache.admin.reclaim({ category: 'predictions', batchSize: 7 });
    expect(report.deleted).toBe(20);
    expect((await get.withMeta(2)).status).toBe('HIT');
    expect(await countKeys(`${prefix}:~t:*`)).toBeGreaterThan(0); // bookkeeping survives (and expires on its own)
  });
});

describe('stats, health, events', () => {
  it('counts per category and emits events', async () => {
    const seen: string[] = [];
    const offs = (['hit', 'miss', 'set', 'invalidate'] as const).map((e) => cache.on(e, () => seen.push(e)));
    const get = cache.cached(async (i: number) => {
      await new Promise((r) => setTimeout(r, 5));
      return i;
    }, ['stats'], { category: 'trending', tags: ['stats-tag'] });
    const before = cache.statsSnapshot().categories.trending!;
    await get(1);
    await get(1);
    await cache.invalidateTag('stats-tag');
    await get(1);
    const after = cache.statsSnapshot().categories.trending!;
    expect(after.misses - before.misses).toBe(2);
    expect(after.hitsL1 - before.hitsL1).toBe(1);
    expect(after.sets - before.sets).toBe(2);
    expect(after.fnTime.count - before.fnTime.count).toBe(2);
    expect(after.fnTime.sumMs).toBeGreaterThan(before.fnTime.sumMs);
    expect(after.fnTime.p95Ms).toBeGreaterThan(0);
    expect(after.hitRate).toBeGreaterThan(0);
    expect(seen).toEqual(['miss', 'set', 'hit', 'invalidate', 'miss', 'set']);
    offs.forEach((off) => off());
  });

  it('health reports backend, reachability, latency, breaker and L1', async () => {
    const h = await cache.health();
    expect(h).toMatchObject({ enabled: true, backend: 'redis', reachable: true, breaker: 'closed', bus: 'connected', pendingInvalidations: 0 });
    expect(h.latencyMs).toBeGreaterThanOrEqual(0);
    expect(h.l1.enabled).toBe(true);
    expect(h.l1.entries).toBeGreaterThan(0);
    const info = await cache.admin.info();
    expect(info.used_memory).toBeDefined();
  });
});

describe('withInvalidation', () => {
  it('invalidates only after the handler succeeds, with tags from the result', async () => {
    let db = 1;
    const get = cache.cached(async (id: number) => db * id, ['wi'], { category: 'analytics', tags: (id) => [`recommendation:${id}`] });
    expect(await get(7)).toBe(7);
    const failing = cache.withInvalidation(['recommendation:7'], async () => {
      db = 2;
      throw new Error('constraint');
    });
    await expect(failing()).rejects.toThrow('constraint');
    expect((await get.withMeta(7)).status).toBe('HIT');
    const update = cache.withInvalidation(
      (result: { id: number }, id: number) => [`recommendation:${result.id}`, `audit:${id}`],
      async (id: number) => ({ id }),
    );
    expect(await update(7)).toEqual({ id: 7 });
    expect(await get(7)).toBe(14);
  });

  it('refuses a write up front while the store is down', async () => {
    const chaos = new ChaosStore(new MemoryStore(), {}, 'redis');
    const c = createCache({ prefix: `${prefix}-wi`, store: chaos, l1: false, breaker: { failureThreshold: 1 } });
    chaos.set({ down: true });
    let ran = false;
    await expect(c.withInvalidation(['x'], async () => (ran = true))()).rejects.toBeInstanceOf(ServiceUnavailableError);
    expect(ran).toBe(false);
    await c.close();
  });
});

describe('modes', () => {
  it('CACHE_ENABLED=false: pass-through, status BYPASS', async () => {
    const c = createCache({ prefix: `${prefix}-off`, store: new MemoryStore(), enabled: false });
    let runs = 0;
    const get = c.cached(async () => ++runs, ['off'], { category: 'analytics' });
    expect(await get()).toBe(1);
    expect(await get()).toBe(2);
    expect((await get.withMeta()).status).toBe('BYPASS');
    expect(await c.invalidateTag('x')).toMatchObject({ receivers: 0 });
  });

  it('memory-only: same semantics without Redis', async () => {
    const c = createCache({ prefix: `${prefix}-mem`, store: new MemoryStore({ maxBytes: 1024 * 1024 }) });
    let v = 1;
    const get = c.cached(async (id: number) => id * v, ['mem'], { category: 'analytics', tags: (id) => [`r:${id}`] });
    expect(await get(3)).toBe(3);
    expect((await get.withMeta(3)).status).toBe('HIT');
    v = 2;
    await c.invalidateTag('r:3');
    expect(await get(3)).toBe(6);
    const h = await c.health();
    expect(h).toMatchObject({ backend: 'memory', reachable: true, bus: 'disabled' });
    expect(h.l1.enabled).toBe(false);
  });

  it('a flaky store (chaos: 30% errors, jitter) never breaks a read', async () => {
    const chaos = new ChaosStore(new MemoryStore(), { errorRate: 0.3, jitterMs: 3 });
    const c = createCache({ prefix: `${prefix}-chaos`, store: chaos, commandTimeoutMs: 50, breaker: { failureThreshold: 1000 } });
    const get = c.cached(async (i: number) => i * 2, ['chaos'], { category: 'analytics', tags: ['t'] });
    const results = await Promise.all(Array.from({ length: 300 }, (_, i) => get(i % 30)));
    expect(results).toEqual(Array.from({ length: 300 }, (_, i) => (i % 30) * 2));
    expect(c.statsSnapshot().categories.analytics!.errors).toBeGreaterThan(0);
  });
});
