import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCache, FactoryTimeoutError, type Cache, type CacheOptions, type FactoryContext } from '@/lib/cache';
import { ServiceUnavailableError } from '@/lib/errors';
import { OwnRedis, waitFor } from './support/own-redis';
import { captureLogger, cleanPrefix, SHARED_REDIS_URL, sharedStore, testPrefix } from './support/shared-redis';

// Issue 14: slow and failing sources (timeouts, backoff), the factory context, per-call control, bounded
// replay, recompute announced to other instances, one Redis read per burst of misses, oversize values.

const prefix = testPrefix('slow');
const caches: Cache[] = [];
afterAll(async () => {
  await Promise.all(caches.map((c) => c.close()));
  await cleanPrefix(prefix);
});

function make(options: Partial<CacheOptions> = {}) {
  const cache = createCache({ prefix, redis: { url: SHARED_REDIS_URL, commandTimeoutMs: 2_000 }, l1: false, ...options });
  caches.push(cache);
  return cache;
}

/** The promise's outcome, or 'still waiting' after ms: a bound on how long a caller may wait, not a sleep. */
function settledWithin<T>(p: Promise<T>, ms: number) {
  return Promise.race([
    p.then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    ),
    new Promise<'still waiting'>((r) => setTimeout(() => r('still waiting'), ms)),
  ]);
}

describe('factory timeouts', () => {
  it('a factory that never resolves: callers get the hard-timeout error in time, later callers are not stuck behind it', async () => {
    const cache = make();
    await cache.ready();
    let calls = 0;
    const get = cache.cached(
      (id: number) => {
        calls++;
        return calls === 1 ? new Promise<string>(() => {}) : Promise.resolve(`value-${id}`);
      },
      ['hung'],
      { category: 'analytics', hardTimeout: 150, lockTimeout: 150 },
    );
    const started = performance.now();
    const first = await Promise.all(Array.from({ length: 5 }, () => settledWithin(get(1), 3_000)));
    for (const r of first) {
      expect(r).not.toBe('still waiting');
      expect((r as { error: unknown }).error).toBeInstanceOf(FactoryTimeoutError);
      expect((r as { error: FactoryTimeoutError }).error.status).toBe(503);
    }
    expect(performance.now() - started).toBeLessThan(1_500);
    expect(calls).toBe(1); // the 4 others joined the hung computation instead of piling onto the source
    const later = await settledWithin(get(1), 3_000);
    expect(later).toEqual({ value: 'value-1' });
    expect(calls).toBe(2);
    expect(cache.statsSnapshot().categories.analytics!.timeouts).toBeGreaterThanOrEqual(5);
  });

  it('a computation that outlives the hard timeout still fills the cache when it ends', async () => {
    const cache = make();
    await cache.ready();
    let release!: (v: string) => void;
    const get = cache.cached(() => new Promise<string>((r) => (release = r)), ['late'], { category: 'analytics', hardTimeout: 50 });
    await expect(get()).rejects.toBeInstanceOf(FactoryTimeoutError);
    release('late value');
    await waitFor(async () => (await get.peek()) !== null, 2_000);
    expect((await get.withMeta()).status).toBe('HIT');
    expect(await get()).toBe('late value');
  });

  it('soft timeout: the fresh value when the factory is fast, the stale one when it is slow', async () => {
    const clock = { t: Date.now() };
    const cache = make({ now: () => clock.t });
    await cache.ready();
    let version = 1;
    let delayMs = 0;
    const get = cache.cached(
      async () => {
        const v = version;
        await new Promise((r) => setTimeout(r, delayMs));
        return `v${v}`;
      },
      ['soft'],
      { category: 'analytics', ttl: 60, staleWhileRevalidate: 600, timeout: 300 },
    );
    expect(await get()).toBe('v1');
    version = 2;
    clock.t += 61_000;
    const fast = await get.withMeta();
    expect(fast).toMatchObject({ value: 'v2', status: 'MISS' }); // waited for the refresh: it was quick

    version = 3;
    delayMs = 1_500;
    clock.t += 61_000;
    const started = performance.now();
    const slow = await get.withMeta();
    expect(slow).toMatchObject({ value: 'v2', status: 'STALE' });
    expect(performance.now() - started).toBeLessThan(1_200); // ~300 ms, not the factory's 1.5 s
    await waitFor(async () => (await get.peek())?.value === 'v3', 5_000); // the refresh finished in the background
  });
});

describe('factory context', () => {
  it('ctx.skip() returns the value but caches nothing', async () => {
    const cache = make();
    await cache.ready();
    let calls = 0;
    const get = cache.cachedWithContext(
      async (ctx, id: number) => {
        calls++;
        const rows: number[] = [];
        if (rows.length === 0) ctx.skip(); // an id that may appear later: do not pin "nothing"
        return { id, rows };
      },
      ['skip'],
      { category: 'profile' },
    );
    expect(await get(5)).toEqual({ id: 5, rows: [] });
    expect(await get(5)).toEqual({ id: 5, rows: [] });
    expect(calls).toBe(2);
    const store = await sharedStore();
    expect(await store.mget([get.key(5)])).toEqual([null]);
    await store.close();
  });

  it('ctx.setTtl, ctx.stale and onFactoryError', async () => {
    const clock = { t: Date.now() };
    const errors: { background: boolean }[] = [];
    const cache = make({ now: () => clock.t });
    await cache.ready();
    let fail = false;
    const get = cache.cachedWithContext(
      async (ctx: FactoryContext<number>, id: number) => {
        if (fail) throw new Error('source down');
        ctx.setTtl(5);
        return (ctx.stale ?? 0) + id;
      },
      ['ctx'],
      { category: 'trending', staleWhileRevalidate: 60, onFactoryError: (_e, info) => void errors.push(info) },
    );
    const first = await get.withMeta(10);
    expect(first.value).toBe(10);
    expect(first.expiresAt - first.storedAt).toBeLessThanOrEqual(5_000); // not the category's hour
    clock.t += 6_000;
    expect((await get.withMeta(10)).status).toBe('STALE');
    await waitFor(async () => (await get.peek(10))?.value === 20, 2_000); // the refresh saw the previous value
    fail = true;
    clock.t += 6_000;
    await get(10);
    await waitFor(() => errors.length === 1, 2_000);
    expect(errors[0]).toMatchObject({ background: true, category: 'trending' });
  });

  it('await ctx.setTags(): an invalidation of a tag added while computing kills the entry', async () => {
    const cache = make();
    await cache.ready();
    let n = 0;
    const get = cache.cachedWithContext(
      async (ctx, id: number) => {
        await ctx.setTags([`owner-of:${id}`]);
        return ++n;
      },
      ['dyn-tags'],
      { category: 'analytics', tags: (id) => [`doc:${id}`] },
    );
    expect(await get(1)).toBe(1);
    expect((await get.withMeta(1)).status).toBe('HIT');
    await cache.invalidateTag('owner-of:1');
    expect(await get(1)).toBe(2);
    await cache.invalidateTag('doc:1');
    expect(await get(1)).toBe(3);
  });

  // A prediction adds its condition's tag after its first statement, then reads the condition's data (lib/resources/prediction.ts).
  it('an invalidation of an added tag while the computation still runs after adding it: the entry it stores is not served', async () => {
    const cache = make();
    await cache.ready();
    let data = 'old';
    let added: (() => void) | undefined;
    let resume: (() => void) | undefined;
    const get = cache.cachedWithContext(
      async (ctx, id: number) => {
        await ctx.setTags([`owner-of:${id}`]);
        const read = data;
        if (read === 'old') {
          added?.();
          await new Promise<void>((r) => (resume = r));
        }
        return `${id}:${read}`;
      },
      ['dyn-tags-race'],
      { category: 'analytics', tags: (id) => [`doc:${id}`] },
    );
    const tagAdded = new Promise<void>((r) => (added = r));
    const first = get(1);
    await tagAdded;
    data = 'new';
    await cache.invalidateTag('owner-of:1');
    // The computation read 'old' before the invalidation, and its entry carries the tag's version from before it.
    resume!();
    expect(await first).toBe('1:old');
    expect(await get.withMeta(1)).toMatchObject({ value: '1:new', status: 'MISS' });
  });
});

describe('per call: forceFresh, set, delete, expire', () => {
  it('expire serves grace while refreshing; invalidateTag does not', async () => {
    const cache = make();
    await cache.ready();
    let version = 1;
    let release: (() => void) | undefined;
    const get = cache.cached(
      async (id: number) => {
        const v = version;
        if (v === 2) await new Promise<void>((r) => (release = r));
        return `${id}@${v}`;
      },
      ['expire'],
      { category: 'analytics', tags: (id) => [`rec:${id}`], staleWhileRevalidate: 60 },
    );
    expect(await get(1)).toBe('1@1');
    version = 2;
    expect(await get.expire(1)).toBe(true);
    expect(await get.withMeta(1)).toMatchObject({ value: '1@1', status: 'STALE' });
    await waitFor(() => release !== undefined, 2_000);
    release!();
    await waitFor(async () => (await get.peek(1))?.value === '1@2', 2_000);

    version = 3;
    await cache.invalidateTag('rec:1');
    expect(await get.withMeta(1)).toMatchObject({ value: '1@3', status: 'MISS' });
    expect(await get.expire(99)).toBe(false);
  });

  it('forceFresh runs fn past a fresh entry; set and delete write and remove it', async () => {
    const cache = make();
    await cache.ready();
    let n = 0;
    const get = cache.cached(async () => ++n, ['per-call'], { category: 'trending' });
    expect(await get()).toBe(1);
    expect(await get()).toBe(1);
    expect(await get.withOptions({ forceFresh: true })).toMatchObject({ value: 2, status: 'MISS' });
    expect(await get()).toBe(2);
    await get.set(42);
    expect(await get.withMeta()).toMatchObject({ value: 42, status: 'HIT' });
    await get.delete();
    expect(await get.peek()).toBeNull();
    expect(await get()).toBe(3);
  });
});

describe('two instances on a redis-server of our own', () => {
  let server: OwnRedis;
  let admin: Redis;
  beforeAll(async () => {
    server = await OwnRedis.start();
    admin = new Redis(server.port);
  });
  afterAll(async () => {
    admin.disconnect();
    await server.destroy();
  });

  const cacheOn = (url: string, extra: Partial<CacheOptions> = {}) =>
    make({ redis: { url, commandTimeoutMs: 1_000 }, l1: {}, logger: captureLogger().logger, ...extra });

  it('one failed invalidation (breaker closed) is replayed within maxCooldownMs with no read on that instance; the other instance stops serving the stale value by then', async () => {
    const maxCooldownMs = 400;
    // A connects as a user that may be refused SET, so its invalidation fails while Redis itself stays up.
    await admin.call('ACL', 'SETUSER', 'writer', 'on', '>writer-pw', '~*', '&*', '+@all');
    const a = cacheOn(`redis://writer:writer-pw@127.0.0.1:${server.port}`, { breaker: { failureThreshold: 3, cooldownMs: 100, maxCooldownMs } });
    const b = cacheOn(server.url);
    await Promise.all([a.ready(), b.ready()]);
    let db = 'v1';
    const fn = async (id: number) => `${db}:${id}`;
    const gb = b.cached(fn, ['replay'], { category: 'analytics', tags: (id) => [`rec:${id}`] });
    expect(await gb(1)).toBe('v1:1');

    db = 'v2';
    await admin.call('ACL', 'SETUSER', 'writer', '-set');
    await expect(a.invalidateTag('rec:1')).rejects.toBeInstanceOf(ServiceUnavailableError);
    const health = await a.health();
    expect(health.breaker).toBe('closed');
    expect(health.pendingInvalidations).toBe(1);
    expect(await gb(1)).toBe('v1:1'); // Redis never heard of it

    await admin.call('ACL', 'SETUSER', 'writer', '+set');
    const recovered = performance.now();
    await waitFor(async () => (await gb(1)) === 'v2:1', 3_000);
    expect(performance.now() - recovered).toBeLessThan(maxCooldownMs + 300);
    expect((await a.health()).pendingInvalidations).toBe(0);
  });

  it('after A recomputes a key that vanished from Redis, B serves A’s value (the write is announced)', async () => {
    const a = cacheOn(server.url, { l1: { maxTtlMs: 1 } }); // A's L1 forgets at once, so A goes to Redis
    const b = cacheOn(server.url);
    await Promise.all([a.ready(), b.ready()]);
    let db = 'v1';
    const fn = async () => db;
    const ga = a.cached(fn, ['vanish'], { category: 'trending' });
    const gb = b.cached(fn, ['vanish'], { category: 'trending' });
    expect(await gb()).toBe('v1');
    expect((await gb.withMeta()).layer).toBe('l1');
    await admin.del(gb.key()); // evicted
    db = 'v2';
    expect(await ga()).toBe('v2');
    await waitFor(async () => (await gb()) === 'v2', 1_000);
  });

  it('a stale L1 value is not served when Redis already holds a fresher one', async () => {
    const clock = { t: Date.now() };
    const a = cacheOn(server.url, { l1: false, bus: false, now: () => clock.t }); // refreshes Redis without telling anyone
    const b = cacheOn(server.url, { now: () => clock.t });
    await Promise.all([a.ready(), b.ready()]);
    let db = 'v1';
    const fn = async () => db;
    const options = { category: 'trending', ttl: 60, staleWhileRevalidate: 600 } as const;
    const ga = a.cached(fn, ['fresher'], options);
    const gb = b.cached(fn, ['fresher'], options);
    expect(await gb()).toBe('v1');
    clock.t += 61_000; // both tiers stale
    db = 'v2';
    expect((await ga.withMeta()).status).toBe('STALE');
    await waitFor(async () => (await ga.peek())?.status === 'HIT', 2_000); // A's refresh is in Redis
    expect(await gb.withMeta()).toMatchObject({ value: 'v2', status: 'HIT', layer: 'l2' });
  });

  it('5 concurrent misses on one key: 1 Redis read and 1 computation', async () => {
    const cache = cacheOn(server.url, { l1: false });
    await cache.ready();
    let calls = 0;
    const get = cache.cached(async (id: number) => (calls++, id), ['burst'], { category: 'analytics', tags: (id) => [`rec:${id}`] });
    await admin.config('RESETSTAT');
    await Promise.all(Array.from({ length: 5 }, () => get(77)));
    const stats = await admin.info('commandstats');
    expect(/cmdstat_mget:calls=(\d+)/.exec(stats)?.[1]).toBe('1');
    expect(calls).toBe(1);
  });

  it('a miss on a tag never read creates its version key in the read’s round trip, not in one of its own', async () => {
    const cache = cacheOn(server.url, { l1: false });
    await cache.ready();
    const get = cache.cached(async (id: number) => ({ id }), ['first-tag'], { category: 'analytics', tags: (id) => [`first:${id}`] });
    await get(1); // the category's version key is seen from here on
    const counts = async () => {
      // One command, so one socket read of its own.
      const info = (await admin.call('INFO', 'commandstats', 'stats')) as string;
      const n = (re: RegExp) => Number(re.exec(info)?.[1] ?? 0);
      return { mget: n(/cmdstat_mget:calls=(\d+)/), set: n(/cmdstat_set:calls=(\d+)/), reads: n(/total_reads_processed:(\d+)/) };
    };
    // Commands, and socket reads Redis served for the cache (the counting's own two left out): round trips.
    const miss = async (id: number) => {
      await admin.config('RESETSTAT');
      const before = await counts();
      expect(await get(id)).toEqual({ id });
      const after = await counts();
      return { mget: after.mget, set: after.set, roundTrips: after.reads - before.reads - 1 };
    };
    // The read with its SET NX GET, then the entry's write: a version key created apart would make it three.
    expect(await miss(2)).toEqual({ mget: 1, set: 2, roundTrips: 2 });
    // The tag now seen: the MGET reads its new version alone.
    await cache.invalidateTag('first:2');
    expect(await miss(2)).toEqual({ mget: 1, set: 1, roundTrips: 2 });
  });
});

describe('oversize values', () => {
  it('are counted per category and logged once per key per hour; maxEntryBytes is configurable', async () => {
    const clock = { t: Date.now() };
    const log = captureLogger();
    const cache = make({ maxEntryBytes: 2_000, logger: log.logger, now: () => clock.t });
    await cache.ready();
    const get = cache.cached(async (n: number) => 'x'.repeat(n), ['big'], { category: 'predictions' });
    for (let i = 0; i < 3; i++) expect(await get(5_000)).toHaveLength(5_000);
    expect(await get(100)).toHaveLength(100);
    expect((await get.withMeta(100)).status).toBe('HIT');
    expect((await get.withMeta(5_000)).status).toBe('MISS');
    const lines = () => log.lines.filter((l) => /maxEntryBytes/.test(l.msg));
    expect(cache.statsSnapshot().categories.predictions!.oversize).toBe(4);
    expect(lines()).toHaveLength(1);
    expect(lines()[0]!.obj).toMatchObject({ category: 'predictions', bytes: expect.any(Number), limit: 2_000 });
    await get(6_000);
    expect(lines()).toHaveLength(2); // another key
    clock.t += 3_600_001;
    await get(5_000);
    expect(lines()).toHaveLength(3); // an hour later
  });
});

describe('store-ready hooks (a store just connected or reconnected)', () => {
  const options = { category: 'analytics', tags: (id: number) => [`rec:${id}`] };

  it('a read while a hook runs waits for it and reads the store, instead of computing an entry the store holds', async () => {
    const writer = make();
    await writer.ready();
    await writer.cached(async (id: number) => `stored-${id}`, ['ready-hook'], options)(1);
    const reader = make();
    await reader.ready();
    let release!: () => void;
    reader.onStoreReady(() => new Promise<void>((r) => (release = r)));
    let calls = 0;
    const get = reader.cached(async (id: number) => (calls++, `computed-${id}`), ['ready-hook'], options);
    const pending = get.withMeta(1);
    // Computing instead would answer at once: the hook holds the read back.
    expect(await settledWithin(pending, 50)).toBe('still waiting');
    release();
    const r = await pending;
    expect({ value: r.value, status: r.status, layer: r.layer, calls }).toEqual({ value: 'stored-1', status: 'HIT', layer: 'l2', calls: 0 });
  });

  it('a hook that does not finish holds a read back for the store timeout at most, then the value is computed', async () => {
    const reader = make({ commandTimeoutMs: 100 });
    await reader.ready();
    reader.onStoreReady(() => new Promise<void>(() => {}));
    const get = reader.cached(async (id: number) => `computed-${id}`, ['ready-hook-stuck'], options);
    const r = await settledWithin(get.withMeta(2), 1_000);
    expect(r).toMatchObject({ value: { value: 'computed-2', status: 'MISS' } });
  });
});
