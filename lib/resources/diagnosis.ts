import 'server-only';
import { getDiagnosisOrThrow } from '@/lib/domain/diagnoses';
import { defineResource } from './define';
import { tag } from './tags';

/** A diagnosis with its patient and condition: the clinician's diagnosis page. */
export const diagnosis = defineResource({
  name: 'diagnosis',
  category: 'predictions',
  // One row by primary key: fresh within 100 ms or the database is in trouble.
  waits: { timeout: 100, hardTimeout: 5_000 },
  tags: (id: number) => [tag.diagnosis(id)],
  compute: getDiagnosisOrThrow,
  args: (i) => [i.params.id as number],
});
