import 'server-only';
import type { CachedRaw, CacheResult } from '@/lib/cache';
import { cachedResponse } from '@/lib/http/http-cache';
import { diagnosisResource, predictionsResource } from '@/lib/reads/resources';

/**
 * Sends a cached JSON resource as stored: its bytes, its stored ETag (304 on a match), Cache-Control from
 * the entry's remaining freshness, X-Cache, and Server-Timing with the database time when it was computed now.
 */
export async function answerFromCache(req: Request, read: () => Promise<CacheResult<CachedRaw>>): Promise<Response> {
  const started = performance.now();
  const result = await read();
  const cacheMs = performance.now() - started;
  const status = result.status === 'BYPASS' ? 'MISS' : result.status;
  const dbMs = status === 'MISS' ? Number(result.value.meta.db) : undefined;
  return cachedResponse(req, {
    body: result.value.body,
    etag: result.value.meta.etag,
    meta: { status, storedAt: result.storedAt, expiresAt: result.expiresAt, graceUntil: result.graceUntil },
    timings: { cacheMs: status === 'MISS' && dbMs !== undefined ? Math.max(0, cacheMs - dbMs) : cacheMs, ...(dbMs !== undefined && { dbMs }) },
  });
}

/** A prediction's tags name its condition, so the diagnosis (cached too) is read first. */
export async function predictionsWithMeta(diagnosisId: number): Promise<CacheResult<CachedRaw>> {
  const diagnosis = await diagnosisResource(diagnosisId);
  const { conditionId } = JSON.parse(diagnosis.body) as { conditionId: number };
  return predictionsResource.withMeta(diagnosisId, conditionId);
}
