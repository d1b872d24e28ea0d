import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildCachedAnswer, cacheControl, cachedResponse, freshSeconds, graceSeconds, ifNoneMatchHits, strongEtag, type CacheMeta } from '@/lib/http/http-cache';

const T0 = 1_700_000_000_000;
const meta = (status: CacheMeta['status'], storedAt: number, ttlS: number, graceS: number): CacheMeta => ({
  status,
  storedAt,
  expiresAt: storedAt + ttlS * 1000,
  graceUntil: storedAt + (ttlS + graceS) * 1000,
});

describe('ETag', () => {
  it('is strong, stable and differs by content (bytes or string alike)', () => {
    const a = strongEtag('{"a":1}');
    expect(a).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    expect(strongEtag(new TextEncoder().encode('{"a":1}'))).toBe(a);
    expect(strongEtag('{"a":2}')).not.toBe(a);
  });

  it('If-None-Match: exact, lists, weak form, star, mismatch, absent', () => {
    const e = strongEtag('x');
    expect(ifNoneMatchHits(e, e)).toBe(true);
    expect(ifNoneMatchHits(`"nope", ${e}`, e)).toBe(true);
    expect(ifNoneMatchHits(`W/${e}`, e)).toBe(true);
    expect(ifNoneMatchHits('*', e)).toBe(true);
    expect(ifNoneMatchHits('"nope"', e)).toBe(false);
    expect(ifNoneMatchHits(null, e)).toBe(false);
    expect(ifNoneMatchHits('', e)).toBe(false);
    expect(ifNoneMatchHits('"a,b"', '"a,b"')).toBe(true);
  });
});

describe('Cache-Control', () => {
  it('max-age is the freshness left and falls as the entry ages', () => {
    const m = meta('HIT', T0, 3600, 60);
    expect(cacheControl(m, T0)).toBe('private, max-age=3600, stale-while-revalidate=60');
    expect(cacheControl(m, T0 + 100_000)).toBe('private, max-age=3500, stale-while-revalidate=60');
    // Rounded down: never promise a client more freshness than the server has.
    expect(freshSeconds(m, T0 + 100_001)).toBe(3499);
  });

  it('a stale entry gets max-age=0 and the grace left', () => {
    const m = meta('STALE', T0, 60, 30);
    expect(cacheControl(m, T0 + 70_000)).toBe('private, max-age=0, stale-while-revalidate=20');
    expect(cacheControl(m, T0 + 200_000)).toBe('private, max-age=0, stale-while-revalidate=0');
  });

  it('property: max-age + swr never exceed the time to graceUntil, never negative, max-age non-increasing', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 86_400 }), fc.integer({ min: 0, max: 3600 }), fc.integer({ min: 0, max: 200_000_000 }), fc.integer({ min: 0, max: 1000 }), (ttl, grace, age, step) => {
        const m = meta('HIT', T0, ttl, grace);
        const now = T0 + age;
        const f = freshSeconds(m, now);
        const g = graceSeconds(m, now);
        expect(f).toBeGreaterThanOrEqual(0);
        expect(g).toBeGreaterThanOrEqual(0);
        expect((f + g) * 1000).toBeLessThanOrEqual(Math.max(0, T0 + (ttl + grace) * 1000 - now) + 1000);
        expect(freshSeconds(m, now + step)).toBeLessThanOrEqual(f);
      }),
    );
  });
});

describe('buildCachedAnswer', () => {
  const body = '{"id":7,"name":"ginger"}';

  it('200 with body, ETag, Cache-Control, X-Cache and Server-Timing', () => {
    const a = buildCachedAnswer({ body, meta: meta('MISS', T0, 3600, 60), now: T0, timings: { cacheMs: 0.44, dbMs: 12.06 } });
    expect(a.status).toBe(200);
    expect(new TextDecoder().decode(a.body!)).toBe(body);
    expect(a.headers).toEqual({
      ETag: strongEtag(body),
      'Cache-Control': 'private, max-age=3600, stale-while-revalidate=60',
      'X-Cache': 'MISS',
      'Server-Timing': 'cache;dur=0.4, db;dur=12.1',
      'Content-Type': 'application/json',
    });
  });

  it('304 without a body when If-None-Match matches, same validators', () => {
    const etag = strongEtag(body);
    const a = buildCachedAnswer({ body, etag, meta: meta('HIT', T0, 3600, 60), now: T0 + 10_000, ifNoneMatch: etag });
    expect(a.status).toBe(304);
    expect(a.body).toBeNull();
    expect(a.headers.ETag).toBe(etag);
    expect(a.headers['Cache-Control']).toBe('private, max-age=3590, stale-while-revalidate=60');
    expect(a.headers['Content-Type']).toBeUndefined();
  });

  it('HEAD keeps headers, drops the body', () => {
    const a = buildCachedAnswer({ body, meta: meta('HIT', T0, 60, 0), now: T0, method: 'HEAD' });
    expect(a.status).toBe(200);
    expect(a.body).toBeNull();
  });

  it('cachedResponse reads If-None-Match from the request', async () => {
    const m = meta('HIT', T0, 60, 0);
    const first = cachedResponse(new Request('http://x/api/a'), { body, meta: m, now: T0 });
    expect(first.status).toBe(200);
    expect(await first.text()).toBe(body);
    const again = cachedResponse(new Request('http://x/api/a', { headers: { 'If-None-Match': first.headers.get('etag')! } }), { body, meta: m, now: T0 });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    expect(again.headers.get('x-cache')).toBe('HIT');
  });
});
