import { afterAll, describe, expect, it, vi } from 'vitest';
import { createCache, MemoryStore, type Cache } from '@/lib/cache';
import { waitFor } from './support/own-redis';
import { cleanPrefix, SHARED_REDIS_URL, testPrefix } from './support/shared-redis';

// Semantics 2 (stampede) and 3 (stale-while-revalidate), on the shared Redis with an injectable clock.

const prefix = testPrefix('swr');
const caches: Cache[] = [];
afterAll(async () => {
  await Promise.all(caches.map((c) => c.close()));
  await cleanPrefix(prefix);
});

/** `tiny`: an L1 too small to keep any entry, so every read goes on to Redis. */
function make(l1: boolean | 'tiny', clock = { t: Date.now() }) {
  const cache = createCache({ prefix, redis: { url: SHARED_REDIS_URL, commandTimeoutMs: 2_000 }, l1: l1 === 'tiny' ? { maxBytes: 64 } : l1 ? {} : false, now: () => clock.t });
  caches.push(cache);
  return cache;
}

/**
 * A MemoryStore whose first entry read is held after it was sent (its snapshot taken) until release();
 * `sent` resolves then. Entry reads are counted.
 */
function firstReadHeld() {
  const inner = new MemoryStore();
  const reads = { n: 0 };
  let entered!: () => void;
  const sent = new Promise<void>((r) => (entered = r));
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let holdNext = true;
  const store = Object.assign(Object.create(inner) as MemoryStore, {
    async mgetBuffer(keys: readonly string[]) {
      reads.n++;
      const held = holdNext;
      holdNext = false;
      const snapshot = await inner.mgetBuffer(keys);
      if (held) {
        entered();
        await gate;
      }
      return snapshot;
    },
  });
  return { store, reads, sent, release };
}

describe('stampede (semantics 2)', () => {
  for (const l1 of [false, true]) {
    it(`1,000 concurrent calls on a cold key run fn once per instance (L1 ${l1 ? 'on' : 'off'})`, async () => {
      const cache = make(l1);
      await cache.ready();
      let runs = 0;
      const get = cache.cached(
        async (id: number) => {
          runs++;
          await new Promise((r) => setTimeout(r, 30));
          return { id, at: runs };
        },
        ['stampede', String(l1)],
        { category: 'predictions', tags: (id) => [`diagnosis:${id}`] },
      );
      const results = await Promise.all(Array.from({ length: 1_000 }, () => get(7)));
      expect(runs).toBe(1);
      expect(new Set(results.map((r) => r.at))).toEqual(new Set([1]));
    });
  }

  it('a caller whose miss was read while the computation ran does not run fn again', async () => {
    // The second caller's MGET reads the store before the first caller's value lands, and answers after.
    const { store, sent, release } = firstReadHeld();
    const cache = createCache({ prefix: `${prefix}-landed`, store, l1: false });
    caches.push(cache);
    let runs = 0;
    const cold = cache.cached(async () => ++runs, ['landed'], { category: 'trending' });
    const slow = cold(); // the first MGET: held at the gate with a snapshot taken before anything is stored
    await sent; // sent: without L1, a later caller can no longer join that read
    const fast = await cold(); // reads, misses, computes and stores while `slow` is held
    release();
    expect(await slow).toBe(fast);
    expect(runs).toBe(1);
  });

  describe('callers that miss L1 while the computation runs here', () => {
    // A MemoryStore with L1 on: the store's reads are counted; what is under test is the read path's own rule.
    function counted(name: string) {
      const inner = new MemoryStore();
      const reads = { n: 0 };
      const store = Object.assign(Object.create(inner) as MemoryStore, {
        mgetBuffer: (keys: readonly string[]) => (reads.n++, inner.mgetBuffer(keys)),
        mget: (keys: readonly string[]) => (reads.n++, inner.mget(keys)),
      });
      const cache = createCache({ prefix: `${prefix}-${name}`, store, l1: {} });
      caches.push(cache);
      let runs = 0;
      const gates: (() => void)[] = [];
      const entered: (() => void)[] = [];
      const get = cache.cached(
        async (id: number) => {
          const run = ++runs;
          entered.shift()?.();
          await new Promise<void>((r) => gates.push(r));
          return { id, run };
        },
        [name],
        { category: 'predictions', tags: (id) => [`diagnosis:${id}`] },
      );
      /** Starts get(id) and waits until its computation runs (and is held). */
      const held = async (id: number) => {
        const started = new Promise<void>((r) => entered.push(r));
        const first = get(id);
        await started;
        return { first };
      };
      return { cache, get, reads, held, release: () => gates.splice(0).forEach((r) => r()), runs: () => runs };
    }

    it('join it without reading the store (the rule of an L1 hit: nothing invalidated here since it began)', async () => {
      const { get, reads, held, release, runs } = counted('jl');
      const { first } = await held(1);
      const readsThen = reads.n;
      const joined = Array.from({ length: 100 }, () => get(1));
      const quick = get.withMetaIfQuick(1);
      release();
      const results = await Promise.all([first, ...joined]);
      expect(reads.n).toBe(readsThen);
      expect(runs()).toBe(1);
      expect(new Set(results.map((r) => r.run))).toEqual(new Set([1]));
      expect(await quick).toMatchObject({ status: 'MISS', value: { id: 1, run: 1 } });
    });

    it('read the store and compute again once an invalidation of the key was seen here since it began', async () => {
      const { cache, get, reads, held, release, runs } = counted('jl-same');
      const { first } = await held(1);
      await cache.invalidateTag('diagnosis:1');
      const readsThen = reads.n;
      const second = get(1);
      await vi.waitFor(() => expect(runs()).toBe(2));
      release();
      expect(reads.n).toBeGreaterThan(readsThen);
      expect(runs()).toBe(2);
      expect((await first).run).toBe(1);
      expect((await second).run).toBe(2);
    });

    it('read the store once anything else was invalidated here since it began (then join it by its versions)', async () => {
      const { cache, get, reads, held, release, runs } = counted('jl-other');
      const { first } = await held(1);
      await cache.invalidateTag('diagnosis:2');
      const readsThen = reads.n;
      const second = get(1);
      // The store read is made before the computation is joined: wait for it, then let the computation finish.
      await vi.waitFor(() => expect(reads.n).toBeGreaterThan(readsThen));
      release();
      expect((await second).run).toBe(1);
      expect(runs()).toBe(1);
      await first;
    });
  });

  describe('callers that miss L1 while a store read of the key is on its way', () => {
    function heldRead(name: string, l1: boolean) {
      const { store, reads, sent, release } = firstReadHeld();
      const cache = createCache({ prefix: `${prefix}-${name}`, store, l1: l1 ? {} : false });
      caches.push(cache);
      let runs = 0;
      const get = cache.cached(async (id: number) => ({ id, run: ++runs }), [name], { category: 'predictions', tags: (id) => [`diagnosis:${id}`] });
      return { cache, get, reads, sent, release, runs: () => runs };
    }

    it('join it while L1 is trusted and nothing was invalidated here since it was sent (L1 would serve its answer)', async () => {
      const { get, reads, sent, release, runs } = heldRead('sr', true);
      const first = get(1);
      await sent;
      const joined = Array.from({ length: 100 }, () => get(1));
      const quick = get.withMetaIfQuick(1);
      expect(reads.n).toBe(1);
      release();
      const results = await Promise.all([first, ...joined]);
      expect(reads.n).toBe(1);
      expect(runs()).toBe(1);
      expect(new Set(results.map((r) => r.run))).toEqual(new Set([1]));
      expect(await quick).toMatchObject({ status: 'MISS', value: { id: 1, run: 1 } });
    });

    const since = { 'anything was invalidated': (c: Cache) => c.invalidateTag('diagnosis:2'), 'L1 was dropped (as on a bus reconnect)': (c: Cache) => c.clearL1() };
    for (const [what, happen] of Object.entries(since)) {
      it(`read the store themselves once ${what} here since it was sent`, async () => {
        const { cache, get, reads, sent, release } = heldRead(`sr-${what.split(' ')[0]}`, true);
        const first = get(1);
        await sent;
        await happen(cache);
        const readsThen = reads.n;
        const second = get(1);
        await vi.waitFor(() => expect(reads.n).toBeGreaterThan(readsThen));
        release();
        expect((await second).id).toBe(1);
        await first;
      });
    }

    it('read the store themselves without L1 (nothing says when another instance invalidated)', async () => {
      const { get, reads, sent, release } = heldRead('sr-nol1', false);
      const first = get(1);
      await sent;
      const second = get(1);
      await vi.waitFor(() => expect(reads.n).toBe(2));
      release();
      expect((await second).id).toBe(1);
      await first;
    });
  });

  it('two instances each run fn at most once', async () => {
    const [a, b] = [make(false), make(false)];
    await Promise.all([a.ready(), b.ready()]);
    let runs = 0;
    const fn = async () => {
      runs++;
      await new Promise((r) => setTimeout(r, 30));
      return 'v';
    };
    const ga = a.cached(fn, ['two-instances'], { category: 'trending' });
    const gb = b.cached(fn, ['two-instances'], { category: 'trending' });
    await Promise.all(Array.from({ length: 500 }, (_, i) => (i % 2 ? ga() : gb())));
    expect(runs).toBeGreaterThanOrEqual(1);
    expect(runs).toBeLessThanOrEqual(2);
  });

  it('withMetaIfQuick: a miss computed in time is answered; one still running a soft timeout before the hard one is null, goes on, and withMeta joins it', async () => {
    const cache = make(true);
    await cache.ready();
    let runs = 0;
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const get = cache.cached(
      async (id: number) => {
        runs++;
        if (id === 2) await held;
        return { id };
      },
      ['quick'],
      { category: 'predictions', tags: (id) => [`diagnosis:${id}`], timeout: 50, hardTimeout: 300, lockTimeout: 10_000 },
    );
    const quick = await get.withMetaIfQuick(1);
    expect(quick).toMatchObject({ status: 'MISS', value: { id: 1 } });
    expect(await get.withMetaIfQuick(1)).toMatchObject({ status: 'HIT' });
    expect(runs).toBe(1);

    expect(await get.withMetaIfQuick(2)).toBeNull(); // held past 300 − 50 ms: left to withMeta, which joins it
    const joined = get.withMeta(2);
    release();
    // Joined in flight (MISS) or read once stored (HIT): either way the computation withMetaIfQuick started.
    expect(await joined).toMatchObject({ value: { id: 2 } });
    expect(runs).toBe(2);
  });

  it('a failing fn rejects every waiting caller and is not cached', async () => {
    const cache = make(false);
    await cache.ready();
    let runs = 0;
    const get = cache.cached(
      async () => {
        runs++;
        await new Promise((r) => setTimeout(r, 10));
        throw new Error('db down');
      },
      ['failing'],
      { category: 'analytics' },
    );
    const results = await Promise.allSettled(Array.from({ length: 50 }, () => get()));
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    expect(runs).toBe(1);
    await expect(get()).rejects.toThrow('db down');
    expect(runs).toBe(2);
  });
});

describe('stale-while-revalidate (semantics 3)', () => {
  for (const l1 of [false, true, 'tiny'] as const) {
    it(`within grace: stale at once, fn once in background; beyond grace: callers wait (L1 ${l1 === 'tiny' ? 'too small to keep it' : l1 ? 'on' : 'off'})`, async () => {
      const clock = { t: Date.now() };
      const cache = make(l1, clock);
      await cache.ready();
      let version = 1;
      let runs = 0;
      let release: (() => void) | undefined;
      const get = cache.cached(
        async (id: number) => {
          runs++;
          const v = version;
          if (release === undefined && runs > 1) await new Promise<void>((r) => (release = r));
          return `${id}@${v}`;
        },
        ['swr', String(l1)],
        { category: 'analytics', ttl: 60, staleWhileRevalidate: 60 },
      );
      expect(await get(1)).toBe('1@1');
      version = 2;
      clock.t += 61_000; // fresh period over, grace not
      const stale = await Promise.all(Array.from({ length: 20 }, () => get.withMeta(1)));
      expect(stale.every((r) => r.status === 'STALE' && r.value === '1@1')).toBe(true);
      await waitFor(() => release !== undefined, 2_000);
      expect(runs).toBe(2); // one background refresh for 20 stale reads
      // A read that comes while the refresh runs is answered with the stale value at once too, not held by it.
      const late = await Promise.race([get.withMeta(1), new Promise((r) => setTimeout(() => r('held by the refresh'), 1_000))]);
      expect(late).toMatchObject({ status: 'STALE', value: '1@1' });
      release!();
      await waitFor(async () => (await get.withMeta(1)).status === 'HIT', 2_000);
      expect(await get(1)).toBe('1@2');
      expect(runs).toBe(2);

      version = 3;
      clock.t += 200_000; // beyond grace: the caller waits for fn
      const fresh = await get.withMeta(1);
      expect(fresh.status).toBe('MISS');
      expect(fresh.value).toBe('1@3');
      expect(cache.statsSnapshot().categories.analytics!.staleServed).toBeGreaterThanOrEqual(20);
    });
  }

  it('a failing refresh keeps serving the stale value within grace, calling fn once per graceBackoff', async () => {
    const clock = { t: Date.now() };
    const cache = make(true, clock);
    await cache.ready();
    let fail = false;
    let runs = 0;
    const get = cache.cached(
      async () => {
        runs++;
        if (fail) throw new Error('db down');
        return 'good';
      },
      ['swr-fail'],
      { category: 'analytics', ttl: 60, staleWhileRevalidate: 120, graceBackoff: 10_000 },
    );
    expect(await get()).toBe('good');
    fail = true;
    clock.t += 61_000;
    const stats = () => cache.statsSnapshot().categories.analytics!;
    // Every refresh started so far has ended (and failed): nothing is left in flight to call fn later.
    const settled = () => waitFor(() => stats().refreshErrors === stats().refreshes, 2_000);
    for (let i = 0; i < 5; i++) {
      const r = await get.withMeta();
      expect(r.status).toBe('STALE');
      expect(r.value).toBe('good');
      await settled();
    }
    expect(stats().refreshes).toBe(1);
    expect(runs).toBe(2); // 5 stale reads, one failed refresh: the source is not hit at the request rate
    clock.t += 10_001; // backoff over: one more try
    expect((await get.withMeta()).status).toBe('STALE');
    await settled();
    expect(stats().refreshes).toBe(2);
    expect(runs).toBe(3);
    clock.t += 120_000; // beyond grace: callers see the error
    await expect(get()).rejects.toThrow('db down');
  });

  it('staleWhileRevalidate: false means no grace', async () => {
    const clock = { t: Date.now() };
    const cache = make(false, clock);
    await cache.ready();
    const get = cache.cached(async () => clock.t, ['no-grace'], { category: 'analytics', ttl: 60, staleWhileRevalidate: false });
    await get();
    clock.t += 61_000;
    expect((await get.withMeta()).status).toBe('MISS');
  });
});
