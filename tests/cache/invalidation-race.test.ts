import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCache, type Cache } from '@/lib/cache';
import { OwnRedis } from './support/own-redis';
import { cleanPrefix, SHARED_REDIS_URL, testPrefix } from './support/shared-redis';

// Semantics 1: once invalidateTag has returned, no read returns a value computed before it.

const prefix = testPrefix('race');
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

interface System {
  read(key: string, fn: () => Promise<number>, instance: number): Promise<number>;
  invalidate(key: string): Promise<void>;
}

type Op = { kind: 'read'; start: number; fnDelay: number; instance: number } | { kind: 'write'; start: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('read' as const), start: fc.integer({ min: 0, max: 6 }), fnDelay: fc.integer({ min: 0, max: 6 }), instance: fc.integer({ min: 0, max: 1 }) }),
  fc.record({ kind: fc.constant('write' as const), start: fc.integer({ min: 0, max: 6 }) }),
);
const scenarioArb = fc.array(opArb, { minLength: 2, maxLength: 8 });

let runCounter = 0;

/**
 * Runs one interleaving against a system. The "database" is a counter per key; a write bumps it, then
 * invalidates. Every read records the value committed by the last invalidation that had returned when
 * the read began: returning less than that is a stale read.
 */
async function scenario(system: System, ops: Op[]): Promise<string | undefined> {
  const key = `k${runCounter++}`;
  let db = 0;
  let committed = 0;
  let violation: string | undefined;
  await Promise.all(
    ops.map(async (op) => {
      await sleep(op.start);
      if (op.kind === 'write') {
        const value = ++db;
        await system.invalidate(key);
        committed = Math.max(committed, value);
        return;
      }
      const minAllowed = committed;
      const got = await system.read(
        key,
        async () => {
          const v = db;
          await sleep(op.fnDelay);
          return v;
        },
        op.instance,
      );
      if (got < minAllowed) violation = `read on instance ${op.instance} returned ${got} after invalidation of ${minAllowed}`;
    }),
  );
  return violation;
}

/** Our cache: instance 0 with L1 (invalidations go through it), instance 1 without L1 (another process reading Redis). */
function ourSystem(a: Cache, b: Cache): System {
  // Functions are not valid cache-key arguments, so the per-read fn travels beside the key.
  const current = new Map<string, () => Promise<number>>();
  const fns = [a, b].map((c) =>
    c.cached(async (key: string) => current.get(key)!(), ['race'], { category: 'analytics', tags: (k) => [`rec:${k}`, 'all-recs'] }),
  );
  return {
    read: (key, fn, instance) => {
      current.set(key, fn);
      return fns[instance]!(key);
    },
    invalidate: async (key) => void (await a.invalidateTag(`rec:${key}`)),
  };
}

/** "Stamp on write": tag versions are read when the value is stored, after fn finished. */
function naiveStampOnWrite(redis: Redis): System {
  const entry = (k: string) => `${prefix}:naive1:${k}`;
  const tag = (k: string) => `${prefix}:naive1t:${k}`;
  return {
    async read(key, fn) {
      const [raw, version] = await redis.mget(entry(key), tag(key));
      if (raw) {
        const e = JSON.parse(raw) as { v: number; ver: string };
        if (e.ver === (version ?? '0')) return e.v;
      }
      const v = await fn();
      const ver = (await redis.get(tag(key))) ?? '0';
      await redis.set(entry(key), JSON.stringify({ v, ver }), 'PX', 10_000);
      return v;
    },
    invalidate: async (key) => void (await redis.incr(tag(key))),
  };
}

/** "Delete the keys in a set": invalidation deletes the entries listed under the tag. */
function naiveDeleteSet(redis: Redis): System {
  const entry = (k: string) => `${prefix}:naive2:${k}`;
  const set = (k: string) => `${prefix}:naive2s:${k}`;
  return {
    async read(key, fn) {
      const raw = await redis.get(entry(key));
      if (raw !== null) return Number(raw);
      const v = await fn();
      await redis.multi().set(entry(key), String(v), 'PX', 10_000).sadd(set(key), entry(key)).exec();
      return v;
    },
    async invalidate(key) {
      const members = await redis.smembers(set(key));
      if (members.length > 0) await redis.del(...members);
    },
  };
}

describe('race-free invalidation (semantics 1)', () => {
  let a: Cache;
  let b: Cache;
  let redis: Redis;

  beforeAll(async () => {
    a = createCache({ prefix, redis: { url: SHARED_REDIS_URL, commandTimeoutMs: 2_000 }, l1: {} });
    b = createCache({ prefix, redis: { url: SHARED_REDIS_URL, commandTimeoutMs: 2_000 }, l1: false });
    redis = new Redis(SHARED_REDIS_URL);
    await Promise.all([a.ready(), b.ready()]);
  });

  afterAll(async () => {
    await Promise.all([a.close(), b.close()]);
    redis.disconnect();
    await cleanPrefix(prefix);
  });

  it('a slow fn that started before invalidateTag cannot plant its value after it', async () => {
    let db = 'old';
    let release!: () => void;
    let started!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const fnStarted = new Promise<void>((r) => (started = r));
    const get = a.cached(
      async (id: number) => {
        const seen = db;
        started();
        if (seen === 'old') await gate;
        return `${seen}:${id}`;
      },
      ['slow'],
      { category: 'analytics', tags: (id) => [`rec:${id}`] },
    );
    const slow = get(1);
    await fnStarted;
    db = 'new';
    await a.invalidateTag('rec:1');
    release();
    expect(await slow).toBe('old:1'); // the caller that started first may get what it computed…
    expect(await get(1)).toBe('new:1'); // …but nobody after the invalidation sees it, on this instance
    const other = b.cached(async (id: number) => `${db}:${id}`, ['slow'], { category: 'analytics', tags: (id) => [`rec:${id}`] });
    expect(await other(1)).toBe('new:1'); // nor on another
  });

  it('holds over 1,000 random interleavings of slow fns, writes and invalidations (two instances)', async () => {
    const system = ourSystem(a, b);
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (ops) => {
        const violation = await scenario(system, ops);
        expect(violation).toBeUndefined();
      }),
      { numRuns: 1_000 },
    );
  });

  it('the naive "stamp on write" design fails the same property', async () => {
    const result = await fc.check(
      fc.asyncProperty(scenarioArb, async (ops) => (await scenario(naiveStampOnWrite(redis), ops)) === undefined),
      { numRuns: 1_000, endOnFailure: true },
    );
    expect(result.failed).toBe(true);
  });

  it('the naive "delete the keys in a tag set" design fails the same property', async () => {
    const result = await fc.check(
      fc.asyncProperty(scenarioArb, async (ops) => (await scenario(naiveDeleteSet(redis), ops)) === undefined),
      { numRuns: 1_000, endOnFailure: true },
    );
    expect(result.failed).toBe(true);
  });

  it('invalidating a tag costs the same with 100 or 100,000 entries under it', async () => {
    // A redis-server of its own: INFO commandstats counts every client's commands, and other test files
    // (and other runs) write to the shared one meanwhile.
    const own = await OwnRedis.start();
    // This test counts commands, not time: under CI load 2,000 concurrent fills can outlast the 200 ms
    // default command timeout, open the breaker and make invalidateTag refuse (seen in CI at ce8dd74).
    const cache = createCache({ prefix: testPrefix('cost'), redis: { url: own.url, commandTimeoutMs: 10_000 } });
    const probe = new Redis(own.port);
    try {
      await cache.ready();
      const get = cache.cached(async (i: number) => i, ['many'], { category: 'analytics', tags: ['bulk'] });
      const time = async (n: number) => {
        for (let i = 0; i < n; i += 2000) await Promise.all(Array.from({ length: Math.min(2000, n - i) }, (_, j) => get(n * 100_000 + i + j)));
        const before = await probe.info('commandstats');
        const report = await cache.invalidateTag('bulk');
        const after = await probe.info('commandstats');
        return { report, calls: callsOf(after) - callsOf(before) };
      };
      const small = await time(100);
      const large = await time(100_000);
      // One pipeline: one SET per tag + one PUBLISH, whatever the number of entries.
      expect(small.report.tags).toEqual(['bulk']);
      expect(large.calls).toBeLessThanOrEqual(small.calls + 2);
      expect(await get(100 * 100_000)).toBe(100 * 100_000);
    } finally {
      probe.disconnect();
      await cache.close();
      await own.destroy();
    }
  });
});

function callsOf(commandstats: string): number {
  const set = /cmdstat_set:calls=(\d+)/.exec(commandstats);
  const pub = /cmdstat_publish:calls=(\d+)/.exec(commandstats);
  return Number(set?.[1] ?? 0) + Number(pub?.[1] ?? 0);
}
