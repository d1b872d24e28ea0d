import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { MemoryStorage, OfflineCache, SqliteStorage, type CacheStorage } from '@/client/src/offline-cache';

/**
 * The cache's own rules with a fake clock and a scripted network (the real server is in
 * e2e/client/offline-client.spec.ts): freshness from Cache-Control, revalidation, no-store, offline, eviction.
 */

type Reply = { status: number; body?: string; headers?: Record<string, string> } | 'offline';

function harness(storage: CacheStorage = new MemoryStorage(), maxBytes?: number) {
  let now = 1_000_000;
  const replies: Reply[] = [];
  const sent: Request[] = [];
  const cache = new OfflineCache({ storage, now: () => now, ...(maxBytes && { maxBytes }) });
  const network = async (req: Request) => {
    sent.push(req);
    const r = replies.shift()!;
    if (r === 'offline') throw new TypeError('fetch failed');
    return new Response(r.status === 304 ? null : (r.body ?? ''), { status: r.status, headers: r.headers });
  };
  const get = async (path: string) => {
    const res = await cache.fetch(new Request(`http://api.test${path}`), network);
    return { status: res.status, flag: res.headers.get('x-client-cache'), body: await res.text() };
  };
  return { cache, replies, sent, get, tick: (ms: number) => (now += ms) };
}

const json = (body: string, cacheControl: string, etag = '"a"') => ({ status: 200, body, headers: { 'content-type': 'application/json', 'cache-control': cacheControl, etag } });

describe.each([
  ['memory', () => new MemoryStorage()],
  ['sqlite', () => new SqliteStorage(new Database(':memory:'))],
])('OfflineCache over %s storage', (_name, makeStorage) => {
  it('serves a fresh answer for max-age seconds, then revalidates with If-None-Match', async () => {
    const h = harness(makeStorage());
    h.replies.push(json('{"v":1}', 'private, max-age=60, stale-while-revalidate=10'));
    expect(await h.get('/api/recommendations/7')).toMatchObject({ flag: 'MISS', body: '{"v":1}' });
    h.tick(59_000);
    expect(await h.get('/api/recommendations/7')).toMatchObject({ flag: 'HIT', body: '{"v":1}' });
    expect(h.sent).toHaveLength(1);
    h.tick(2_000);
    h.replies.push({ status: 304, headers: { 'cache-control': 'private, max-age=30', etag: '"a"' } });
    expect(await h.get('/api/recommendations/7')).toMatchObject({ flag: 'REVALIDATED', body: '{"v":1}' });
    expect(h.sent[1]!.headers.get('if-none-match')).toBe('"a"');
    // The 304 renewed the freshness.
    h.tick(29_000);
    expect((await h.get('/api/recommendations/7')).flag).toBe('HIT');
    expect(h.cache.stats()).toMatchObject({ hits: 2, misses: 1, revalidations: 1, entries: 1, bytes: 7 });
  });

  it('keeps no-cache answers only to revalidate, never no-store ones; a changed answer replaces the copy', async () => {
    const h = harness(makeStorage());
    h.replies.push(json('{"p":1}', 'private, no-cache'), json('{"p":2}', 'private, no-cache', '"b"'));
    await h.get('/api/patients/1/profile');
    expect(await h.get('/api/patients/1/profile')).toMatchObject({ flag: 'MISS', body: '{"p":2}' });
    expect(h.sent[1]!.headers.get('if-none-match')).toBe('"a"');
    h.replies.push({ status: 503, body: '{}', headers: { 'cache-control': 'no-store', 'content-type': 'application/problem+json' } });
    h.tick(1);
    expect((await h.get('/api/patients/1/profile')).status).toBe(503);
    h.replies.push(json('{"x":1}', 'no-store'));
    await h.get('/api/cache/stats');
    expect(h.cache.storage.get('/api/cache/stats')).toBeUndefined();
  });

  it('serves the stored copy flagged STALE-OFFLINE when the network fails, and fails without one', async () => {
    const h = harness(makeStorage());
    h.replies.push(json('{"v":1}', 'private, no-cache'), 'offline', 'offline');
    await h.get('/api/patients/1/health-records');
    expect(await h.get('/api/patients/1/health-records')).toMatchObject({ flag: 'STALE-OFFLINE', body: '{"v":1}' });
    await expect(h.get('/api/patients/2/health-records')).rejects.toThrow('fetch failed');
    expect(h.cache.stats().staleServed).toBe(1);
  });

  it('drops a resource the app wrote, forgets personal entries on sign-out, cleans up by category, evicts the oldest past the limit', async () => {
    const h = harness(makeStorage(), 20);
    h.replies.push(json('{"r":1}', 'max-age=600'), json('{"p":1}', 'private, no-cache'), json('{"t":1}', 'max-age=600'));
    await h.get('/api/recommendations/7');
    h.tick(1);
    await h.get('/api/patients/1/profile');
    h.tick(1);
    await h.get('/api/trending?days=7');
    // 3 × 7 bytes > 20: the oldest went.
    expect(h.cache.storage.list().map((e) => e.key)).toEqual(['/api/patients/1/profile', '/api/trending?days=7']);
    h.cache.clearPersonal();
    expect(h.cache.storage.list().map((e) => e.key)).toEqual(['/api/trending?days=7']);
    h.cache.clearCategory('trending');
    expect(h.cache.stats().entries).toBe(0);

    h.replies.push(json('{"r":1}', 'max-age=600'));
    await h.get('/api/recommendations/7');
    await h.cache.fetch(new Request('http://api.test/api/recommendations/7', { method: 'PUT', body: '{}' }), async () => new Response('{"r":2}', { status: 200 }));
    expect(h.cache.storage.get('/api/recommendations/7')).toBeUndefined();
  });
});
