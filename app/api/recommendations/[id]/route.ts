import { cachedGetHandlers } from '@/lib/api/cached-answer';
import { CACHED } from '@/lib/api/cached-routes';
import { ops } from '@/lib/api/operations';
import { route } from '@/lib/http/route';
import { writeAnswer } from '@/lib/http/write-answer';
import { editRecommendation } from '@/lib/writes';

export const { GET, POST, PATCH, DELETE } = cachedGetHandlers(CACHED.recommendation, ['GET', 'PUT']);
export const PUT = route(ops.updateRecommendation, (ctx) => writeAnswer(ctx, 200, (options) => editRecommendation(ctx.params.id, ctx.body, options)));
