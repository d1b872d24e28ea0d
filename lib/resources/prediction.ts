import 'server-only';
import * as examples from '@/lib/api-contract/examples';
import { diagnosisId } from '@/lib/api-contract/params';
import { predictionSchema } from '@/lib/api-contract/schemas';
import { jsonHead } from '@/lib/cached-reads/json-resource';
import { predictForDiagnosis } from '@/lib/domain';
import { defineResource } from './define';
import { recentDiagnoses } from './hot-set';
import { cachedCandidates } from './condition-recommendations';
import { cachedRemedyMeans } from './remedy-means';
import { tag } from './tags';

/**
 * Keyed by diagnosis: a change of the diagnosis or of its condition's recommendations drops it. The condition
 * comes from the computation's first statement, so its tag is added then (before the condition's candidates
 * and priors are read): a request needs no other entry first. New ratings move the ranking only
 * statistically: they reach it on its 5-minute lifetime, not by dropping it per rating.
 */
export const prediction = defineResource({
  name: 'predictions',
  category: 'predictions',
  // Similar patients + weighted means: the heaviest read; a day-old ranking beats a spinner.
  waits: { timeout: 300, hardTimeout: 10_000 },
  tags: (diagnosisId: number) => [tag.diagnosis(diagnosisId)],
  lifetime: { ttl: 300, staleWhileRevalidate: 300 },
  computeFrom: ({ db, addTags }, diagnosisId: number) =>
    predictForDiagnosis(db, diagnosisId, {
      means: cachedRemedyMeans,
      candidates: cachedCandidates,
      condition: (conditionId) => addTags([tag.conditionRecommendations(conditionId)]),
    }),
  args: (i) => [i.params.id as number],
  warm: async (db) => (await recentDiagnoses(db)).map((d) => [d.id]),
  // patientId is the body's second field: no need to parse the whole prediction on a hit.
  patientView: (i, found) => {
    const m = /"patientId":(\d+)/.exec(jsonHead(found.value).slice(0, 200));
    return m ? { patientId: Number(m[1]), resource: `diagnosis:${i.params.id as number}` } : null;
  },
  api: {
    operationId: 'predictForDiagnosis',
    path: '/api/predictions/diagnosis/{id}/predict',
    params: diagnosisId,
    summary: 'Recommendations for a diagnosis ranked by predicted effectiveness',
    description:
      "Up to 20 most similar patients (same mizaj and condition, nearest age) weigh each candidate remedy; estimates are shrunk toward the remedy's global mean. Cached 5 min, then served for up to 5 min more while it is recomputed: new feedback reaches the ranking within minutes. Dropped at once when the diagnosis or a recommendation of its condition changes.",
    response: predictionSchema,
    example: examples.prediction,
    personal: true,
    errors: [404],
    tags: ['predictions'],
  },
});
