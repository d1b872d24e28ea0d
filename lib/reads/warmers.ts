import 'server-only';
import { desc } from 'drizzle-orm';
import { getCache } from '@/lib/cache';
import { getDb } from '@/lib/db/client';
import { diagnoses } from '@/lib/db/schema';
import { listTopRecommendations } from '@/lib/services';
import { analyticsResource, feedbackSummaryResource, predictionsResource, recommendationResource, trendingResource } from './resources';

const HOT_RECOMMENDATIONS = 50;
const RECENT_DIAGNOSES = 200;

const registered = Symbol.for('mizaj.warmers');
type Holder = { [registered]?: object };

/**
 * The hot set of each category, registered once per cache instance: top recommendations (and their
 * analytics and summaries), predictions of the most recent diagnoses, and both trending windows.
 */
export function registerWarmers(): void {
  const cache = getCache();
  const holder = globalThis as Holder;
  if (holder[registered] === cache) return;
  holder[registered] = cache;

  const topIds = async () => (await listTopRecommendations(await getDb(), HOT_RECOMMENDATIONS)).map((r) => r.id);
  cache.registerWarmer('recommendations', async () => (await topIds()).map((id) => () => recommendationResource(id)));
  cache.registerWarmer('analytics', async () => (await topIds()).map((id) => () => analyticsResource(id)));
  cache.registerWarmer('feedback', async () => (await topIds()).map((id) => () => feedbackSummaryResource(id)));
  cache.registerWarmer('trending', () => [() => trendingResource(7, 10), () => trendingResource(30, 10)]);
  cache.registerWarmer('predictions', async () => {
    const db = await getDb();
    const recent = await db
      .select({ id: diagnoses.id, conditionId: diagnoses.conditionId })
      .from(diagnoses)
      .orderBy(desc(diagnoses.createdAt))
      .limit(RECENT_DIAGNOSES);
    return recent.map((d) => () => predictionsResource(d.id, d.conditionId));
  });
}
