import { ops } from '@/lib/api/operations';
import { otherMethods } from '@/lib/http/methods';
import { route } from '@/lib/http/route';
import { optimizeScores } from '@/lib/writes';

export const POST = route(ops.optimize, ({ body }) => optimizeScores(body.conditionId));
export const { GET, PUT, PATCH, DELETE } = otherMethods(['POST']);
