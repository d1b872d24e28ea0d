import { startWarmJob } from '@/lib/admin/jobs';
import { jobAccepted } from '@/lib/json-api/job-answer';
import { ops } from '@/lib/json-api/operations';
import { actorOf } from '@/lib/json-api/viewer';
import type { CategoryName } from '@/lib/cache';
import { otherMethods } from '@/lib/http/methods';
import { route } from '@/lib/http/route';

export const POST = route(ops.cacheWarm, ({ body, identity }) => jobAccepted(startWarmJob(actorOf(identity), body.category as CategoryName)));
export const { GET, PUT, PATCH, DELETE } = otherMethods(['POST']);
