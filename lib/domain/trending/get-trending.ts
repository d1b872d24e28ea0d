import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '@/lib/db/types';
import { queryRows } from '@/lib/db/rows';
import type { MizajType } from '@/lib/db/schema';
import { parseOrThrow, round } from '../shared/validation';

export const trendingInputSchema = z.object({
  days: z.union([z.literal(7), z.literal(30)]).default(7),
  limit: z.number().int().min(1).max(100).default(10),
});

export type TrendingItem = {
  recommendationId: number;
  remedyCode: string;
  conditionId: number;
  nameFa: string;
  nameEn: string;
  nameAr: string;
  temperament: MizajType;
  count: number;
  meanRating: number;
};

/** Recommendations with the most feedback in the last `days` days (ties: higher mean, then id). */
export async function getTrending(db: Db, input: { days?: 7 | 30; limit?: number; now?: Date } = {}): Promise<TrendingItem[]> {
  const { days, limit } = parseOrThrow(trendingInputSchema, { days: input.days, limit: input.limit }, 'trending query');
  const since = new Date((input.now ?? new Date()).getTime() - days * 86_400_000);
  // Aggregate first (a range scan of idx_feedback_created), then join the few winners for their names.
  return queryRows<TrendingItem>(
    db,
    sql`
      with t as (
        select recommendation_id as id, count(*)::int as n, avg(rating)::float8 as mean
        from feedback where created_at >= ${since.toISOString()}::timestamptz
        group by recommendation_id
        order by n desc, mean desc, recommendation_id
        limit ${limit}
      )
      select r.id as "recommendationId", r.remedy_code as "remedyCode", r.condition_id as "conditionId",
             r.name_fa as "nameFa", r.name_en as "nameEn", r.name_ar as "nameAr", r.temperament,
             t.n as count, t.mean as "meanRating"
      from t join recommendations r on r.id = t.id
      order by t.n desc, t.mean desc, r.id`,
  ).then((rows) => rows.map((r) => ({ ...r, meanRating: round(r.meanRating) })));
}
