import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { preparedRows } from '@/lib/db/rows';
import type { Db } from '@/lib/db/types';
import { ValidationError } from '@/lib/errors';
import { idSchema, parseOrThrow, storableText } from '../shared/validation';

const optionalText = (max: number) =>
  storableText()
    .trim()
    .max(max, `must be at most ${max} characters`)
    .nullish()
    .transform((v) => (v ? v : null));

/** The body of POST /api/feedback/submit; the API reuses it for parsing and OpenAPI. */
export const feedbackInputSchema = z
  .object({
    recommendationId: idSchema.describe('The recommendation rated; it must be for the condition of the diagnosis'),
    diagnosisId: idSchema.describe('The diagnosis it was given for'),
    patientId: idSchema.optional().describe('Optional: derived from the diagnosis; when given it must match'),
    rating: z.number().int('must be a whole number').min(1, 'must be between 1 and 5').max(5, 'must be between 1 and 5').describe('How well it worked, 1–5'),
    adherence: z.number().int('must be a whole number').min(0, 'must be between 0 and 100').max(100, 'must be between 0 and 100').describe('Share of the course followed, 0–100 %'),
    sideEffects: optionalText(500).describe('Side effects noticed, if any'),
    comment: optionalText(2000).describe('Free comment (shown in the summary without the patient)'),
  })
  .strict();

export type FeedbackInput = z.input<typeof feedbackInputSchema>;

/** The created row and everything it touched, so a caller can invalidate exactly what changed. */
export type SubmitFeedbackResult = {
  feedbackId: number;
  recommendationId: number;
  diagnosisId: number;
  patientId: number;
  conditionId: number;
  createdAt: Date;
};

/**
 * Validates and stores one feedback in ONE statement: atomic on its own (no transaction, so inside the write
 * door's it adds no savepoint), and one round trip, which is what a write waits for on a busy server. The
 * diagnosis and recommendation are read FOR SHARE, which keeps them from being deleted or re-pointed until
 * the caller commits; the row is inserted only when they exist and fit together. References in the body
 * that do not exist, or do not fit, are ValidationErrors on that field (the request is malformed, nothing is
 * "not found" at the URL). On any error nothing is written.
 */
export async function submitFeedback(db: Db, input: unknown): Promise<SubmitFeedbackResult> {
  const data = parseOrThrow(feedbackInputSchema, input, 'feedback');
  const [row] = await insertFeedback(db, {
    diagnosisId: data.diagnosisId,
    recommendationId: data.recommendationId,
    patientId: data.patientId ?? null,
    rating: data.rating,
    adherence: data.adherence,
    sideEffects: data.sideEffects,
    comment: data.comment,
  });
  if (!row) throw new Error('the feedback statement returned no row');
  if (row.feedback_id !== null && row.patient_id !== null && row.condition_id !== null) {
    return {
      feedbackId: row.feedback_id,
      recommendationId: data.recommendationId,
      diagnosisId: data.diagnosisId,
      patientId: row.patient_id,
      conditionId: row.condition_id,
      // postgres-js hands timestamptz over as text (drizzle turns its parser off), PGlite as a Date.
      createdAt: row.created_at instanceof Date ? row.created_at : new Date(row.created_at),
    };
  }
  throw new ValidationError('Invalid feedback', issuesOf(data, row));
}

const insertFeedback = preparedRows<StatementRow>(
  'feedback_submit',
  sql`
    with d as (select id, patient_id, condition_id from diagnoses where id = ${sql.placeholder('diagnosisId')} for share),
         r as (select id, condition_id from recommendations where id = ${sql.placeholder('recommendationId')} for share),
         ins as (
           insert into feedback (recommendation_id, diagnosis_id, patient_id, rating, adherence, side_effects, comment)
           select r.id, d.id, d.patient_id, ${sql.placeholder('rating')}::smallint, ${sql.placeholder('adherence')}::smallint, ${sql.placeholder('sideEffects')}::text, ${sql.placeholder('comment')}::text
           from d join r on r.condition_id = d.condition_id
           where ${sql.placeholder('patientId')}::int is null or d.patient_id = ${sql.placeholder('patientId')}::int
           returning id, created_at)
    select d.patient_id, d.condition_id, r.condition_id as rec_condition_id, ins.id as feedback_id, ins.created_at
    from (values (1)) as one (x) left join d on true left join r on true left join ins on true`,
);

/** One row whatever happened: a column is null where its row does not exist (or nothing was inserted). */
type StatementRow = {
  patient_id: number | null;
  condition_id: number | null;
  rec_condition_id: number | null;
  feedback_id: number | null;
  created_at: string | Date;
};

function issuesOf(data: z.output<typeof feedbackInputSchema>, row: StatementRow): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  const hasRec = row.rec_condition_id !== null;
  const hasDiagnosis = row.condition_id !== null;
  if (!hasRec) issues.push({ path: 'recommendationId', message: `recommendation ${data.recommendationId} does not exist` });
  if (!hasDiagnosis) issues.push({ path: 'diagnosisId', message: `diagnosis ${data.diagnosisId} does not exist` });
  if (hasRec && hasDiagnosis && row.rec_condition_id !== row.condition_id) {
    issues.push({ path: 'recommendationId', message: `recommendation ${data.recommendationId} is not for the condition of diagnosis ${data.diagnosisId}` });
  }
  if (hasDiagnosis && data.patientId !== undefined && data.patientId !== row.patient_id) {
    issues.push({ path: 'patientId', message: `diagnosis ${data.diagnosisId} belongs to another patient` });
  }
  return issues;
}
