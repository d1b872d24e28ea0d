import { ops } from '@/lib/json-api/operations';
import { otherMethods } from '@/lib/http/methods';
import { route } from '@/lib/http/route';
import { writeAnswer } from '@/lib/http/write-answer';
import { recordFeedback } from '@/lib/write-door';

export const POST = route(ops.submitFeedback, (ctx) =>
  writeAnswer(ctx, 201, (options) => recordFeedback(ctx.body, options), { location: (created: { feedbackId: number }) => `/api/feedback/${created.feedbackId}` }),
);
export const { GET, PUT, PATCH, DELETE } = otherMethods(['POST']);
