import { ops } from '@/lib/json-api/operations';
import { validatedResponse } from '@/lib/http/http-cache';
import { otherMethods } from '@/lib/http/methods';
import { route } from '@/lib/http/route';
import { readPatientDiagnoses } from '@/lib/cached-reads/pages';

export const GET = route(ops.patientDiagnoses, async ({ req, params, query }) => validatedResponse(req, await readPatientDiagnoses(params.id, query)));
export const { POST, PUT, PATCH, DELETE } = otherMethods(['GET']);
