import { ops } from '@/lib/api/operations';
import { writtenResponse } from '@/lib/http/http-cache';
import { otherMethods } from '@/lib/http/methods';
import { route } from '@/lib/http/route';
import { recordFeedback } from '@/lib/writes';

export const POST = route(ops.submitFeedback, async ({ body }) => {
  const created = await recordFeedback(body);
  return writtenResponse(created, { status: 201, location: `/api/feedback/${created.feedbackId}` });
});
export const { GET, PUT, PATCH, DELETE } = otherMethods(['POST']);
