import { ops } from '@/lib/api/operations';
import { otherMethods } from '@/lib/http/methods';
import { route } from '@/lib/http/route';
import { recordFeedback } from '@/lib/writes';

export const POST = route(ops.submitFeedback, async ({ body }) => Response.json(await recordFeedback(body), { status: 201 }));
export const { GET, PUT, PATCH, DELETE } = otherMethods(['POST']);
