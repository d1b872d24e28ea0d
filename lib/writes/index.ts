import 'server-only';
import { inArray } from 'drizzle-orm';
import { invalidateTags } from '@/lib/cache';
import { getDb } from '@/lib/db/client';
import { recommendations } from '@/lib/db/schema';
import { optimizeEffectiveness, submitFeedback, updateRecommendation } from '@/lib/services';
import { feedbackTags, recommendationTags } from '@/lib/reads/invalidations';
import { assertRecommendationMatches } from './if-match';

/**
 * Writes shared by the API and the web UI: change the data, then drop exactly the cached answers that
 * depended on it. If Redis cannot record the invalidation, invalidateTags throws ServiceUnavailableError
 * (the caller answers 503); the cache keeps it and applies it before it reads Redis again.
 */

export async function recordFeedback(input: unknown) {
  const result = await submitFeedback(await getDb(), input);
  await invalidateTags(feedbackTags(result));
  return result;
}

/** `ifMatch` is checked against the row inside the same transaction as the update (lib/writes/if-match.ts). */
export async function editRecommendation(id: number, patch: unknown, ifMatch: string) {
  const updated = await (await getDb()).transaction(async (tx) => {
    await assertRecommendationMatches(tx, id, ifMatch);
    return updateRecommendation(tx, id, patch);
  });
  await invalidateTags(recommendationTags(updated));
  return updated;
}

export async function optimizeScores(conditionId?: number) {
  const db = await getDb();
  const result = await optimizeEffectiveness(db, conditionId === undefined ? {} : { conditionId });
  if (result.changedIds.length > 0) {
    const changed = await db
      .select({ id: recommendations.id, conditionId: recommendations.conditionId })
      .from(recommendations)
      .where(inArray(recommendations.id, result.changedIds));
    await invalidateTags([...new Set(changed.flatMap(recommendationTags))]);
  }
  return result;
}
