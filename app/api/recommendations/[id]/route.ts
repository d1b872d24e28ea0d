import { answerFromCache } from '@/lib/api/cached-answer';
import { ops } from '@/lib/api/operations';
import { otherMethods } from '@/lib/http/methods';
import { route } from '@/lib/http/route';
import { recommendationResource } from '@/lib/reads/resources';
import { editRecommendation } from '@/lib/writes';

export const GET = route(ops.getRecommendation, ({ req, params }) => answerFromCache(req, () => recommendationResource.withMeta(params.id)));
export const PUT = route(ops.updateRecommendation, ({ params, body }) => editRecommendation(params.id, body));
export const { POST, PATCH, DELETE } = otherMethods(['GET', 'PUT']);
