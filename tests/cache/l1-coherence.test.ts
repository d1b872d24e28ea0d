import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createCache, type Cache } from '@/lib/cache';
import { OwnRedis, waitFor } from './support/own-redis';
import { captureLogger, testPrefix } from './support/shared-redis';

// Semantics 7: two instances with L1 and separate connections. Our own redis-server, so we can kill
// pub/sub connections (CLIENT KILL TYPE pubsub) without touching anyone else's.

const prefix = testPrefix('l1');
let server: OwnRedis;
let a: Cache;
let b: Cache;
let admin: Redis;

beforeAll(async () => {
  server = await OwnRedis.start();
  const opts = { prefix, redis: { url: server.url, commandTimeoutMs: 1_000 }, l1: {}, logger: captureLogger().logger };
  a = createCache(opts);
  b = createCache(opts);
  admin = new Redis(server.port);
  await Promise.all([a.ready(), b.ready()]);
});

afterAll(async () => {
  await Promise.all([a.close(), b.close()]);
  admin.disconnect();
  await server.destroy();
});

const nextEvent = (cache: Cache, event: 'invalidate' | 'bus', pred: (p: never) => boolean = () => true) =>
  new Promise<void>((resolve) => {
    const off = cache.on(event, (p) => {
      if (pred(p as never)) {
        off();
        resolve();
      }
    });
  });

describe('L1 coherence across instances (semantics 7)', () => {
  it('invalidation on A drops B’s L1 entry within one pub/sub delivery (A’s own L1 before invalidateTag returns)', async () => {
    let version = 1;
    const fn = async (id: number) => `${id}@${version}`;
    const ga = a.cached(fn, ['coh'], { category: 'analytics', tags: (id) => [`rec:${id}`] });
    const gb = b.cached(fn, ['coh'], { category: 'analytics', tags: (id) => [`rec:${id}`] });
    await ga(1);
    await gb(1);
    expect((await ga.withMeta(1)).layer).toBe('l1');
    expect((await gb.withMeta(1)).layer).toBe('l1');

    version = 2;
    const delivered = nextEvent(b, 'invalidate', (p: { source: string }) => p.source === 'bus');
    const report = await a.invalidateTag('rec:1');
    expect(report.receivers).toBeGreaterThanOrEqual(2); // both instances' buses are subscribed
    expect(await ga(1)).toBe('1@2'); // A: synchronous
    await delivered; // B: one pub/sub delivery later
    const rb = await gb.withMeta(1);
    expect(rb.value).toBe('1@2');
    expect(rb.layer).not.toBe('l1');
  });

  it('B’s callers stop joining a computation running on B once an invalidation on A reached B', async () => {
    let version = 1;
    let runs = 0;
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const fn = async (id: number) => {
      const v = version;
      if (++runs === 1) await held;
      return `${id}@${v}`;
    };
    const gb = b.cached(fn, ['coh-flight'], { category: 'analytics', tags: (id) => [`rec:${id}`] });
    const first = gb(1);
    await vi.waitFor(() => expect(runs).toBe(1));
    version = 2;
    const delivered = nextEvent(b, 'invalidate', (p: { source: string }) => p.source === 'bus');
    await a.invalidateTag('rec:1');
    await delivered;
    const second = gb(1);
    await vi.waitFor(() => expect(runs).toBe(2)); // not joined to the held computation
    release();
    expect(await second).toBe('1@2');
    expect(await first).toBe('1@1');
  });

  it('category invalidation reaches the other L1 too', async () => {
    let version = 1;
    const fn = async () => version;
    const ga = a.cached(fn, ['coh-cat'], { category: 'trending' });
    const gb = b.cached(fn, ['coh-cat'], { category: 'trending' });
    await ga();
    expect(await gb()).toBe(1);
    version = 2;
    const delivered = nextEvent(b, 'invalidate', (p: { source: string }) => p.source === 'bus');
    await a.invalidateCategory('trending');
    await delivered;
    expect(await gb()).toBe(2);
  });

  it('an instance whose bus reconnects drops its L1 (messages may have been lost meanwhile)', async () => {
    const fn = async (id: number) => `${id}@1`;
    const gb = b.cached(fn, ['coh-bus'], { category: 'analytics', tags: (id) => [`rec:${id}`] });
    await gb(5);
    expect((await gb.withMeta(5)).layer).toBe('l1');
    const reconnectedA = nextEvent(a, 'bus', (p: { state: string }) => p.state === 'reconnected');
    const reconnectedB = nextEvent(b, 'bus', (p: { state: string }) => p.state === 'reconnected');
    await admin.client('KILL', 'TYPE', 'pubsub');
    await Promise.all([reconnectedA, reconnectedB]);
    // Nothing was invalidated, yet the entry must now come from Redis: a message could have been lost.
    const meta = await gb.withMeta(5);
    expect(meta.layer).not.toBe('l1'); // L1 was dropped on reconnect
    expect((await b.health()).bus).toBe('connected');
    await waitFor(async () => (await gb.withMeta(5)).layer === 'l1', 1_000);
  });

  it('L1 is not used while the bus is down', async () => {
    const gb = b.cached(async () => 'v', ['coh-down'], { category: 'analytics' });
    await gb();
    await gb();
    const down = nextEvent(b, 'bus', (p: { state: string }) => p.state === 'disconnected');
    const back = nextEvent(b, 'bus', (p: { state: string }) => p.state === 'reconnected');
    await admin.client('KILL', 'TYPE', 'pubsub');
    await down;
    const during = await gb.withMeta();
    if ((await b.health()).bus !== 'connected') expect(during.layer).not.toBe('l1');
    await back;
  });
});

describe('L1 on a coherence lease (the app attaches its PostgreSQL channel)', () => {
  it('Redis killed: L1 is kept, so reads go on from L1 without fn or the store; a cache without the lease drops it', async () => {
    // A server of its own: this test kills it.
    const own = await OwnRedis.start();
    const opts = { prefix: testPrefix('l1-lease'), redis: { url: own.url, commandTimeoutMs: 1_000 }, l1: {}, logger: captureLogger().logger };
    const leased = createCache(opts);
    const plain = createCache(opts);
    leased.attachCoherence({ leaseValid: () => true });
    try {
      await Promise.all([leased.ready(), plain.ready()]);
      let calls = 0;
      const fn = async (id: number) => `${id}@${++calls}`;
      const gl = leased.cached(fn, ['lease-kept'], { category: 'analytics', tags: (id) => [`rec:${id}`] });
      const gp = plain.cached(fn, ['lease-kept'], { category: 'analytics', tags: (id) => [`rec:${id}`] });
      for (const id of [1, 2, 3]) await gl(id);
      await gp(1);
      expect((await gl.withMeta(1)).layer).toBe('l1');
      expect((await gp.withMeta(1)).layer).toBe('l1');
      const computed = calls;

      const downL = nextEvent(leased, 'bus', (p: { state: string }) => p.state === 'disconnected');
      const downP = nextEvent(plain, 'bus', (p: { state: string }) => p.state === 'disconnected');
      await own.stop();
      await Promise.all([downL, downP]);

      for (const id of [1, 2, 3]) {
        const started = performance.now();
        const meta = await gl.withMeta(id);
        expect(meta).toMatchObject({ layer: 'l1', status: 'HIT', value: `${id}@${id}` });
        // Served at once: no wait on the dead store (its command timeout is 1 s).
        expect(performance.now() - started).toBeLessThan(100);
      }
      expect(calls).toBe(computed);
      // Without the lease, L1 was dropped with the bus: the same read is computed again.
      expect((await gp.withMeta(1)).layer).toBe('fn');
    } finally {
      await Promise.all([leased.close(), plain.close()]);
      await own.destroy();
    }
  });
});
