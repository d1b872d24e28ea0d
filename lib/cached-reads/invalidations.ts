import type { SubmitFeedbackResult } from '@/lib/domain';
import { tag } from '@/lib/resources/tags';

/** What one feedback row changes: its recommendation's analytics and summary, and the patient's profile. */
export function feedbackTags(r: Pick<SubmitFeedbackResult, 'recommendationId' | 'conditionId' | 'patientId'>): string[] {
  // Not trending nor the condition's predictions: aggregates over every rating, recomputed on their own
  // short lifetime (lib/resources/trending.ts, prediction.ts, docs/cache.md). Dropped by each rating, under
  // steady feedback nearly every read of them was a computation.
  return [tag.recommendationFeedback(r.recommendationId), tag.patient(r.patientId)];
}

/** What an edit of a recommendation changes: the row, its condition's lists and predictions, trending. */
export function recommendationTags(r: { id: number; conditionId: number }): string[] {
  return [tag.recommendation(r.id), tag.conditionRecommendations(r.conditionId), tag.trending];
}
