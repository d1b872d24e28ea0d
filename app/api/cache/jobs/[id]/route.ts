import { getJob } from '@/lib/admin/jobs';
import { ops } from '@/lib/json-api/operations';
import { NotFoundError } from '@/lib/errors';
import { otherMethods } from '@/lib/http/methods';
import { route } from '@/lib/http/route';

export const GET = route(ops.cacheJob, ({ params }) => getJob(params.id) ?? Promise.reject(new NotFoundError('Cache job', params.id)));
export const { POST, PUT, PATCH, DELETE } = otherMethods(['GET']);
