import 'server-only';
import * as examples from '@/lib/api-contract/examples';
import { recommendationId } from '@/lib/api-contract/params';
import { recommendationSchema } from '@/lib/api-contract/schemas';
import { getRecommendationOrThrow } from '@/lib/domain';
import { defineResource } from './define';
import { hotRecommendations } from './hot-set';
import { tag } from './tags';

export const recommendation = defineResource({
  name: 'recommendation',
  category: 'recommendations',
  // One row by primary key: fresh within 100 ms or the database is in trouble.
  waits: { timeout: 100, hardTimeout: 5_000 },
  tags: (id: number) => [tag.recommendation(id)],
  compute: getRecommendationOrThrow,
  args: (i) => [i.params.id as number],
  warm: async (db) => (await hotRecommendations(db)).map((r) => [r.id]),
  api: {
    operationId: 'getRecommendation',
    path: '/api/recommendations/{id}',
    params: recommendationId,
    summary: 'A recommendation',
    description: 'Cached 1 h; dropped when it changes. Its ETag is what updateRecommendation needs as If-Match.',
    response: recommendationSchema,
    example: examples.recommendation,
    errors: [404],
    tags: ['recommendations'],
  },
});
