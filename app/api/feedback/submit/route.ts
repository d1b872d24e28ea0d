import { ops } from '@/lib/api/operations';
import { otherMethods } from '@/lib/http/methods';
import { route } from '@/lib/http/route';
import { writeAnswer } from '@/lib/http/write-answer';
import { recordFeedback } from '@/lib/writes';

export const POST = route(ops.submitFeedback, (ctx) => writeAnswer(ctx, 201, (options) => recordFeedback(ctx.body, options)));
export const { GET, PUT, PATCH, DELETE } = otherMethods(['POST']);
