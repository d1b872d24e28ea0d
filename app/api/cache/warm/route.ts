import { warmCategory } from '@/lib/admin/cache-admin';
import { ops } from '@/lib/api/operations';
import { actorOf } from '@/lib/api/viewer';
import type { CategoryName } from '@/lib/cache';
import { getDb } from '@/lib/db/client';
import { otherMethods } from '@/lib/http/methods';
import { route } from '@/lib/http/route';

export const POST = route(ops.cacheWarm, async ({ body, identity }) => warmCategory(await getDb(), actorOf(identity), body.category as CategoryName));
export const { GET, PUT, PATCH, DELETE } = otherMethods(['POST']);
