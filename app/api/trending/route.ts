import { answerFromCache } from '@/lib/api/cached-answer';
import { ops } from '@/lib/api/operations';
import { otherMethods } from '@/lib/http/methods';
import { route } from '@/lib/http/route';
import { trendingResource } from '@/lib/reads/resources';

export const GET = route(ops.trending, ({ req, query }) => answerFromCache(req, () => trendingResource.withMeta(query.days, query.limit)));
export const { POST, PUT, PATCH, DELETE } = otherMethods(['GET']);
