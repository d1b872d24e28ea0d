import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CacheValueError, createCache, MemoryStore, RawValue, type Cache } from '@/lib/cache';
import { decodeHeader, decodeValue } from '@/lib/cache/codec';
import { waitFor } from './support/own-redis';
import { cleanPrefix, SHARED_REDIS_URL, testPrefix } from './support/shared-redis';

// Semantics 5 (TTL + jitter), 6 (values) and 8 (keys cannot be injected).

const prefix = testPrefix('values');
let cache: Cache;
let redis: Redis;

beforeAll(async () => {
  cache = createCache({
    prefix,
    redis: { url: SHARED_REDIS_URL, commandTimeoutMs: 2_000 },
    l1: {},
    maxEntryBytes: 64 * 1024,
    categories: {
      analytics: { ttl: 10, grace: 5, jitter: 0.2, critical: false },
      predictions: { ttl: 100, grace: 0, jitter: 0.1, critical: true },
      trending: { ttl: 1, grace: 0, jitter: 0, critical: false },
    },
  });
  redis = new Redis(SHARED_REDIS_URL);
  await cache.ready();
});

afterAll(async () => {
  await cache.close();
  redis.disconnect();
  await cleanPrefix(prefix);
});

describe('TTL and jitter (semantics 5)', () => {
  it('entries live within [ttl·(1−j), ttl] (+grace in Redis), spread by jitter; categories keep their own TTL', async () => {
    const a = cache.cached(async (i: number) => i, ['ttl-a'], { category: 'analytics' });
    const p = cache.cached(async (i: number) => i, ['ttl-p'], { category: 'predictions' });
    const lives: number[] = [];
    for (let i = 0; i < 100; i++) {
      const m = await a.withMeta(i);
      const life = m.expiresAt - m.storedAt;
      expect(life).toBeGreaterThanOrEqual(8_000);
      expect(life).toBeLessThanOrEqual(10_000);
      expect(m.graceUntil - m.expiresAt).toBe(5_000);
      lives.push(life);
      const pttl = await redis.pttl(m.key);
      expect(pttl).toBeGreaterThan(0);
      expect(pttl).toBeLessThanOrEqual(life + 5_000);
    }
    expect(Math.max(...lives) - Math.min(...lives)).toBeGreaterThan(500);
    const pm = await p.withMeta(1);
    expect(pm.expiresAt - pm.storedAt).toBeGreaterThanOrEqual(90_000);
    expect(pm.expiresAt - pm.storedAt).toBeLessThanOrEqual(100_000);
  });

  it('an entry really expires after its TTL', async () => {
    let runs = 0;
    const t = cache.cached(async () => ++runs, ['ttl-real'], { category: 'trending' });
    expect(await t()).toBe(1);
    expect((await t.withMeta()).status).toBe('HIT');
    await waitFor(async () => (await redis.exists(t.key())) === 0, 3_000, 50);
    expect(await t()).toBe(2);
  });

  it('a per-function ttl overrides the category', async () => {
    const f = cache.cached(async () => 1, ['ttl-own'], { category: 'analytics', ttl: 2 });
    const m = await f.withMeta();
    expect(m.expiresAt - m.storedAt).toBeLessThanOrEqual(2_000);
  });
});

describe('values (semantics 6)', () => {
  it('JSON round-trip is exact, with Dates and BigInts, on L2 and L1 hits', async () => {
    const value = {
      when: new Date('2024-03-01T10:00:00.123Z'),
      big: 12345678901234567890n,
      nested: [{ d: new Date(0), s: 'مزاج', n: -0.5, b: true, z: null }],
      empty: {},
    };
    const f = cache.cached(async () => value, ['dates'], { category: 'analytics' });
    const miss = await f.withMeta();
    expect(miss.status).toBe('MISS');
    expect(miss.value).toEqual(value);
    const other = createCache({ prefix, redis: { url: SHARED_REDIS_URL }, l1: false });
    await other.ready();
    const l2 = await other.cached(async (): Promise<unknown> => null, ['dates'], { category: 'analytics' }).withMeta();
    expect(l2.status).toBe('HIT');
    expect(l2.layer).toBe('l2');
    expect(l2.value).toEqual(value);
    expect((l2.value as typeof value).when).toBeInstanceOf(Date);
    expect(typeof (l2.value as typeof value).big).toBe('bigint');
    await other.close();
    const l1 = await f.withMeta();
    expect(l1.layer).toBe('l1');
    expect(l1.value).toEqual(value);
  });

  it('undefined and null are cached distinctly', async () => {
    let runs = 0;
    const f = cache.cached(async (kind: 'u' | 'n') => (runs++, kind === 'u' ? undefined : null), ['nullish'], { category: 'analytics' });
    expect(await f('u')).toBeUndefined();
    expect(await f('n')).toBeNull();
    expect((await f.withMeta('u')).status).toBe('HIT');
    expect((await f.withMeta('u')).value).toBeUndefined();
    expect((await f.withMeta('n')).value).toBeNull();
    expect(runs).toBe(2);
  });

  it('refuses values JSON cannot carry, with a clear error', async () => {
    const bad: [string, unknown][] = [
      ['Map', new Map([[1, 2]])],
      ['class', new (class Patient {})()],
      ['NaN', { score: NaN }],
      ['function', { f: () => 1 }],
      ['undefined in array', [1, undefined]],
    ];
    for (const [name, v] of bad) {
      const f = cache.cached(async () => v, ['bad', name], { category: 'analytics' });
      await expect(f()).rejects.toBeInstanceOf(CacheValueError);
    }
  });

  it('a value over the size limit is returned, not cached, and counted', async () => {
    const before = cache.statsSnapshot().categories.analytics!.oversize;
    let runs = 0;
    const f = cache.cached(async () => (runs++, 'x'.repeat(100 * 1024)), ['big'], { category: 'analytics' });
    expect((await f()).length).toBe(100 * 1024);
    expect((await f.withMeta()).status).toBe('MISS');
    expect(runs).toBe(2);
    expect(cache.statsSnapshot().categories.analytics!.oversize).toBe(before + 2);
  });

  it('values handed out are deep-frozen: one caller cannot change what the next gets', async () => {
    const f = cache.cached(async () => ({ list: [{ score: 1 }], at: new Date(0) }), ['frozen'], { category: 'analytics' });
    for (const layer of ['fn', 'l1']) {
      const r = await f.withMeta();
      expect(r.layer).toBe(layer);
      expect(() => {
        (r.value.list[0] as { score: number }).score = 99;
      }).toThrow(TypeError);
      expect(() => r.value.list.push({ score: 2 })).toThrow(TypeError);
      expect(() => r.value.at.setFullYear(2000)).toThrow(TypeError);
    }
    expect((await f()).list[0]!.score).toBe(1);
    expect((await f()).at.getTime()).toBe(0);
  });

  it('stores pre-rendered bodies (RawValue) without JSON escaping', async () => {
    const body = JSON.stringify({ id: 7, name: 'زنجبیل "ginger"' });
    const f = cache.cached(async (id: number) => new RawValue(body, { etag: `"e${id}"`, 'content-type': 'application/json' }), ['raw'], { category: 'analytics', tags: (id) => [`recommendation:${id}`] });
    await f(7);
    const stored = await redis.get(f.key(7));
    expect(stored).toContain(body);
    const hit = await cache.getEntry('analytics', f.key(7), ['recommendation:7']);
    expect(hit?.value).toBeInstanceOf(RawValue);
    expect((hit!.value as RawValue).body).toBe(body);
    expect((hit!.value as RawValue).meta.etag).toBe('"e7"');
    const noTags = await cache.getEntry('analytics', f.key(7));
    expect((noTags!.value as RawValue).body).toBe(body);
    await cache.invalidateTag('recommendation:7');
    expect(await cache.getEntry('analytics', f.key(7), ['recommendation:7'])).toBeNull();
    expect(await cache.getEntry('analytics', f.key(7))).toBeNull();
  });

  it('keeps the RawValue the factory made (frozen, nothing to copy) in L1 and answers its miss with it', async () => {
    const made: RawValue[] = [];
    const f = cache.cached(
      async (id: number) => {
        const v = new RawValue(Buffer.from([id, 0, 10, 255]), { db: '1' });
        made.push(v);
        return v;
      },
      ['raw-bytes'],
      { category: 'analytics' },
    );
    const miss = await f.withMeta(9);
    expect(miss.status).toBe('MISS');
    expect(miss.value).toBe(made[0]);
    expect(Object.isFrozen(miss.value)).toBe(true);
    expect((await f.withMeta(9)).value).toBe(made[0]); // the L1 hit
    const stored = (await redis.getBuffer(f.key(9)))!;
    expect((decodeValue(decodeHeader(stored)!, stored) as RawValue).body).toEqual(Buffer.from([9, 0, 10, 255]));
  });

  it('sync functions are supported', async () => {
    const f = cache.cached((a: number, b: number) => a + b, ['sync'], { category: 'analytics' });
    expect(await f(2, 3)).toBe(5);
  });
});

describe('keys cannot be injected (semantics 8)', () => {
  const nasty = ['*', 'rec:*', '../', '..\\..', '\r\nFLUSHALL\r\n', '{slot}', 'مزاج-🌿', 'x'.repeat(10_000), '[a-z]?', ''];

  it('arguments become a fixed-shape hash; a pattern purge of another category never matches them', async () => {
    const f = cache.cached(async (s: string) => s.length, ['inject'], { category: 'analytics', tags: (s) => [`user:${s}`] });
    const keys: string[] = [];
    for (const s of nasty) {
      expect(await f(s)).toBe(s.length);
      const key = f.key(s);
      keys.push(key);
      expect(key).toMatch(new RegExp(`^${prefix}:analytics:inject\\.[A-Za-z0-9_-]{8}:[A-Za-z0-9_-]{22}$`));
    }
    expect(new Set(keys).size).toBe(nasty.length);
    expect(f.key('y'.repeat(1_000_000)).length).toBe(keys[0]!.length);
    const purge = await cache.admin.purge('predictions');
    expect(purge.aborted).toBe(false); // it removed other predictions entries, none of these
    for (const s of nasty) expect((await f.withMeta(s)).status).toBe('HIT');
    // Tags with pattern characters are hashed too, and only invalidate themselves.
    await cache.invalidateTag('user:*');
    expect((await f.withMeta('*')).status).toBe('MISS');
    expect((await f.withMeta('rec:*')).status).toBe('HIT');
  });

  it('different argument shapes never share a key', () => {
    const f = cache.cached(async (...a: unknown[]) => a.length, ['shapes'], { category: 'analytics' });
    const shapes: unknown[][] = [[1], ['1'], [[1]], [undefined], [null], [], [{ a: 1, b: 2 }], [1, undefined], [0], [-0], [1n]];
    expect(new Set(shapes.map((s) => f.key(...s))).size).toBe(shapes.length);
    expect(f.key({ a: 1, b: 2 })).toBe(f.key({ b: 2, a: 1 }));
  });

  it('rejects unsafe prefixes and categories', () => {
    expect(() => createCache({ prefix: 'a*b', store: new MemoryStore() })).toThrow();
    return expect(cache.cached(async () => 1, ['x'], { category: 'nope' })()).rejects.toThrow(/unknown cache category/);
  });
});
