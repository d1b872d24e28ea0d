import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '@/lib/db/types';
import { diagnoses, feedback, recommendations } from '@/lib/db/schema';
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
 * Validates and stores one feedback in a single transaction. References in the body that do not exist, or do
 * not fit together, are ValidationErrors on that field (the request is malformed, nothing is "not found" at
 * the URL). On any error nothing is written.
 */
export async function submitFeedback(db: Db, input: unknown): Promise<SubmitFeedbackResult> {
  const data = parseOrThrow(feedbackInputSchema, input, 'feedback');
  return db.transaction(async (tx) => {
    // FOR SHARE keeps the diagnosis and recommendation from being deleted or re-pointed until we commit.
    const [diagnosis] = await tx
      .select({ id: diagnoses.id, patientId: diagnoses.patientId, conditionId: diagnoses.conditionId })
      .from(diagnoses)
      .where(eq(diagnoses.id, data.diagnosisId))
      .for('share');
    const [rec] = await tx
      .select({ id: recommendations.id, conditionId: recommendations.conditionId })
      .from(recommendations)
      .where(eq(recommendations.id, data.recommendationId))
      .for('share');

    const issues: { path: string; message: string }[] = [];
    if (!rec) issues.push({ path: 'recommendationId', message: `recommendation ${data.recommendationId} does not exist` });
    if (!diagnosis) issues.push({ path: 'diagnosisId', message: `diagnosis ${data.diagnosisId} does not exist` });
    if (rec && diagnosis && rec.conditionId !== diagnosis.conditionId) {
      issues.push({ path: 'recommendationId', message: `recommendation ${rec.id} is not for the condition of diagnosis ${diagnosis.id}` });
    }
    if (diagnosis && data.patientId !== undefined && data.patientId !== diagnosis.patientId) {
      issues.push({ path: 'patientId', message: `diagnosis ${diagnosis.id} belongs to another patient` });
    }
    if (issues.length || !rec || !diagnosis) throw new ValidationError('Invalid feedback', issues);

    const [row] = await tx
      .insert(feedback)
      .values({
        recommendationId: rec.id,
        diagnosisId: diagnosis.id,
        patientId: diagnosis.patientId,
        rating: data.rating,
        adherence: data.adherence,
        sideEffects: data.sideEffects,
        comment: data.comment,
      })
      .returning({ id: feedback.id, createdAt: feedback.createdAt });
    if (!row) throw new Error('insert into feedback returned no row');
    return {
      feedbackId: row.id,
      recommendationId: rec.id,
      diagnosisId: diagnosis.id,
      patientId: diagnosis.patientId,
      conditionId: diagnosis.conditionId,
      createdAt: row.createdAt,
    };
  });
}
