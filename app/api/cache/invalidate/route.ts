import { purgeTag } from '@/lib/admin/cache-admin';
import { startCategoryPurge } from '@/lib/admin/jobs';
import { jobAccepted } from '@/lib/json-api/job-answer';
import { ops } from '@/lib/json-api/operations';
import { actorOf } from '@/lib/json-api/viewer';
import type { CategoryName } from '@/lib/cache';
import { otherMethods } from '@/lib/http/methods';
import { route } from '@/lib/http/route';

export const POST = route(ops.cacheInvalidate, async ({ body, identity }) =>
  'category' in body
    ? jobAccepted(await startCategoryPurge(actorOf(identity), body.category as CategoryName))
    : { tag: body.tag, ...(await purgeTag(actorOf(identity), body.tag)) },
);
export const { GET, PUT, PATCH, DELETE } = otherMethods(['POST']);
