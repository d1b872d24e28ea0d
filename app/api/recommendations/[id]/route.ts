import { cachedGetHandlers } from '@/lib/api/cached-answer';
import { CACHED } from '@/lib/api/cached-routes';
import { ops } from '@/lib/api/operations';
import { requireIfMatch, writtenResponse } from '@/lib/http/http-cache';
import { route } from '@/lib/http/route';
import { editRecommendation } from '@/lib/writes';

export const { GET, POST, PATCH, DELETE } = cachedGetHandlers(CACHED.recommendation, ['GET', 'PUT']);
export const PUT = route(ops.updateRecommendation, async ({ req, params, body }) => writtenResponse(await editRecommendation(params.id, body, requireIfMatch(req))));
