import { asc, desc, eq, sql } from 'drizzle-orm';
import { prepared } from '@/lib/db/prepared';
import type { Db } from '@/lib/db/types';
import { conditions, recommendations } from '@/lib/db/schema';
import { NotFoundError } from '@/lib/errors';
import { assertId } from '../shared/validation';

export type Recommendation = typeof recommendations.$inferSelect;

const recommendationById = prepared((db) =>
  db.select().from(recommendations).where(eq(recommendations.id, sql.placeholder('id'))).limit(1).prepare('recommendation_by_id'),
);
export async function getRecommendationOrThrow(db: Db, id: number): Promise<Recommendation> {
  assertId(id);
  const [row] = await recommendationById(db).execute({ id });
  if (!row) throw new NotFoundError('Recommendation', id);
  return row;
}

/** A condition's recommendations, most effective first; NotFoundError for an unknown condition. */
export async function listRecommendationsForCondition(db: Db, conditionId: number): Promise<Recommendation[]> {
  assertId(conditionId, 'conditionId');
  const [condition] = await db.select({ id: conditions.id }).from(conditions).where(eq(conditions.id, conditionId)).limit(1);
  if (!condition) throw new NotFoundError('Condition', conditionId);
  return db
    .select()
    .from(recommendations)
    .where(eq(recommendations.conditionId, conditionId))
    .orderBy(desc(recommendations.effectivenessScore), asc(recommendations.id));
}

/** The highest-scoring recommendations overall (walks idx_recommendation_effectiveness); for warming and the UI. */
export async function listTopRecommendations(db: Db, limit = 20): Promise<Recommendation[]> {
  return db
    .select()
    .from(recommendations)
    .orderBy(desc(recommendations.effectivenessScore), asc(recommendations.id))
    .limit(Math.min(Math.max(1, Math.trunc(limit)), 500));
}
