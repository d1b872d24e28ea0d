import 'server-only';
import * as examples from '@/lib/api-contract/examples';
import { patientId } from '@/lib/api-contract/params';
import { patientProfileSchema } from '@/lib/api-contract/schemas';
import { getPatientProfileOrThrow } from '@/lib/domain';
import { defineResource } from './define';
import { tag, viewerKey } from './tags';

/** Patient data is cached per viewer (user or API key) and dropped when that viewer signs out. */
export const profile = defineResource({
  name: 'profile',
  category: 'profile',
  waits: { timeout: 150, hardTimeout: 5_000 },
  tags: (patientId: number, viewer: string) => [tag.patient(patientId), tag.viewer(viewer)],
  compute: getPatientProfileOrThrow,
  args: (i) => [i.params.id as number, viewerKey(i.identity)],
  patientView: (i) => ({ patientId: i.params.id as number, resource: 'profile' }),
  api: {
    operationId: 'getPatientProfile',
    path: '/api/patients/{id}/profile',
    params: patientId,
    summary: 'A patient with the newest health records and diagnoses',
    description:
      'Embeds the first page of each list (10 health records, 20 diagnoses); `healthRecordsNext` / `diagnosesNext` continue with listHealthRecords / listPatientDiagnoses. Cached per caller and dropped when that user signs out.',
    response: patientProfileSchema,
    example: examples.profile,
    personal: true,
    errors: [404],
    tags: ['patients'],
  },
});
