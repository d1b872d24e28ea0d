import { sql } from 'drizzle-orm';
import type { Db } from '@/lib/db/types';
import { preparedRows } from '@/lib/db/rows';
import { MIZAJ_TYPES, type MizajType } from '@/lib/db/schema';
import { getRecommendationOrThrow } from '../recommendations/get-recommendation';
import { lastMonths } from '../shared/months';
import { round } from '../shared/validation';

export const ADHERENCE_BUCKETS = ['0-24', '25-49', '50-74', '75-100'] as const;
export type AdherenceBucket = (typeof ADHERENCE_BUCKETS)[number];

export type RecommendationAnalytics = {
  recommendationId: number;
  count: number;
  /** Mean rating 1..5, null without feedback; 3 decimals. */
  meanRating: number | null;
  /** Count of each rating, index 0 = rating 1. */
  histogram: [number, number, number, number, number];
  /** Ratings grouped by the rating patient's mizaj when they rated (copied onto each feedback row). */
  byMizaj: { mizajType: MizajType; count: number; meanRating: number | null }[];
  /** The last 12 calendar months (UTC), oldest first, empty months included. */
  monthly: { month: string; count: number; meanRating: number | null }[];
  adherence: { mean: number | null; buckets: { bucket: AdherenceBucket; count: number }[] };
};

type Row = { g: number; rating: number | null; mizaj: MizajType | null; month: string | null; bucket: AdherenceBucket | null; n: number; mean: number; adherence: number };

// grouping(rating, mizaj, month, bucket) is a bitmask with a 1 for each column absent from the row's set.
const SET_TOTAL = 0b1111;
const SET_RATING = 0b0111;
const SET_MIZAJ = 0b1011;
const SET_MONTH = 0b1101;
const SET_BUCKET = 0b1110;

// Every analytics miss runs it: built once (lib/db/rows.ts, preparedRows).
const analyticsRows = preparedRows<Row>(
  'recommendation_analytics',
  sql`
    select grouping(f.rating, f.mizaj_type, x.month, x.bucket)::int as g,
           f.rating::int as rating, f.mizaj_type as mizaj, x.month, x.bucket,
           count(*)::int as n, avg(f.rating)::float8 as mean, avg(f.adherence)::float8 as adherence
    -- An index-only scan of idx_feedback_recommendation_analytics: the mizaj is the feedback row's own copy.
    from feedback f
    cross join lateral (
      select case when f.created_at >= ${sql.placeholder('start')}::timestamptz
                  then to_char(f.created_at at time zone 'UTC', 'YYYY-MM') end as month,
             case when f.adherence < 25 then '0-24' when f.adherence < 50 then '25-49'
                  when f.adherence < 75 then '50-74' else '75-100' end as bucket
    ) x
    where f.recommendation_id = ${sql.placeholder('recommendationId')}
    group by grouping sets ((), (f.rating), (f.mizaj_type), (x.month), (x.bucket))`,
);

/** Every figure in one pass over the recommendation's feedback (GROUPING SETS), then shaped in JS. */
export async function getRecommendationAnalytics(db: Db, recommendationId: number, opts: { now?: Date } = {}): Promise<RecommendationAnalytics> {
  await getRecommendationOrThrow(db, recommendationId);
  const { keys, start } = lastMonths(opts.now ?? new Date(), 12);
  const rows = await analyticsRows(db, { recommendationId, start: start.toISOString() });

  const total = rows.find((r) => r.g === SET_TOTAL);
  const histogram: RecommendationAnalytics['histogram'] = [0, 0, 0, 0, 0];
  const mizaj = new Map<string, Row>();
  const month = new Map<string, Row>();
  const bucket = new Map<string, number>();
  for (const r of rows) {
    if (r.g === SET_RATING && r.rating !== null) histogram[r.rating - 1] = r.n;
    else if (r.g === SET_MIZAJ && r.mizaj) mizaj.set(r.mizaj, r);
    else if (r.g === SET_MONTH && r.month) month.set(r.month, r);
    else if (r.g === SET_BUCKET && r.bucket) bucket.set(r.bucket, r.n);
  }
  const mean = (r: Row | undefined) => (r && r.n > 0 ? round(r.mean) : null);
  return {
    recommendationId,
    count: total?.n ?? 0,
    meanRating: mean(total),
    histogram,
    byMizaj: MIZAJ_TYPES.map((m) => ({ mizajType: m, count: mizaj.get(m)?.n ?? 0, meanRating: mean(mizaj.get(m)) })),
    monthly: keys.map((k) => ({ month: k, count: month.get(k)?.n ?? 0, meanRating: mean(month.get(k)) })),
    adherence: {
      mean: total && total.n > 0 ? round(total.adherence, 1) : null,
      buckets: ADHERENCE_BUCKETS.map((b) => ({ bucket: b, count: bucket.get(b) ?? 0 })),
    },
  };
}
