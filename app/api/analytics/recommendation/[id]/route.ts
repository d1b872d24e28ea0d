import { answerFromCache } from '@/lib/api/cached-answer';
import { ops } from '@/lib/api/operations';
import { otherMethods } from '@/lib/http/methods';
import { route } from '@/lib/http/route';
import { analyticsResource } from '@/lib/reads/resources';

export const GET = route(ops.analytics, ({ req, params }) => answerFromCache(req, () => analyticsResource.withMeta(params.id)));
export const { POST, PUT, PATCH, DELETE } = otherMethods(['GET']);
