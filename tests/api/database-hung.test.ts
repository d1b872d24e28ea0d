import net from 'node:net';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '@/lib/auth/api-keys';
import { recommendation } from '@/lib/resources/recommendation';
import { createTestDb, destroyTestDb, type TestDb } from '../support/test-db';
import { call } from './support';

/**
 * PostgreSQL hangs (accepts connections, never answers): a cached route answers 503 + Retry-After within its
 * hard timeout instead of holding the mobile request, and serves a stale copy within its soft timeout.
 */
describe('database hung', () => {
  let db: TestDb;
  let key: string;
  let blackHole: net.Server;
  const sockets = new Set<net.Socket>();
  const prefix = `t-dbhung-${process.pid}`;

  beforeAll(async () => {
    db = await createTestDb();
    const { seedDatabase } = await import('@/drizzle/seed/seed-database');
    await seedDatabase(db, { patients: 30, seed: 4 });
    key = (await createApiKey(db.db, { name: 'k', scopes: ['read'] })).key;
    // Recommendations go stale after 1 s (grace stays 10 min), so the second test has a stale copy at hand.
    Object.assign(process.env, { DATABASE_URL: db.url, REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379', CACHE_PREFIX: prefix, CACHE_COMMAND_TIMEOUT_MS: '2000', CACHE_TTL_RECOMMENDATIONS: '1' });
    const { getCache } = await import('@/lib/cache');
    await getCache().ready();
    blackHole = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => blackHole.close(() => resolve()));
    const { closeDb } = await import('@/lib/db/client');
    const { setCacheForTesting } = await import('@/lib/cache');
    await setCacheForTesting(undefined);
    await closeDb();
    delete process.env.CACHE_TTL_RECOMMENDATIONS;
    const redis = new Redis(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
    for await (const keys of redis.scanStream({ match: `${prefix}:*` }) as AsyncIterable<string[]>) if (keys.length) await redis.unlink(...keys);
    redis.disconnect();
    await destroyTestDb(db);
  });

  const headers = () => ({ authorization: `Bearer ${key}` });

  it('a hung database costs a request its hard timeout (503 + Retry-After), then a stale copy within its soft timeout', async () => {
    const stalePath = '/api/recommendations/1';
    expect((await call('GET', stalePath, { headers: headers() })).status).toBe(200);

    // The hang: the process database now points at a server that accepts and never answers.
    const { closeDb } = await import('@/lib/db/client');
    await closeDb();
    const { getConfig } = await import('@/lib/config');
    (getConfig() as { DATABASE_URL?: string }).DATABASE_URL = `postgres://postgres@127.0.0.1:${(blackHole.address() as net.AddressInfo).port}/hung`;

    const { hardTimeout, timeout } = recommendation.waits;
    let started = performance.now();
    const res = await call('GET', '/api/recommendations/2', { headers: headers() });
    const waited = performance.now() - started;
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(waited).toBeGreaterThanOrEqual(hardTimeout - 50);
    expect(waited).toBeLessThan(hardTimeout + 2_000);

    // Past its 1 s TTL the first entry is stale: served after at most the soft timeout, the refresh left hanging.
    const { getCache } = await import('@/lib/cache');
    const { recommendation: { entry: recommendationResource } } = await import('@/lib/resources/recommendation');
    const entry = await recommendationResource.peek(1);
    expect(entry).not.toBeNull();
    await new Promise((r) => setTimeout(r, Math.max(0, entry!.expiresAt - Date.now() + 10))); // let its TTL pass
    started = performance.now();
    const stale = await call('GET', stalePath, { headers: headers() });
    expect(stale.status).toBe(200);
    expect(stale.headers.get('x-cache')).toBe('STALE');
    expect(performance.now() - started).toBeLessThan(timeout + 1_000);
    expect(getCache().statsSnapshot().categories.recommendations!.staleServed).toBeGreaterThan(0);
  });
});
