import { sql } from 'drizzle-orm';
import type { Db } from '@/lib/db/types';
import { queryRows } from '@/lib/db/rows';
import type { MizajType } from '@/lib/db/schema';

export type SimilarPatient = { patientId: number; birthYear: number; distance: number };

/**
 * The `limit` patients nearest in birth year with the same mizaj who were diagnosed with the condition and gave
 * feedback on it (others cannot inform a prediction). Searches a widening birth-year window over
 * idx_patient_mizaj_birth_year: everyone outside a window of ±w is farther than everyone inside, so once a
 * window holds `limit` matches its nearest `limit` are the global answer.
 */
export async function findSimilarPatients(
  db: Db,
  target: { patientId: number; mizajType: MizajType; birthYear: number; conditionId: number },
  limit = 20,
): Promise<SimilarPatient[]> {
  for (let w = 2; ; w *= 3) {
    const rows = await queryRows<SimilarPatient>(
      db,
      sql`
        select p.id as "patientId", p.birth_year::int as "birthYear", abs(p.birth_year - ${target.birthYear})::int as distance
        from patients p
        where p.mizaj_type = ${target.mizajType}
          and p.birth_year between ${target.birthYear - w} and ${target.birthYear + w}
          and p.id <> ${target.patientId}
          and exists (
            select 1 from diagnoses d join feedback f on f.diagnosis_id = d.id
            where d.patient_id = p.id and d.condition_id = ${target.conditionId})
        order by distance, p.id
        limit ${limit}`,
    );
    // Birth years span < 200 years, so w ≥ 200 has covered everyone.
    if (rows.length >= limit || w >= 200) return rows;
  }
}
