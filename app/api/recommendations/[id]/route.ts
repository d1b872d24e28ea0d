import { cachedGetHandlers } from '@/lib/json-api/cached-answer';
import { cachedRoute } from '@/lib/json-api/cached-routes';
import { ops } from '@/lib/json-api/operations';
import { requireIfMatch } from '@/lib/http/http-cache';
import { route } from '@/lib/http/route';
import { writeAnswer } from '@/lib/http/write-answer';
import { editRecommendation } from '@/lib/write-door';
import { recommendation } from '@/lib/resources/recommendation';

export const { GET, POST, PATCH, DELETE } = cachedGetHandlers(cachedRoute(recommendation), ['GET', 'PUT']);
export const PUT = route(ops.updateRecommendation, (ctx) => {
  const ifMatch = requireIfMatch(ctx.req);
  return writeAnswer(ctx, 200, (options) => editRecommendation(ctx.params.id, ctx.body, ifMatch, options));
});
