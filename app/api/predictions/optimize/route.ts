import { ops } from '@/lib/json-api/operations';
import { otherMethods } from '@/lib/http/methods';
import { route } from '@/lib/http/route';
import { writeAnswer } from '@/lib/http/write-answer';
import { optimizeScores } from '@/lib/write-door';

export const POST = route(ops.optimize, (ctx) => writeAnswer(ctx, 200, (options) => optimizeScores(ctx.body.conditionId, options)));
export const { GET, PUT, PATCH, DELETE } = otherMethods(['POST']);
