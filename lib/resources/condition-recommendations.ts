import 'server-only';
import * as examples from '@/lib/api-contract/examples';
import { conditionId } from '@/lib/api-contract/params';
import { recommendationSchema } from '@/lib/api-contract/schemas';
import { z } from '@/lib/http/zod';
import { jsonText } from '@/lib/cached-reads/json-resource';
import { listRecommendationsForCondition, type Candidate } from '@/lib/domain';
import { defineResource } from './define';
import { hotRecommendations } from './hot-set';
import { tag } from './tags';

/** What a clinician picks from for a condition: every recommendation for it, most effective first. */
export const conditionRecommendations = defineResource({
  name: 'condition-recommendations',
  category: 'recommendations',
  // One indexed query over one condition's rows: as quick as a single row.
  waits: { timeout: 100, hardTimeout: 5_000 },
  // An edit or an optimize run of any of them drops the list (lib/cached-reads/invalidations.ts, recommendationTags).
  tags: (conditionId: number) => [tag.conditionRecommendations(conditionId)],
  compute: listRecommendationsForCondition,
  args: (i) => [i.params.id as number],
  // The conditions of the hot recommendations: where clinicians are looking.
  warm: async (db) => [...new Set((await hotRecommendations(db)).map((r) => r.conditionId))].map((id) => [id]),
  api: {
    operationId: 'listConditionRecommendations',
    path: '/api/conditions/{id}/recommendations',
    params: conditionId,
    summary: "A condition's recommendations, most effective first",
    description: 'Every recommendation for the condition, by effectiveness score (highest first), then id. Cached 1 h; dropped when any of them is edited or re-scored (optimizeEffectiveness). An unknown condition is a 404.',
    response: z.array(recommendationSchema).openapi('ConditionRecommendations', { description: "A condition's recommendations, most effective first" }),
    example: [examples.recommendation, { ...examples.recommendation, id: 9, remedyCode: 'fennel', nameFa: 'رازیانه', nameEn: 'Fennel seed', nameAr: 'الشمر', effectivenessScore: 0.64 }],
    errors: [404],
    tags: ['recommendations'],
  },
});

/**
 * A prediction's candidates, read through this entry (one per condition, in L1 while its condition is looked at)
 * rather than queried on every prediction miss. Both entries carry the condition's recommendations tag, so an
 * edit drops both.
 */
export const cachedCandidates = async (conditionId: number): Promise<Candidate[]> => JSON.parse(jsonText(await conditionRecommendations.entry(conditionId))) as Candidate[];
