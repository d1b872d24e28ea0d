import { eq, sql } from 'drizzle-orm';
import { conditions } from '@/lib/db/schema';
import { ValidationError } from '@/lib/errors';
import type { Db } from '@/lib/db/types';
import { queryRows } from '@/lib/db/rows';
import { assertId } from '../shared/validation';

/** Pseudo-ratings at the global mean added to every recommendation, so a few ratings cannot make it top or bottom. */
export const SMOOTHING_RATINGS = 10;

/**
 * Recomputes effectiveness_score = (smoothed mean rating − 1) / 4 on a 0..1 scale, where
 * smoothed mean = (Σ ratings + m·C) / (n + m), m = SMOOTHING_RATINGS, C = mean rating over all feedback
 * (3 if there is none). Only rows whose score moves by more than 0.0005 are written (and get a new
 * updated_at); returns their ids so callers can invalidate exactly those.
 */
export async function optimizeEffectiveness(db: Db, opts: { conditionId?: number } = {}): Promise<{ changedIds: number[] }> {
  if (opts.conditionId !== undefined) {
    assertId(opts.conditionId, 'conditionId');
    const [condition] = await db.select({ id: conditions.id }).from(conditions).where(eq(conditions.id, opts.conditionId)).limit(1);
    if (!condition) throw new ValidationError('Invalid conditionId', [{ path: 'conditionId', message: `condition ${opts.conditionId} does not exist` }]);
  }
  const conditionFilter = opts.conditionId === undefined ? sql`true` : sql`r.condition_id = ${opts.conditionId}`;
  const rows = await queryRows<{ id: number }>(
    db,
    sql`
      with g as (select coalesce(avg(rating)::float8, 3) as c from feedback),
      agg as (
        select f.recommendation_id as id, count(*) as n, sum(f.rating) as s
        from feedback f join recommendations r on r.id = f.recommendation_id
        where ${conditionFilter}
        group by f.recommendation_id
      ),
      scored as (
        select r.id, round(((coalesce(agg.s, 0) + ${SMOOTHING_RATINGS} * g.c) / (coalesce(agg.n, 0) + ${SMOOTHING_RATINGS}) - 1)::numeric / 4, 4)::real as score
        from recommendations r cross join g left join agg on agg.id = r.id
        where ${conditionFilter}
      )
      update recommendations r set effectiveness_score = scored.score, updated_at = now()
      from scored
      where r.id = scored.id and abs(r.effectiveness_score - scored.score) > 0.0005
      returning r.id`,
  );
  return { changedIds: rows.map((r) => r.id).sort((a, b) => a - b) };
}
