import { sql } from 'drizzle-orm';
import type { Db } from '@/lib/db/types';
import { preparedRows } from '@/lib/db/rows';
import { FEEDBACK_STATS_DIMENSIONS, MIZAJ_TYPES, type MizajType } from '@/lib/db/schema';
import { NotFoundError } from '@/lib/errors';
import { lastMonths } from '../shared/months';
import { assertId, round } from '../shared/validation';

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

type Row = { dimension: (typeof FEEDBACK_STATS_DIMENSIONS)[number]; value: string; n: number; mean: number; adherence: number };

// Every analytics miss runs it: built once (lib/db/rows.ts, preparedRows), one statement that also says whether the
// recommendation exists (one round trip, one backend: two statements at once went out on two pooled connections).
// The means are divided as avg() divides (numeric, then float8), as when the ratings themselves were aggregated.
const statsRows = preparedRows<{ found: boolean } & ({ dimension: null } | Row)>(
  'recommendation_analytics',
  sql`
    select r.id is not null as found, s.dimension, s.value, s.n,
           (s.rating_sum::numeric / s.n)::float8 as mean, (s.adherence_sum::numeric / s.n)::float8 as adherence
    from (values (1)) as one (x)
      left join recommendations r on r.id = ${sql.placeholder('recommendationId')}
      left join feedback_stats s on s.recommendation_id = r.id and s.n > 0`,
);

/**
 * Every figure from the recommendation's rows of feedback_stats (counts and sums per rating, mizaj, month and
 * adherence bucket, kept by triggers on feedback: migration 0006), then shaped in JS.
 */
export async function getRecommendationAnalytics(db: Db, recommendationId: number, opts: { now?: Date } = {}): Promise<RecommendationAnalytics> {
  assertId(recommendationId);
  const { keys } = lastMonths(opts.now ?? new Date(), 12);
  const found = await statsRows(db, { recommendationId });
  if (!found[0]?.found) throw new NotFoundError('Recommendation', recommendationId);
  const rows = found.filter((r): r is { found: boolean } & Row => r.dimension !== null);

  let total: Row | undefined;
  const histogram: RecommendationAnalytics['histogram'] = [0, 0, 0, 0, 0];
  const mizaj = new Map<string, Row>();
  const month = new Map<string, Row>();
  const bucket = new Map<string, number>();
  for (const r of rows) {
    if (r.dimension === 'total') total = r;
    else if (r.dimension === 'rating') histogram[Number(r.value) - 1] = r.n;
    else if (r.dimension === 'mizaj') mizaj.set(r.value, r);
    else if (r.dimension === 'month') month.set(r.value, r);
    else bucket.set(r.value, r.n);
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
