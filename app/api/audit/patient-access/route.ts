import { ops } from '@/lib/json-api/operations';
import { listPatientViews } from '@/lib/audit/patient-access';
import { otherMethods } from '@/lib/http/methods';
import { route } from '@/lib/http/route';

export const GET = route(ops.patientAccess, async ({ query }) => Response.json(await listPatientViews(query), { headers: { 'Cache-Control': 'no-store' } }));
export const { POST, PUT, PATCH, DELETE } = otherMethods(['GET']);
