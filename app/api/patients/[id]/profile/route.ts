import { answerFromCache } from '@/lib/api/cached-answer';
import { ops } from '@/lib/api/operations';
import { viewerKey } from '@/lib/api/viewer';
import { otherMethods } from '@/lib/http/methods';
import { route } from '@/lib/http/route';
import { profileResource } from '@/lib/reads/resources';

export const GET = route(ops.profile, ({ req, params, identity }) => answerFromCache(req, () => profileResource.withMeta(params.id, viewerKey(identity))));
export const { POST, PUT, PATCH, DELETE } = otherMethods(['GET']);
