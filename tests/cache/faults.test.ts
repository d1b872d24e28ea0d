import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCache, type Cache } from '@/lib/cache';
import type { RedisStore } from '@/lib/cache/stores/redis-store';
import { ServiceUnavailableError } from '@/lib/errors';
import { OwnRedis, waitFor } from './support/own-redis';
import { captureLogger, testPrefix } from './support/shared-redis';

// Semantics 4 (Redis down, slow, refusing auth) and 1b (an invalidation is never lost). Each test runs
// against a redis-server of its own, killed and restarted by pid.

const prefix = testPrefix('faults');
const TIMEOUT = 100;
const unhandled: unknown[] = [];
const onUnhandled = (e: unknown) => void unhandled.push(e);

beforeAll(() => void process.on('unhandledRejection', onUnhandled));
afterAll(() => void process.off('unhandledRejection', onUnhandled));
afterEach(() => expect(unhandled).toEqual([]));

function makeCache(url: string, extra: { password?: string } = {}) {
  const log = captureLogger();
  const cache = createCache({
    prefix,
    redis: { url, commandTimeoutMs: TIMEOUT, connectTimeoutMs: 500, ...extra },
    l1: false,
    breaker: { failureThreshold: 2, cooldownMs: 50, maxCooldownMs: 200 },
    logger: log.logger,
  });
  return { cache, log };
}

const FN_MS = 20;
async function slowFn(id: number): Promise<string> {
  await new Promise((r) => setTimeout(r, FN_MS));
  return `value-${id}`;
}

/** Calls and checks every answer is fn's value, within command timeout + fn time (+ scheduling slack). */
async function callsStayFast(cache: Cache, ids: number[]): Promise<void> {
  const get = cache.cached(slowFn, ['fault'], { category: 'analytics', tags: (id) => [`rec:${id}`] });
  await Promise.all(
    ids.map(async (id) => {
      const started = performance.now();
      expect(await get(id)).toBe(`value-${id}`);
      expect(performance.now() - started).toBeLessThan(TIMEOUT + FN_MS + 80);
    }),
  );
}

const lines = (log: ReturnType<typeof captureLogger>, level: string) => log.lines.filter((l) => l.level === level);

describe('Redis down (own redis-server killed by pid)', () => {
  let server: OwnRedis;
  beforeAll(async () => void (server = await OwnRedis.start()));
  afterAll(async () => void (await server.destroy()));

  it('serves fn values without waiting, opens the breaker, probes, closes when Redis is back; one log line per change', async () => {
    const { cache, log } = makeCache(server.url);
    await cache.ready();
    await callsStayFast(cache, [1, 2, 3]);
    await server.stop();
    for (let round = 0; round < 5; round++) await callsStayFast(cache, [10 + round, 20 + round, 1]);
    expect((await cache.health()).breaker).not.toBe('closed');
    expect((await cache.health()).reachable).toBe(false);
    await server.startProcess();
    await waitFor(async () => (await cache.health()).breaker === 'closed', 5_000);
    const get = cache.cached(slowFn, ['fault'], { category: 'analytics', tags: (id) => [`rec:${id}`] });
    await get(99);
    expect((await get.withMeta(99)).status).toBe('HIT');
    expect(lines(log, 'error')).toHaveLength(1);
    expect(lines(log, 'error')[0]!.msg).toMatch(/circuit open/);
    expect(lines(log, 'info').filter((l) => /circuit closed/.test(l.msg))).toHaveLength(1);
    expect(cache.statsSnapshot().categories.analytics!.errors).toBeGreaterThan(0);
    await cache.close();
  });
});

describe('Redis slow (DEBUG SLEEP on our own server)', () => {
  let server: OwnRedis;
  beforeAll(async () => void (server = await OwnRedis.start({ debugCommand: true })));
  afterAll(async () => void (await server.destroy()));

  it('a blocked Redis costs at most the command timeout', async () => {
    const { cache } = makeCache(server.url);
    await cache.ready();
    const admin = new Redis(server.port);
    const sleeping = admin.call('DEBUG', 'SLEEP', '0.6');
    await new Promise((r) => setTimeout(r, 20));
    await callsStayFast(cache, [1, 2, 3, 4]);
    await callsStayFast(cache, [5, 6]);
    await sleeping;
    admin.disconnect();
    await cache.close();
  });

  // A turn of three command timeouts before the command goes out (ioredis writes it when the turn ends), and one
  // longer than ioredis's own commandTimeout (the backstop under the gate's, cache.ts) after it went out: a plain
  // timer, which fires before the reply is read just as the gate's would. Turns over a second were seen in
  // `npm run bench`'s FAST_PATH=off server (p99 over a second), and one wave of its answers came back MISS.
  it.each([
    { turnMs: 3 * TIMEOUT, when: 'before' },
    { turnMs: 3 * TIMEOUT, when: 'after' },
    { turnMs: 1_500, when: 'after' },
  ])('a reply that came in time is not a timeout when this process was too busy to read it sooner ($turnMs ms $when the command is sent)', async ({ turnMs, when }) => {
    const { cache } = makeCache(server.url);
    await cache.ready();
    let runs = 0;
    const get = cache.cached(async (id: number) => (runs++, `value-${id}`), ['busy', when, String(turnMs)], { category: 'analytics' });
    await get(1);
    // The turn sleeps (an overloaded server), so that Redis gets a core to answer on.
    const busy = () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, turnMs);
    const store = cache.store as RedisStore;
    const send = store.mgetBuffer.bind(store);
    store.mgetBuffer = (keys) => {
      if (when === 'before') queueMicrotask(busy);
      const sent = send(keys);
      if (when === 'after') setImmediate(busy);
      return sent;
    };
    for (let turn = 0; turn < 3; turn++) expect((await get.withMeta(1)).status).toBe('HIT');
    expect(runs).toBe(1);
    expect(cache.statsSnapshot().categories.analytics?.errors ?? 0).toBe(0);
    await cache.close();
  });
});

describe('Redis refusing auth', () => {
  let server: OwnRedis;
  beforeAll(async () => void (server = await OwnRedis.start({ password: 'right-password' })));
  afterAll(async () => void (await server.destroy()));

  it('serves fn values at once and reports the store unreachable', async () => {
    const { cache, log } = makeCache(server.url, { password: 'wrong-password' });
    await new Promise((r) => setTimeout(r, 100));
    for (let i = 0; i < 4; i++) await callsStayFast(cache, [i, i + 10]);
    const health = await cache.health();
    expect(health.reachable).toBe(false);
    expect(health.breaker).not.toBe('closed');
    expect(lines(log, 'error')).toHaveLength(1);
    await cache.close();
  });
});

describe('lost invalidation (1b): throw + replay before the next Redis read', () => {
  let server: OwnRedis;
  beforeAll(async () => void (server = await OwnRedis.start({ persist: true })));
  afterAll(async () => void (await server.destroy()));

  it('invalidateTag throws 503 while Redis is down, writes are refused up front, and the invalidation is applied before Redis is read again', async () => {
    const { cache, log } = makeCache(server.url);
    await cache.ready();
    let db = 'v1';
    const get = cache.cached(async (id: number) => `${db}:${id}`, ['lost'], { category: 'analytics', tags: (id) => [`rec:${id}`] });
    expect(await get(1)).toBe('v1:1');
    expect((await get.withMeta(1)).status).toBe('HIT');

    await server.stop(); // the entry survives in the AOF and comes back on restart
    db = 'v2';
    const err = await cache.invalidateTag('rec:1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceUnavailableError);
    expect((err as ServiceUnavailableError).status).toBe(503);
    let handlerRan = false;
    const write = cache.withInvalidation(['rec:1'], async () => {
      handlerRan = true;
    });
    await expect(write()).rejects.toBeInstanceOf(ServiceUnavailableError);
    expect(handlerRan).toBe(false);
    expect((await cache.health()).pendingInvalidations).toBe(1);
    expect(await get(1)).toBe('v2:1'); // Redis unusable: straight to fn

    await server.startProcess();
    const raw = new Redis(server.port);
    expect(await raw.exists(`${prefix}:analytics:${get.key(1).split(':').slice(2).join(':')}`)).toBe(1); // the stale entry is back
    // Whatever comes first — the breaker's probe or the next read — replays the invalidation before any read.
    const first = await get.withMeta(1);
    expect(first.value).toBe('v2:1');
    await waitFor(async () => (await cache.health()).breaker === 'closed', 5_000);
    expect((await cache.health()).pendingInvalidations).toBe(0);
    // Another instance reading Redis now also misses the old entry.
    const { cache: other } = makeCache(server.url);
    await other.ready();
    const otherGet = other.cached(async (id: number) => `${db}:${id}`, ['lost'], { category: 'analytics', tags: (id) => [`rec:${id}`] });
    expect(await otherGet(1)).toBe('v2:1');
    expect(log.lines.some((l) => /replayed invalidations/.test(l.msg))).toBe(true);
    raw.disconnect();
    await other.close();
    await cache.close();
  });
});
