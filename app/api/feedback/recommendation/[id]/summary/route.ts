import { answerFromCache } from '@/lib/api/cached-answer';
import { ops } from '@/lib/api/operations';
import { otherMethods } from '@/lib/http/methods';
import { route } from '@/lib/http/route';
import { feedbackSummaryResource } from '@/lib/reads/resources';

export const GET = route(ops.feedbackSummary, ({ req, params }) => answerFromCache(req, () => feedbackSummaryResource.withMeta(params.id)));
export const { POST, PUT, PATCH, DELETE } = otherMethods(['GET']);
