import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '@/lib/auth/api-keys';
import { createTestDb, destroyTestDb, type TestDb } from '../support/test-db';
import { call } from './support';

/**
 * PostgreSQL goes away: uncached reads answer 503 problem+json with Retry-After, and what is already cached
 * keeps being served. The app's pool points at a closed port after the first read (the "outage").
 */
describe('database down', () => {
  let db: TestDb;
  let key: string;
  const prefix = `t-dbdown-${process.pid}`;
  beforeAll(async () => {
    db = await createTestDb();
    const { seedDatabase } = await import('@/drizzle/seed/seed-database');
    await seedDatabase(db, { patients: 30, seed: 3 });
    key = (await createApiKey(db.db, { name: 'k', scopes: ['read'] })).key;
    Object.assign(process.env, { DATABASE_URL: db.url, REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379', CACHE_PREFIX: prefix, CACHE_COMMAND_TIMEOUT_MS: '2000' });
    const { getCache } = await import('@/lib/cache');
    await getCache().ready();
  });
  afterAll(async () => {
    const { closeDb } = await import('@/lib/db/client');
    const { setCacheForTesting } = await import('@/lib/cache');
    await setCacheForTesting(undefined);
    await closeDb();
    const redis = new Redis(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
    for await (const keys of redis.scanStream({ match: `${prefix}:*` }) as AsyncIterable<string[]>) if (keys.length) await redis.unlink(...keys);
    redis.disconnect();
    await destroyTestDb(db);
  });

  it('answers 503 with Retry-After when nothing is cached', async () => {
    const headers = { authorization: `Bearer ${key}` };
    const cachedPath = '/api/recommendations/1';
    expect((await call('GET', cachedPath, { headers })).status).toBe(200);

    // The outage: the process database now points at a port where nothing listens.
    const { closeDb } = await import('@/lib/db/client');
    await closeDb();
    const { getConfig } = await import('@/lib/config');
    (getConfig() as { DATABASE_URL?: string }).DATABASE_URL = 'postgres://postgres@127.0.0.1:1/nothing';

    const res = await call('GET', '/api/recommendations/2', { headers });
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);

    // What is cached is still served: the caller's identity and the answer both come from the cache.
    const cached = await call('GET', cachedPath, { headers });
    expect(cached.status).toBe(200);
    expect(cached.headers.get('x-cache')).toBe('HIT');
  });
});
