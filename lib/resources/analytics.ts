import 'server-only';
import * as examples from '@/lib/api-contract/examples';
import { recommendationId } from '@/lib/api-contract/params';
import { analyticsSchema } from '@/lib/api-contract/schemas';
import type { Db } from '@/lib/db/types';
import { getRecommendationAnalytics } from '@/lib/domain';
import { defineResource } from './define';
import { hotRecommendations } from './hot-set';
import { tag } from './tags';

export const analytics = defineResource({
  name: 'analytics',
  category: 'analytics',
  // An aggregation over feedback: a little longer than one row.
  waits: { timeout: 200, hardTimeout: 8_000 },
  tags: (id: number) => [tag.recommendation(id), tag.recommendationFeedback(id)],
  compute: (db: Db, id: number) => getRecommendationAnalytics(db, id),
  args: (i) => [i.params.id as number],
  warm: async (db) => (await hotRecommendations(db)).map((r) => [r.id]),
  api: {
    operationId: 'getRecommendationAnalytics',
    path: '/api/analytics/recommendation/{id}',
    params: recommendationId,
    summary: 'Feedback analytics for a recommendation: histogram, by mizaj, monthly trend, adherence',
    description: 'Cached 30 min; dropped when feedback on this recommendation arrives or it changes.',
    response: analyticsSchema,
    example: examples.analytics,
    errors: [404],
    tags: ['analytics'],
  },
});
