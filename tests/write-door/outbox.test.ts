/**
 * The write door against real PostgreSQL and redis-servers of this test's own (faults injected by pid or by
 * cutting a TCP proxy): two "instances" in this process, each with its own cache, connection pool and
 * PostgreSQL coherence channel, sharing one database and one Redis, as two app processes would.
 */
import { count, eq, isNull, sql } from 'drizzle-orm';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCache, type Cache } from '@/lib/cache';
import { tagKey } from '@/lib/cache/keys';
import { createDb } from '@/lib/db/create-db';
import { queryRows } from '@/lib/db/rows';
import { cacheOutbox, feedback, idempotencyKeys } from '@/lib/db/schema';
import type { Db, DbHandle } from '@/lib/db/types';
import { IdempotencyKeyInFlightError, IdempotencyKeyReusedError } from '@/lib/errors';
import { tag } from '@/lib/resources/tags';
import { createWriteDoor, feedbackWrite, fingerprint } from '@/lib/write-door';
import { claimIdempotencyKey } from '@/lib/write-door/idempotency';
import { PgCoherence } from '@/lib/write-door/coherence';
import { COHERENCE_CHANNEL, decodeMessage, encodeMessage, type CoherenceMessage } from '@/lib/write-door/messages';
import { recordInvalidation } from '@/lib/write-door/outbox';
import { OwnRedis, waitFor } from '../cache/support/own-redis';
import { loadFixture } from '../domain/fixture';
import { createTestDb, destroyTestDb, type TestDb } from '../support/test-db';
import { TcpProxy } from '../support/tcp-proxy';

let t: TestDb;
const prefix = `t-outbox-${process.pid}`;

beforeAll(async () => {
  t = await createTestDb();
  await loadFixture(t.db);
}, 60_000);
afterAll(async () => {
  await destroyTestDb(t);
});

const countFeedback = async (db: Db, recommendationId: number) =>
  (await db.select({ n: count() }).from(feedback).where(eq(feedback.recommendationId, recommendationId)))[0]!.n;

type Instance = Awaited<ReturnType<typeof startInstance>>;
const running: { close(): Promise<void> }[] = [];
afterEach(async () => {
  while (running.length) await running.pop()!.close();
});

async function startInstance(name: string, redisUrl: string, dbUrl = t.url, leaseMs?: number) {
  const handle = (await createDb({ url: dbUrl, max: 4 })) as Extract<DbHandle, { kind: 'postgres' }>;
  const cache: Cache = createCache({ prefix, instanceId: name, redis: { url: redisUrl }, commandTimeoutMs: 150, breaker: { cooldownMs: 100, maxCooldownMs: 300 } });
  const coherence = new PgCoherence({ sql: handle.client, db: handle.db, cache, longestLifetimeSeconds: 3_600, leaseMs });
  await coherence.start();
  const door = createWriteDoor(async () => ({ db: handle, cache, coherence }));
  const feedbackCount = cache.cached((id: number) => countFeedback(handle.db, id), ['feedback-count'], {
    category: 'feedback',
    tags: (id) => [tag.recommendationFeedback(id)],
  });
  const instance = {
    name,
    cache,
    coherence,
    door,
    feedbackCount,
    db: handle.db,
    async close() {
      await coherence.stop();
      await cache.close();
      await handle.close();
    },
  };
  running.push(instance);
  return instance;
}

/** Both instances hold their L1 lease and see each other (as after start-up). */
async function connected(...instances: Instance[]) {
  await waitFor(
    () => instances.every((i) => i.coherence.leaseValid() && instances.every((o) => o === i || i.coherence.livePeers().includes(o.name))),
    5_000,
  );
}

const rating = (n: number) => ({ recommendationId: 1, diagnosisId: 1, rating: 1 + (n % 5), adherence: 50 });

describe('write door', () => {
  it('read-after-write across instances: once a write through A returns, B never serves what it replaced', async () => {
    // B hears both PostgreSQL and Redis 30 ms late, as over a slow network: without A waiting for B's
    // acknowledgement, B would still serve its L1 copy when A's answer arrives.
    const redis = await OwnRedis.start();
    const slowRedis = await TcpProxy.start(redis.port, { delayMs: 30 });
    const slowDb = await TcpProxy.start(Number(new URL(t.url).port), { delayMs: 30 });
    try {
      const a = await startInstance('a', redis.url);
      const dbUrl = new URL(t.url);
      dbUrl.port = String(slowDb.port);
      const b = await startInstance('b', slowRedis.url, dbUrl.toString());
      await Promise.all([a.cache.ready(), b.cache.ready()]);
      await connected(a, b);
      let stale = 0;
      for (let n = 0; n < 40; n++) {
        const before = await b.feedbackCount(1);
        // Served from B's L1 now: the case a late invalidation would get wrong.
        expect((await b.feedbackCount.withMeta(1)).layer).toBe('l1');
        await a.door(feedbackWrite(rating(n)));
        if ((await b.feedbackCount(1)) !== before + 1) stale++;
      }
      expect(stale).toBe(0);
    } finally {
      await slowRedis.close();
      await slowDb.close();
      await redis.destroy();
    }
  }, 60_000);

  it('an announcement and acknowledgements heard before the writer awaits them still count (the NOTIFY can overtake the COMMIT answer)', async () => {
    const redis = await OwnRedis.start();
    const listener = postgres(t.url, { max: 1, onnotice: () => {} });
    try {
      const a = await startInstance('a', redis.url);
      const b = await startInstance('b', redis.url);
      await Promise.all([a.cache.ready(), b.cache.ready()]);
      await connected(a, b);
      const heard: CoherenceMessage[] = [];
      await listener.listen(COHERENCE_CHANNEL, (payload) => heard.push(decodeMessage(payload)!));
      // A's write committed and acknowledged by B before A looks at it: what happens when A reads its own
      // NOTIFY and B's ack before the answer to its COMMIT.
      const ref = String(await a.db.transaction((tx) => recordInvalidation(tx, { tags: ['early-probe'], categories: [] }, { prefix, from: 'a' })));
      await waitFor(() => heard.some((m) => m.t === 'ack' && m.ref === ref && m.from === 'b'), 5_000);
      // Then a peer's heartbeat saying it serves no L1. A hears messages in the order they were sent, so once it
      // counts the marker as a peer it has heard B's ack and its own announcement before it.
      await listener.notify(COHERENCE_CHANNEL, encodeMessage({ t: 'hb', p: prefix, from: 'marker', lease: false, epoch: 0, store: true }));
      await waitFor(() => a.coherence.livePeers().includes('marker'), 5_000);
      expect(a.coherence.expectAcks(ref).sort()).toEqual(['b', 'marker']);
      // B counts as acknowledged, and the marker as holding no L1 since the write (its heartbeat came after
      // the announcement): nothing left to wait for. Lost, B would be waited for until the 3 s limit.
      expect(await a.coherence.awaitAcks(ref)).toEqual(['marker']);
    } finally {
      await listener.end({ timeout: 5 });
      await redis.destroy();
    }
  }, 60_000);

  it('A cut off from Redis: its writes still answer, and B (which has Redis) never serves the old value', async () => {
    const redis = await OwnRedis.start();
    const proxy = await TcpProxy.start(redis.port);
    const probe = new Redis(redis.port);
    try {
      const a = await startInstance('a', proxy.url);
      const b = await startInstance('b', redis.url);
      await Promise.all([a.cache.ready(), b.cache.ready()]);
      await connected(a, b);
      proxy.sever();
      let stale = 0;
      for (let n = 0; n < 30; n++) {
        const before = await b.feedbackCount(1);
        const out = await a.door(feedbackWrite(rating(n)));
        expect(out.replayed).toBe(false);
        if ((await b.feedbackCount(1)) !== before + 1) stale++;
        // A third reader that only has Redis (no L1, no PostgreSQL channel) must see it too.
        expect(await probe.get(tagKey(prefix, tag.recommendationFeedback(1)))).not.toBeNull();
      }
      expect(stale).toBe(0);
      // B applied A's rows and marked them: nothing left for the sweep.
      await waitFor(async () => (await t.db.select({ n: count() }).from(cacheOutbox).where(isNull(cacheOutbox.appliedAt)))[0]!.n === 0, 3_000);
    } finally {
      probe.disconnect();
      await proxy.close();
      await redis.destroy();
    }
  }, 60_000);

  it('A cut off from Redis while B hears PostgreSQL late (so its heartbeats say it serves no L1): B never reads the old value from Redis', async () => {
    // B hears PostgreSQL 150 ms late and holds no lease (a zero one: as if its notifications always lagged
    // it), so it serves no L1 and its heartbeats say so, but it still reads Redis. A cannot update Redis
    // itself: its answer must wait until B holds the invalidation or Redis has it.
    const redis = await OwnRedis.start();
    const proxy = await TcpProxy.start(redis.port);
    const lateDb = await TcpProxy.start(Number(new URL(t.url).port));
    try {
      const a = await startInstance('a', proxy.url);
      const dbUrl = new URL(t.url);
      dbUrl.port = String(lateDb.port);
      const b = await startInstance('b', redis.url, dbUrl.toString(), 0);
      await Promise.all([a.cache.ready(), b.cache.ready()]);
      await waitFor(() => a.coherence.leaseValid() && a.coherence.livePeers().includes('b'), 10_000);
      expect(b.coherence.leaseValid()).toBe(false);
      // B reads Redis (not L1: it has no lease) once its store-ready repair is done.
      await waitFor(async () => (await b.feedbackCount.withMeta(1)).layer === 'l2', 10_000);
      lateDb.delayMs = 150;
      proxy.sever();
      let stale = 0;
      for (let n = 0; n < 4; n++) {
        const before = await b.feedbackCount(1);
        await a.door(feedbackWrite(rating(n)));
        if ((await b.feedbackCount(1)) !== before + 1) stale++;
      }
      expect(stale).toBe(0);
    } finally {
      await proxy.close();
      await lateDb.close();
      await redis.destroy();
    }
  }, 60_000);

  it('a writer that died after its commit, before applying: another instance applies the row within 1 s', async () => {
    const redis = await OwnRedis.start();
    const probe = new Redis(redis.port);
    try {
      const b = await startInstance('b', redis.url);
      await b.cache.ready();
      await connected(b);
      await b.feedbackCount(1);
      const versionKey = tagKey(prefix, tag.recommendationFeedback(1));
      const versionBefore = await probe.get(versionKey);
      // What a crashed writer leaves: the data and its outbox row committed, nothing applied to Redis.
      const started = Date.now();
      const id = await t.db.transaction(async (tx) => {
        await tx.insert(feedback).values({ ...rating(1), patientId: 1 });
        return recordInvalidation(tx, { tags: [tag.recommendationFeedback(1)], categories: [] }, { prefix, from: 'crashed-writer' });
      });
      await waitFor(async () => (await probe.get(versionKey)) !== versionBefore, 1_000, 10);
      await waitFor(async () => (await t.db.select().from(cacheOutbox).where(eq(cacheOutbox.id, id)))[0]!.appliedAt !== null, 1_500, 20);
      expect(Date.now() - started).toBeLessThan(1_500);
      // A fresh reader of Redis alone recomputes: the old entry no longer matches the tag's version.
      const fresh = await startInstance('c', redis.url);
      await fresh.cache.ready();
      expect((await fresh.feedbackCount.withMeta(1)).status).toBe('MISS');
    } finally {
      probe.disconnect();
      await redis.destroy();
    }
  }, 30_000);

  it('Redis restarted from an older snapshot: the rows it lost are re-applied before anything is read from it', async () => {
    const redis = await OwnRedis.start({ snapshots: true });
    const admin = new Redis(redis.port);
    try {
      const a = await startInstance('a', redis.url);
      await a.cache.ready();
      await connected(a);
      const before = await a.feedbackCount(1);
      await admin.save(); // the entry and its tag version, as a backup would hold them
      await a.door(feedbackWrite(rating(7)));
      expect(await a.feedbackCount(1)).toBe(before + 1);
      admin.disconnect();
      await redis.restart(); // comes back from dump.rdb: the old entry matches the old version again
      await waitFor(() => a.cache.store.available(), 5_000);
      const b = await startInstance('b', redis.url);
      await b.cache.ready();
      for (const instance of [a, b]) expect(await instance.feedbackCount(1)).toBe(before + 1);
    } finally {
      admin.disconnect();
      await redis.destroy();
    }
  }, 60_000);

  it('Redis down for every instance: writes commit and answer, and no instance reads the old value when it is back', async () => {
    const redis = await OwnRedis.start();
    try {
      const a = await startInstance('a', redis.url);
      const b = await startInstance('b', redis.url);
      await Promise.all([a.cache.ready(), b.cache.ready()]);
      await connected(a, b);
      const before = await b.feedbackCount(1);
      await redis.stop();
      const out = await a.door(feedbackWrite(rating(3)));
      expect(out.replayed).toBe(false);
      // L1 lease holds over PostgreSQL: B serves a fresh answer without Redis.
      expect(await b.feedbackCount(1)).toBe(before + 1);
      await redis.startProcess();
      await waitFor(() => a.cache.store.available() && b.cache.store.available(), 5_000);
      expect(await b.feedbackCount(1)).toBe(before + 1);
      expect(await a.feedbackCount(1)).toBe(before + 1);
    } finally {
      await redis.destroy();
    }
  }, 60_000);
});

describe('Idempotency-Key', () => {
  const request = (key: string, body: unknown) => ({ request: { credential: 'apikey:1', key, fingerprint: fingerprint('POST', '/api/feedback/submit', body) }, status: 201 });

  it('a retry returns the first answer and writes nothing; the same key with another body is refused', async () => {
    const redis = await OwnRedis.start();
    try {
      const a = await startInstance('a', redis.url);
      const rows = async () => countFeedback(a.db, 2);
      const body = { recommendationId: 2, diagnosisId: 3, rating: 4, adherence: 80 };
      const before = await rows();
      const first = await a.door(feedbackWrite(body), { idempotency: request('k-1', body) });
      const again = await a.door(feedbackWrite(body), { idempotency: request('k-1', body) });
      expect(first.replayed).toBe(false);
      expect(again).toEqual({ replayed: true, answer: { status: 201, body: first.replayed ? '' : first.body } });
      expect(await rows()).toBe(before + 1);
      await expect(a.door(feedbackWrite({ ...body, rating: 5 }), { idempotency: request('k-1', { ...body, rating: 5 }) })).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
      // Keys are per credential: another client's identical key is its own.
      const other = { ...request('k-1', body), request: { ...request('k-1', body).request, credential: 'apikey:2' } };
      expect((await a.door(feedbackWrite(body), { idempotency: other })).replayed).toBe(false);
      expect(await rows()).toBe(before + 2);
      expect(await a.db.select({ n: count() }).from(idempotencyKeys)).toEqual([{ n: 2 }]);
    } finally {
      await redis.destroy();
    }
  }, 30_000);

  it('concurrent retries of one key write exactly once: the others replay it or are told it is in flight', async () => {
    const redis = await OwnRedis.start();
    try {
      const a = await startInstance('a', redis.url);
      const body = { recommendationId: 2, diagnosisId: 3, rating: 2, adherence: 10, comment: 'concurrent' };
      const before = await countFeedback(a.db, 2);
      const outcomes = await Promise.allSettled(Array.from({ length: 8 }, () => a.door(feedbackWrite(body), { idempotency: request('k-concurrent', body) })));
      const written = outcomes.filter((o) => o.status === 'fulfilled' && !o.value.replayed).length;
      expect(written).toBe(1);
      for (const o of outcomes) {
        if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(IdempotencyKeyInFlightError);
      }
      expect(await countFeedback(a.db, 2)).toBe(before + 1);
    } finally {
      await redis.destroy();
    }
  }, 30_000);

  it('a retry while the first request still runs is told so at once: the claim waits at most its lock timeout', async () => {
    const req = request('k-held', { n: 1 }).request;
    let retried!: Promise<unknown>;
    // The first request's transaction holds the key, uncommitted, until the retry has its answer (or 5 s).
    await t.db.transaction(async (first) => {
      expect(await claimIdempotencyKey(first, req)).toBeUndefined();
      retried = t.db.transaction((retry) => claimIdempotencyKey(retry, req)).then(
        () => 'claimed',
        (error: unknown) => error,
      );
      await Promise.race([retried, new Promise((resolve) => setTimeout(resolve, 5_000))]);
      throw new Error('roll back the first request');
    }).catch(() => {});
    // Without the lock timeout the retry waits for the first transaction to end, then claims the key itself.
    expect(await retried).toBeInstanceOf(IdempotencyKeyInFlightError);
  }, 30_000);

  it('a retry whose write would now fail (a unique row the first request made) still gets the first answer', async () => {
    const redis = await OwnRedis.start();
    try {
      const a = await startInstance('a', redis.url);
      await a.db.execute(sql`create table if not exists door_probe (v text primary key)`);
      // The retry's insert is sent with its claim and fails: the claim's answer, read before it, is what counts.
      const once = { name: 'probe.insert', run: async (tx: Db) => (await queryRows<{ v: string }>(tx, sql`insert into door_probe (v) values ('only') returning v`)).length, invalidates: () => ({}) };
      const first = await a.door(once, { idempotency: request('k-unique', { v: 'only' }) });
      const again = await a.door(once, { idempotency: request('k-unique', { v: 'only' }) });
      expect(first).toMatchObject({ replayed: false, body: '1' });
      expect(again).toEqual({ replayed: true, answer: { status: 201, body: '1' } });
      // Without a key the same write fails: the retry above did run it.
      await expect(a.door(once)).rejects.toThrow();
    } finally {
      await redis.destroy();
    }
  }, 30_000);

  it('a write with a key takes two round trips to PostgreSQL: the claim rides with the write, the stored answer with the COMMIT', async () => {
    const redis = await OwnRedis.start();
    const proxy = await TcpProxy.start(Number(new URL(t.url).port), { delayMs: 20 });
    const url = new URL(t.url);
    url.port = String(proxy.port);
    // One connection, and no coherence channel on it: the proxy counts the write's transaction alone.
    const handle = await createDb({ url: url.toString(), max: 1 });
    const cache = createCache({ prefix: `${prefix}-rt`, instanceId: 'rt', redis: { url: redis.url } });
    try {
      const door = createWriteDoor(async () => ({ db: handle, cache, coherence: undefined }));
      const body = (n: number) => ({ recommendationId: 2, diagnosisId: 3, rating: 1 + (n % 5), adherence: n, comment: `round trips ${n}` });
      // Once first: a statement's first use on a connection may ask for its parameter types.
      await door(feedbackWrite(body(0)), { idempotency: request('k-rt-0', body(0)) });
      proxy.roundTrips = 0;
      const written = await door(feedbackWrite(body(1)), { idempotency: request('k-rt-1', body(1)) });
      expect(written.replayed).toBe(false);
      expect(proxy.roundTrips).toBe(2);
      proxy.roundTrips = 0;
      expect((await door(feedbackWrite(body(1)), { idempotency: request('k-rt-1', body(1)) })).replayed).toBe(true);
      expect(proxy.roundTrips).toBe(2);
    } finally {
      await cache.close();
      await handle.close();
      await proxy.close();
      await redis.destroy();
    }
  }, 30_000);

  it('a write that fails stores no key: the retry runs again', async () => {
    const redis = await OwnRedis.start();
    try {
      const a = await startInstance('a', redis.url);
      const bad = { recommendationId: 3, diagnosisId: 1, rating: 4, adherence: 10 }; // rec 3 is not for diagnosis 1's condition
      await expect(a.door(feedbackWrite(bad), { idempotency: request('k-bad', bad) })).rejects.toThrow();
      await expect(a.door(feedbackWrite(bad), { idempotency: request('k-bad', bad) })).rejects.toThrow(/Invalid feedback/);
      expect(await a.db.select().from(idempotencyKeys).where(eq(idempotencyKeys.key, 'k-bad'))).toEqual([]);
    } finally {
      await redis.destroy();
    }
  }, 30_000);
});
