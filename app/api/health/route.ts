import { ops } from '@/lib/json-api/operations';
import { otherMethods } from '@/lib/http/methods';
import { route } from '@/lib/http/route';
import { systemHealth } from '@/lib/status/system-health';

/** Public: says whether each part answers, nothing an attacker could use (no versions, hosts or errors). */
export const GET = route(ops.health, async () => {
  const health = await systemHealth();
  const body = {
    status: health.database.ok && health.cache.reachable ? 'ok' : 'degraded',
    database: { ok: health.database.ok, kind: health.database.kind, latencyMs: health.database.latencyMs },
    cache: { ok: health.cache.reachable, backend: health.cache.backend, breaker: health.cache.breaker },
  };
  // Without the database nothing uncached can be answered: not ready. Redis trouble only degrades.
  return Response.json(body, { status: health.database.ok ? 200 : 503, headers: { 'Cache-Control': 'no-store' } });
});
export const { POST, PUT, PATCH, DELETE } = otherMethods(['GET']);
