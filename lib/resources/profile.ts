import 'server-only';
import * as examples from '@/lib/api-contract/examples';
import { patientId } from '@/lib/api-contract/params';
import { patientProfileSchema } from '@/lib/api-contract/schemas';
import { getPatientProfileOrThrow } from '@/lib/domain';
import { defineResource } from './define';
import { tag } from './tags';

/**
 * Keyed per patient: the answer is the same for every reader, and each request is authenticated, checked
 * for the `read` scope and recorded in the patient-access audit before it is served, hit or not. (Keyed per
 * viewer, as it once was, every reader paid its own miss for the same answer.)
 */
export const profile = defineResource({
  name: 'profile',
  category: 'profile',
  waits: { timeout: 150, hardTimeout: 5_000 },
  tags: (patientId: number) => [tag.patient(patientId)],
  compute: getPatientProfileOrThrow,
  args: (i) => [i.params.id as number],
  patientView: (i) => ({ patientId: i.params.id as number, resource: 'profile' }),
  api: {
    operationId: 'getPatientProfile',
    path: '/api/patients/{id}/profile',
    params: patientId,
    summary: 'A patient with the newest health records and diagnoses',
    description:
      'Embeds the first page of each list (10 health records, 20 diagnoses); `healthRecordsNext` / `diagnosesNext` continue with listHealthRecords / listPatientDiagnoses. Cached per patient and dropped when the patient’s data changes; every request is still authenticated and recorded in the patient-access audit.',
    response: patientProfileSchema,
    example: examples.profile,
    personal: true,
    errors: [404],
    tags: ['patients'],
  },
});
