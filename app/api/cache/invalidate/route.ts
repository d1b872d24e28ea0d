import { purgeCategory, purgeTag } from '@/lib/admin/cache-admin';
import { ops } from '@/lib/api/operations';
import { actorOf } from '@/lib/api/viewer';
import type { CategoryName } from '@/lib/cache';
import { getDb } from '@/lib/db/client';
import { otherMethods } from '@/lib/http/methods';
import { route } from '@/lib/http/route';

export const POST = route(ops.cacheInvalidate, async ({ body, identity }) => {
  const db = await getDb();
  return 'category' in body
    ? { category: body.category, ...(await purgeCategory(db, actorOf(identity), body.category as CategoryName)) }
    : { tag: body.tag, ...(await purgeTag(db, actorOf(identity), body.tag)) };
});
export const { GET, PUT, PATCH, DELETE } = otherMethods(['POST']);
