import { and, desc, eq, isNotNull, sql } from 'drizzle-orm';
import type { Db } from '@/lib/db/types';
import { feedback } from '@/lib/db/schema';
import { getRecommendationOrThrow } from '../recommendations/get-recommendation';
import { round } from '../shared/validation';

export type FeedbackSummary = {
  recommendationId: number;
  count: number;
  meanRating: number | null;
  /** Count of each rating, index 0 = rating 1. */
  histogram: [number, number, number, number, number];
  /** Latest comments, with nothing that identifies the patient. */
  recentComments: { id: number; rating: number; comment: string; createdAt: Date }[];
};

export async function getFeedbackSummary(db: Db, recommendationId: number, opts: { recentLimit?: number } = {}): Promise<FeedbackSummary> {
  await getRecommendationOrThrow(db, recommendationId);
  const limit = Math.min(Math.max(0, Math.trunc(opts.recentLimit ?? 5)), 50);
  const [groups, recent] = await Promise.all([
    // Grouped on (recommendation_id, rating): an index-only scan of idx_feedback_recommendation_rating.
    db
      .select({ rating: feedback.rating, n: sql<number>`count(*)::int` })
      .from(feedback)
      .where(eq(feedback.recommendationId, recommendationId))
      .groupBy(feedback.rating),
    db
      .select({ id: feedback.id, rating: feedback.rating, comment: feedback.comment, createdAt: feedback.createdAt })
      .from(feedback)
      .where(and(eq(feedback.recommendationId, recommendationId), isNotNull(feedback.comment)))
      .orderBy(desc(feedback.createdAt), desc(feedback.id))
      .limit(limit),
  ]);
  const histogram: FeedbackSummary['histogram'] = [0, 0, 0, 0, 0];
  let count = 0;
  let sum = 0;
  for (const g of groups) {
    histogram[g.rating - 1] = g.n;
    count += g.n;
    sum += g.rating * g.n;
  }
  return {
    recommendationId,
    count,
    meanRating: count ? round(sum / count) : null,
    histogram,
    recentComments: recent.map((r) => ({ ...r, comment: r.comment ?? '' })),
  };
}
