import { and, eq, isNotNull, sql } from 'drizzle-orm';
import { prepared } from '@/lib/db/prepared';
import { preparedRows } from '@/lib/db/rows';
import type { Db } from '@/lib/db/types';
import { feedback } from '@/lib/db/schema';
import { getRecommendationOrThrow } from '../recommendations/get-recommendation';
import { keysetPage, newestFirst, pageOf, type Page, type PageRequest } from '../shared/keyset-page';
import { round } from '../shared/validation';

export type FeedbackSummary = {
  recommendationId: number;
  count: number;
  meanRating: number | null;
  /** Count of each rating, index 0 = rating 1. */
  histogram: [number, number, number, number, number];
  /** Latest comments, with nothing that identifies the patient (first page). */
  recentComments: FeedbackComment[];
  /** Cursor of the next page of comments, null when there is none. */
  recentCommentsNext: string | null;
};

export type FeedbackComment = { id: number; rating: number; comment: string; createdAt: Date };

/** How many comments a summary embeds; the rest is paged through listFeedbackCommentsOrThrow. */
export const SUMMARY_COMMENTS = 5;

const commentColumns = { id: feedback.id, rating: feedback.rating, comment: feedback.comment, createdAt: feedback.createdAt };
const withComment = (r: { id: number; rating: number; comment: string | null; createdAt: Date }): FeedbackComment => ({ ...r, comment: r.comment ?? '' });

const commentsPage = (db: Db, recommendationId: number, page: PageRequest): Promise<Page<FeedbackComment>> =>
  keysetPage(feedback, 'feedback', and(eq(feedback.recommendationId, recommendationId), isNotNull(feedback.comment))!, page, async (where, orderBy, limit) =>
    (await db.select(commentColumns).from(feedback).where(where).orderBy(...orderBy).limit(limit)).map(withComment),
  );

// Every summary miss runs both: prepared once (lib/db/prepared.ts, lib/db/rows.ts), the comments in keysetPage's order.
// The counts per rating are feedback_stats rows (kept by triggers on feedback: migration 0006), not a count of
// every rating of the recommendation.
const ratingCounts = preparedRows<{ rating: number; n: number }>(
  'feedback_rating_counts',
  sql`select value::int as rating, n from feedback_stats
      where recommendation_id = ${sql.placeholder('recommendationId')} and dimension = 'rating' and n > 0`,
);
const firstComments = prepared((db) =>
  db
    .select(commentColumns)
    .from(feedback)
    .where(and(eq(feedback.recommendationId, sql.placeholder('recommendationId')), isNotNull(feedback.comment)))
    .orderBy(...newestFirst(feedback))
    .limit(SUMMARY_COMMENTS + 1)
    .prepare('feedback_summary_comments'),
);

/** A recommendation's comments, newest first, a page at a time; NotFoundError for an unknown recommendation. */
export async function listFeedbackCommentsOrThrow(db: Db, recommendationId: number, page: PageRequest): Promise<Page<FeedbackComment>> {
  await getRecommendationOrThrow(db, recommendationId);
  return commentsPage(db, recommendationId, page);
}

export async function getFeedbackSummary(db: Db, recommendationId: number): Promise<FeedbackSummary> {
  // Side by side, as analytics does: for an unknown recommendation the other two find nothing.
  const [, groups, recent] = await Promise.all([
    getRecommendationOrThrow(db, recommendationId),
    ratingCounts(db, { recommendationId }),
    firstComments(db)
      .execute({ recommendationId })
      .then((rows) => pageOf(rows.map(withComment), SUMMARY_COMMENTS)),
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
    recentComments: recent.items,
    recentCommentsNext: recent.next,
  };
}
