import { predictionsWithMeta, answerFromCache } from '@/lib/api/cached-answer';
import { ops } from '@/lib/api/operations';
import { otherMethods } from '@/lib/http/methods';
import { route } from '@/lib/http/route';

export const GET = route(ops.predict, ({ req, params }) => answerFromCache(req, () => predictionsWithMeta(params.id)));
export const { POST, PUT, PATCH, DELETE } = otherMethods(['GET']);
