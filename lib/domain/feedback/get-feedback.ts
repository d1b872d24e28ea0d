import { eq } from 'drizzle-orm';
import type { Db } from '@/lib/db/types';
import { feedback, recommendations } from '@/lib/db/schema';
import { NotFoundError } from '@/lib/errors';
import { assertId } from '../shared/validation';
import type { SubmitFeedbackResult } from './submit-feedback';

/**
 * A stored feedback as submitFeedback answered it (same fields, same order, so the same ETag): where a
 * client's 201 Location points.
 */
export async function getFeedbackOrThrow(db: Db, id: number): Promise<SubmitFeedbackResult> {
  assertId(id);
  const [row] = await db
    .select({
      feedbackId: feedback.id,
      recommendationId: feedback.recommendationId,
      diagnosisId: feedback.diagnosisId,
      patientId: feedback.patientId,
      conditionId: recommendations.conditionId,
      createdAt: feedback.createdAt,
    })
    .from(feedback)
    .innerJoin(recommendations, eq(recommendations.id, feedback.recommendationId))
    .where(eq(feedback.id, id))
    .limit(1);
  if (!row) throw new NotFoundError('Feedback', id);
  return row;
}
