import { sql } from 'drizzle-orm';
import type { Db } from '@/lib/db/types';
import { preparedRows } from '@/lib/db/rows';
import type { MizajType } from '@/lib/db/schema';

export type SimilarPatient = { patientId: number; birthYear: number; distance: number };

const informative = sql`exists (
  select 1 from diagnoses d
  where d.patient_id = p.id and d.condition_id = ${sql.placeholder('conditionId')}
    and exists (select 1 from feedback f where f.diagnosis_id = d.id))`;

// Every prediction miss runs it: built once (lib/db/rows.ts, preparedRows).
const nearest = preparedRows<SimilarPatient>(
  'similar_patients',
  sql`
    (select p.id as "patientId", p.birth_year::int as "birthYear", (p.birth_year - ${sql.placeholder('birthYear')})::int as distance
     from patients p
     where p.mizaj_type = ${sql.placeholder('mizajType')} and p.birth_year >= ${sql.placeholder('birthYear')} and p.id <> ${sql.placeholder('patientId')}
       and ${informative}
     order by p.mizaj_type, p.birth_year, p.id
     limit ${sql.placeholder('limit')})
    union all
    (select p.id, p.birth_year::int, (${sql.placeholder('birthYear')} - p.birth_year)::int
     from patients p
     where p.mizaj_type = ${sql.placeholder('mizajType')} and p.birth_year < ${sql.placeholder('birthYear')}
       and ${informative}
     order by p.mizaj_type desc, p.birth_year desc, p.id desc
     limit ${sql.placeholder('limit')})`,
);

/**
 * The `limit` patients nearest in birth year (ties: lower id) with the same mizaj who were diagnosed with the
 * condition and gave feedback on it (others cannot inform a prediction).
 *
 * Walks idx_patient_mizaj_birth_year (mizaj_type, birth_year, id) outwards from the birth year, upwards and
 * downwards, each side stopping after `limit` matches; on each side index order equals (distance, id) order,
 * so the global nearest `limit` are among those 2·limit rows. Each probe is an index lookup
 * (idx_diagnosis_patient, then idx_feedback_diagnosis), so the cost does not grow with the table.
 */
export async function findSimilarPatients(
  db: Db,
  target: { patientId: number; mizajType: MizajType; birthYear: number; conditionId: number },
  limit = 20,
): Promise<SimilarPatient[]> {
  const rows = await nearest(db, { ...target, limit });
  return rows.sort((a, b) => a.distance - b.distance || a.patientId - b.patientId).slice(0, limit);
}
