import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCache, type Cache } from '@/lib/cache';
import { startLocalCluster, type LocalCluster } from './support/local-cluster';
import { captureLogger, testPrefix } from './support/shared-redis';

// The tiered cache end to end on a 3-master Cluster of our own redis-server processes.

const prefix = testPrefix('cluster');
let cluster: LocalCluster;
let a: Cache;
let b: Cache;

beforeAll(async () => {
  cluster = await startLocalCluster();
  const opts = { prefix, redis: { url: cluster.url, commandTimeoutMs: 1_000 }, l1: {}, logger: captureLogger().logger };
  a = createCache(opts);
  b = createCache(opts);
  await Promise.all([a.ready(10_000), b.ready(10_000)]);
});

afterAll(async () => {
  await Promise.all([a.close(), b.close()]);
  await cluster.stop();
});

describe('cache on Redis Cluster', () => {
  it('hits, invalidates by tag across slots, keeps L1s coherent, purges on every master', async () => {
    expect((await a.health()).backend).toBe('cluster');
    let version = 1;
    const fn = async (id: number) => `${id}@${version}`;
    const ga = a.cached(fn, ['cl'], { category: 'analytics', tags: (id) => [`rec:${id}`, `cond:${id % 3}`] });
    const gb = b.cached(fn, ['cl'], { category: 'analytics', tags: (id) => [`rec:${id}`, `cond:${id % 3}`] });
    for (let id = 0; id < 30; id++) expect(await ga(id)).toBe(`${id}@1`);
    expect((await gb.withMeta(4)).status).toBe('HIT');
    expect((await gb.withMeta(4)).layer).toBe('l1');
    version = 2;
    const delivered = new Promise<void>((resolve) => {
      const off = b.on('invalidate', (e) => e.source === 'bus' && (off(), resolve()));
    });
    await a.invalidateTag('cond:1');
    await delivered;
    expect(await gb(4)).toBe('4@2'); // 4 % 3 === 1
    expect(await gb(5)).toBe('5@1');
    const purge = await a.admin.purge('analytics', { batchSize: 5 });
    expect(purge.deleted).toBeGreaterThanOrEqual(29);
    expect((await ga.withMeta(5)).status).toBe('MISS');
  });
});
