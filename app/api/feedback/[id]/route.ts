import { ops } from '@/lib/json-api/operations';
import { validatedResponse } from '@/lib/http/http-cache';
import { otherMethods } from '@/lib/http/methods';
import { route } from '@/lib/http/route';
import { readFeedback } from '@/lib/cached-reads/pages';

export const GET = route(ops.getFeedback, async ({ req, params }) => validatedResponse(req, await readFeedback(params.id)));
export const { POST, PUT, PATCH, DELETE } = otherMethods(['GET']);
