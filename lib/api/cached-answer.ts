import 'server-only';
import type { CachedRaw, CacheResult } from '@/lib/cache';
import { buildCachedAnswer, toResponse, type CachedAnswer } from '@/lib/http/http-cache';
import { otherMethods, type HttpMethod } from '@/lib/http/methods';
import { route } from '@/lib/http/route';
import type { CachedRoute } from './cached-routes';

/**
 * The answer for a cached JSON resource as stored: its bytes, its stored ETag (304 on a match),
 * Cache-Control from the entry's remaining freshness, X-Cache, and Server-Timing with the database time
 * when it was computed now. The route handler and the fast path both send exactly this.
 */
export function cachedAnswer(result: CacheResult<CachedRaw>, req: { method: string; ifNoneMatch: string | null | undefined }, cacheMs: number): CachedAnswer {
  const status = result.status === 'BYPASS' ? 'MISS' : result.status;
  const dbMs = status === 'MISS' ? Number(result.value.meta.db) : undefined;
  return buildCachedAnswer({
    body: result.value.body,
    etag: result.value.meta.etag,
    meta: { status, storedAt: result.storedAt, expiresAt: result.expiresAt, graceUntil: result.graceUntil },
    ifNoneMatch: req.ifNoneMatch,
    method: req.method,
    timings: dbMs === undefined ? { cacheMs } : { cacheMs: Math.max(0, cacheMs - dbMs), dbMs },
  });
}

/** Route handlers (GET + 405s) of a cached route: read through the cache, computing on a miss. */
export function cachedGetHandlers(cachedRoute: CachedRoute, allow: HttpMethod[] = ['GET']) {
  const GET = route(cachedRoute.op, async ({ req, params, query, identity }) => {
    const started = performance.now();
    const result = (await cachedRoute.lookup({ params: params as Record<string, unknown>, query: (query ?? {}) as Record<string, unknown>, identity: identity! }, 'read'))!;
    return toResponse(cachedAnswer(result, { method: req.method, ifNoneMatch: req.headers.get('if-none-match') }, performance.now() - started));
  });
  return { ...otherMethods(allow), GET };
}
