import 'server-only';
import * as examples from '@/lib/api-contract/examples';
import { recommendationId } from '@/lib/api-contract/params';
import { feedbackSummarySchema } from '@/lib/api-contract/schemas';
import { getFeedbackSummary } from '@/lib/domain';
import { defineResource } from './define';
import { hotRecommendations } from './hot-set';
import { tag } from './tags';

export const feedbackSummary = defineResource({
  name: 'feedback-summary',
  category: 'feedback',
  // An aggregation over feedback: a little longer than one row.
  waits: { timeout: 200, hardTimeout: 8_000 },
  tags: (id: number) => [tag.recommendation(id), tag.recommendationFeedback(id)],
  compute: getFeedbackSummary,
  args: (i) => [i.params.id as number],
  warm: async (db) => (await hotRecommendations(db)).map((r) => [r.id]),
  api: {
    operationId: 'getFeedbackSummary',
    path: '/api/feedback/recommendation/{id}/summary',
    params: recommendationId,
    summary: 'Feedback summary for a recommendation',
    description: 'Counts, mean, histogram and the 5 newest comments (`recentCommentsNext` continues with listFeedbackComments). Cached; dropped when feedback on it arrives.',
    response: feedbackSummarySchema,
    example: examples.feedbackSummary,
    errors: [404],
    tags: ['feedback'],
  },
});
