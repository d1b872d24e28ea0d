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

// A patient who was diagnosed with the condition and gave feedback on it (others cannot inform a prediction).
const informative = sql`exists (
  select 1 from diagnoses d
  where d.patient_id = p.id and d.condition_id = t.condition_id
    and exists (select 1 from feedback f where f.diagnosis_id = d.id))`;

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
        (select p.id as patient_id, p.birth_year::int as birth_year, (p.birth_year - t.birth_year)::int as distance
         from patients p
         where p.mizaj_type = t.mizaj_type and p.birth_year >= t.birth_year and p.id <> t.patient_id and ${informative}
         order by p.mizaj_type, p.birth_year, p.id
         limit ${sql.placeholder('limit')})
        union all
        (select p.id, p.birth_year::int, (t.birth_year - p.birth_year)::int
         from patients p
         where p.mizaj_type = t.mizaj_type and p.birth_year < t.birth_year and ${informative}
         order by p.mizaj_type desc, p.birth_year desc, p.id desc
         limit ${sql.placeholder('limit')})) n
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
 * Walks idx_patient_mizaj_birth_year (mizaj_type, birth_year, id) outwards from the birth year, upwards and
 * downwards (a lateral join, so each side is an index scan that stops after `limit` matches); on each side index
 * order equals (distance, id) order, so the global nearest `limit` are among those 2·limit rows. Each probe is an
 * index lookup (idx_diagnosis_patient, then idx_feedback_diagnosis), so the cost does not grow with the table.
 */
export async function predictionInputs(db: Db, diagnosisId: number, limit = 20): Promise<PredictionInputs | undefined> {
  const [row] = await inputs(db, { diagnosisId, limit });
  return row;
}
