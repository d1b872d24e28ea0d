import 'server-only';
import type { CachedRaw, CacheResult } from '@/lib/cache';
import { buildCachedAnswer, toResponse, type CachedAnswer } from '@/lib/http/http-cache';
import { storedGzipOffered, throughNext } from '@/lib/http/stored-gzip';
import { otherMethods, type HttpMethod } from '@/lib/http/methods';
import { route } from '@/lib/http/route';
import { waitLeftMs } from '@/lib/http/wait-deadline';
import { computedDbMs, jsonBytes, sentForms } from '@/lib/cached-reads/json-resource';
import { auditPatientView, type CachedRoute } from './cached-routes';

/**
 * The answer for a cached JSON resource as stored: its bytes, its stored ETag (304 on a match),
 * Cache-Control from the entry's remaining freshness, X-Cache, and Server-Timing with the database time
 * when it was computed now. The route handler and the fast path both send exactly this.
 *
 * The gzip copy goes to a client that accepts gzip, else the JSON (both derived once per entry object, see
 * lib/cached-reads/json-resource.ts). Same ETag for both, as Next's own compression of the route handler's
 * answer keeps it: a client gets 304s whichever path answered.
 */
export function cachedAnswer(
  result: CacheResult<CachedRaw>,
  req: { method: string; ifNoneMatch: string | null | undefined; acceptEncoding: string | null | undefined },
  cacheMs: number,
  personal = false,
): CachedAnswer {
  const status = result.status === 'BYPASS' ? 'MISS' : result.status;
  const dbMs = status === 'MISS' ? computedDbMs(result.value) : undefined;
  const raw = result.value;
  const { etag, gzip } = sentForms(raw);
  const sendGzip = gzip !== null && accepts(req.acceptEncoding);
  // Fields spelled out, no object spread: on this per-hit path V8's spread of these shapes cost ~1 µs each.
  return buildCachedAnswer({
    body: sendGzip ? gzip : jsonBytes(raw),
    etag,
    contentEncoding: sendGzip ? 'gzip' : undefined,
    varyEncoding: gzip !== null,
    personal,
    meta: { status, storedAt: result.storedAt, expiresAt: result.expiresAt, graceUntil: result.graceUntil },
    ifNoneMatch: req.ifNoneMatch,
    method: req.method,
    timings: dbMs === undefined ? { cacheMs } : { cacheMs: Math.max(0, cacheMs - dbMs), dbMs },
  });
}

const accepts = (acceptEncoding: string | null | undefined) => !!acceptEncoding && GZIP.test(acceptEncoding);
const GZIP = /(?:^|,)\s*(?:gzip|\*)\s*(?:,|$|;\s*q=(?!0(?:\.0{0,3})?\s*(?:,|$)))/i;

/** Route handlers (GET + 405s) of a cached route: read through the cache, computing on a miss. */
export function cachedGetHandlers(cachedRoute: CachedRoute, allow: HttpMethod[] = ['GET']) {
  const GET = route(cachedRoute.op, ({ req, params, query, identity }) => {
    const started = performance.now();
    const input = { params: params as Record<string, unknown>, query: (query ?? {}) as Record<string, unknown>, identity: identity! };
    const answer = (result: CacheResult<CachedRaw>) => {
      auditPatientView(cachedRoute, input, result, 'api');
      // The stored gzip copy only where server.ts will pass it through Next (lib/http/stored-gzip.ts); else the JSON,
      // which Next compresses itself.
      const acceptEncoding = storedGzipOffered(req.headers) ? req.headers.get('accept-encoding') : null;
      return toResponse(throughNext(cachedAnswer(result, { method: req.method, ifNoneMatch: req.headers.get('if-none-match'), acceptEncoding }, performance.now() - started, cachedRoute.op.personal)));
    };
    // A fresh L1 entry is what the lookup would answer first; taken without a promise, as the fast path does.
    const hit = cachedRoute.fromL1(input);
    if (hit) return answer(hit);
    // Handed over by the fast path after it waited: only what is left of the hard timeout.
    const left = waitLeftMs(req.headers);
    return cachedRoute.lookup(input, 'read', left === undefined ? undefined : { hardTimeout: left }).then((result) => answer(result!));
  });
  return { ...otherMethods(allow), GET };
}
