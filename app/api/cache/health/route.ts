import { ops } from '@/lib/json-api/operations';
import { canAccess } from '@/lib/auth/guards';
import { getCache } from '@/lib/cache';
import { otherMethods } from '@/lib/http/methods';
import { route } from '@/lib/http/route';

/** Admins see the details (errors, instance id, breaker); anyone else only whether the cache is up. */
export const GET = route(ops.cacheHealth, async ({ identity }) => {
  const health = await getCache().health();
  const body = canAccess(identity, 'admin') ? health : { status: health.reachable ? 'up' : 'down' };
  return Response.json(body, { headers: { 'Cache-Control': 'no-store' } });
});
export const { POST, PUT, PATCH, DELETE } = otherMethods(['GET']);
