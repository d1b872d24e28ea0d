import { and, eq, isNotNull, sql } from 'drizzle-orm';
import { fromJsonObject, jsonPageOf } from '@/lib/db/json-selection';
import { preparedRows } from '@/lib/db/rows';
import type { Db } from '@/lib/db/types';
import { feedback } from '@/lib/db/schema';
import { getRecommendationOrThrow } from '../recommendations/get-recommendation';
import { keysetPage, newestFirst, pageOf, type Page, type PageRequest } from '../shared/keyset-page';
import { NotFoundError } from '@/lib/errors';
import { assertId, round } from '../shared/validation';

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

// Every summary miss runs it: one statement (one round trip, one backend: three statements at once went out on three
// pooled connections) saying whether the recommendation exists, its count per rating (feedback_stats rows, kept by
// triggers on feedback: migration 0006, not a count of every rating) and the first page of comments in keysetPage's
// order, one more than the page, as JSON.
const summaryRow = preparedRows<{ found: boolean; counts: { rating: number; n: number }[]; comments: Record<string, unknown>[] }>(
  'feedback_summary',
  sql`select exists (select 1 from recommendations where id = ${sql.placeholder('recommendationId')}) as found,
      coalesce((select json_agg(json_build_object('rating', value::int, 'n', n)) from feedback_stats
                where recommendation_id = ${sql.placeholder('recommendationId')} and dimension = 'rating' and n > 0), '[]') as counts,
      ${jsonPageOf(
        commentColumns,
        sql`from ${feedback} where ${feedback.recommendationId} = ${sql.placeholder('recommendationId')} and ${feedback.comment} is not null`,
        newestFirst(feedback),
        SUMMARY_COMMENTS + 1,
      )} as comments`,
);

/** A recommendation's comments, newest first, a page at a time; NotFoundError for an unknown recommendation. */
export async function listFeedbackCommentsOrThrow(db: Db, recommendationId: number, page: PageRequest): Promise<Page<FeedbackComment>> {
  await getRecommendationOrThrow(db, recommendationId);
  return commentsPage(db, recommendationId, page);
}

export async function getFeedbackSummary(db: Db, recommendationId: number): Promise<FeedbackSummary> {
  assertId(recommendationId);
  const [row] = await summaryRow(db, { recommendationId });
  if (!row?.found) throw new NotFoundError('Recommendation', recommendationId);
  const groups = row.counts;
  const recent = pageOf(
    row.comments.map((c) => withComment(fromJsonObject(commentColumns, c))),
    SUMMARY_COMMENTS,
  );
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
