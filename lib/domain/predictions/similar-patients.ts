import { sql } from 'drizzle-orm';
import type { Db } from '@/lib/db/types';
import { preparedRows } from '@/lib/db/rows';
import type { MizajType } from '@/lib/db/schema';

export type SimilarPatient = { patientId: number; birthYear: number; distance: number };

/** What a prediction is computed from, besides the condition's candidates and their priors. */
export type PredictionInputs = {
  patientId: number;
  conditionId: number;
  mizajType: MizajType;
  birthYear: number;
  /** Nearest first (ties: lower id). */
  neighbours: SimilarPatient[];
  /** Every rating the neighbours gave on this condition, oldest first (a fixed order: sums of floats depend on it). */
  ratings: { patientId: number; recommendationId: number; rating: number }[];
};

// Every prediction miss runs it: built once (lib/db/rows.ts, preparedRows), one round trip.
const inputs = preparedRows<PredictionInputs>(
  'prediction_inputs',
  sql`
    with t as (
      select d.patient_id, d.condition_id, p.mizaj_type, p.birth_year::int as birth_year
      from diagnoses d join patients p on p.id = d.patient_id
      where d.id = ${sql.placeholder('diagnosisId')}),
    near as (
      select n.* from t cross join lateral (
        (select r.patient_id, r.birth_year::int as birth_year, (r.birth_year - t.birth_year)::int as distance
         from condition_raters r
         where r.condition_id = t.condition_id and r.mizaj_type = t.mizaj_type and r.birth_year >= t.birth_year and r.patient_id <> t.patient_id
         order by r.mizaj_type, r.birth_year, r.patient_id
         limit ${sql.placeholder('limit')})
        union all
        (select r.patient_id, r.birth_year::int, (t.birth_year - r.birth_year)::int
         from condition_raters r
         where r.condition_id = t.condition_id and r.mizaj_type = t.mizaj_type and r.birth_year < t.birth_year
           and r.birth_year >= coalesce(
             (select b.birth_year from condition_raters b
              where b.condition_id = t.condition_id and b.mizaj_type = t.mizaj_type and b.birth_year < t.birth_year
              order by b.mizaj_type desc, b.birth_year desc, b.patient_id desc
              offset ${sql.placeholder('limit')}::int - 1 limit 1),
             -32768))) n
      order by n.distance, n.patient_id
      limit ${sql.placeholder('limit')})
    select t.patient_id as "patientId", t.condition_id as "conditionId", t.mizaj_type as "mizajType", t.birth_year as "birthYear",
      coalesce((select json_agg(json_build_object('patientId', n.patient_id, 'birthYear', n.birth_year, 'distance', n.distance) order by n.distance, n.patient_id)
                from near n), '[]') as neighbours,
      coalesce((select json_agg(json_build_object('patientId', d.patient_id, 'recommendationId', f.recommendation_id, 'rating', f.rating) order by f.id)
                from near n
                join diagnoses d on d.patient_id = n.patient_id and d.condition_id = t.condition_id
                join feedback f on f.diagnosis_id = d.id), '[]') as ratings
    from t`,
);

/**
 * The diagnosis's patient and condition, the `limit` patients nearest in birth year (ties: lower id) with the
 * same mizaj who were diagnosed with the condition and gave feedback on it, and their ratings on it: one
 * statement, one round trip (a miss waits for each on a busy server). Undefined when the diagnosis does not exist.
 *
 * Walks condition_raters (the condition's patients who rated a remedy for it, kept by triggers: migration 0005)
 * along its key (condition, mizaj, birth year, patient) outwards from the birth year (a lateral join, so each
 * side is an index scan that stops early). Upwards, key order is (distance, id) order: the first `limit` rows.
 * Downwards it is (distance, id descending), so that side takes every row down to the birth year of its
 * `limit`-th, ties included, and the final order picks the lower ids among them. The global nearest `limit`
 * are among those rows. Their ratings are index lookups (idx_diagnosis_patient, then idx_feedback_diagnosis),
 * so the cost does not grow with the tables.
 */
export async function predictionInputs(db: Db, diagnosisId: number, limit = 20): Promise<PredictionInputs | undefined> {
  const [row] = await inputs(db, { diagnosisId, limit });
  return row;
}
