import 'server-only';
import { jsonText } from '@/lib/cached-reads/json-resource';
import { remedyMeans as computeRemedyMeans, type RemedyMean } from '@/lib/domain';
import { defineResource } from './define';
import { tag } from './tags';

/**
 * The priors of a condition's predictions (each remedy's mean rating over everyone), kept once per condition
 * rather than recounted for every diagnosis: every rating of every candidate, the heaviest query of a
 * prediction. Like the prediction, recomputed on its lifetime (one rating moves a mean only statistically)
 * and dropped at once when a recommendation of the condition changes.
 */
export const remedyMeans = defineResource({
  name: 'remedy-means',
  category: 'predictions',
  waits: { timeout: 300, hardTimeout: 10_000 },
  tags: (conditionId: number) => [tag.conditionRecommendations(conditionId)],
  lifetime: { ttl: 300, staleWhileRevalidate: 300 },
  compute: computeRemedyMeans,
  args: (i) => [i.params.id as number],
});

/** The priors for a prediction, read through their cache entry. */
export const cachedRemedyMeans = async (conditionId: number): Promise<RemedyMean[]> => JSON.parse(jsonText(await remedyMeans.entry(conditionId))) as RemedyMean[];
