import { ops } from '@/lib/json-api/operations';
import { getCache } from '@/lib/cache';
import { otherMethods } from '@/lib/http/methods';
import { route } from '@/lib/http/route';

export const GET = route(ops.cacheStats, () => Response.json(getCache().statsSnapshot(), { headers: { 'Cache-Control': 'no-store' } }));
export const { POST, PUT, PATCH, DELETE } = otherMethods(['GET']);
