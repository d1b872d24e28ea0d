import 'server-only';
import * as examples from '@/lib/api-contract/examples';
import { trendingSchema } from '@/lib/api-contract/schemas';
import { intQuery } from '@/lib/http/schemas';
import { z } from '@/lib/http/zod';
import type { Db } from '@/lib/db/types';
import { getTrending } from '@/lib/domain';
import { defineResource } from './define';
import { tag } from './tags';

export const trending = defineResource({
  name: 'trending',
  category: 'trending',
  waits: { timeout: 200, hardTimeout: 8_000 },
  tags: (_days: 7 | 30, _limit: number) => [tag.trending],
  // Every rating changes the counts: recomputed each minute rather than dropped per rating.
  lifetime: { ttl: 60, staleWhileRevalidate: 60 },
  compute: (db: Db, days: 7 | 30, limit: number) => getTrending(db, { days, limit }),
  args: (i) => [i.query.days as 7 | 30, i.query.limit as number],
  // Both windows at the default length.
  warm: async () => [7, 30].map((days) => [days as 7 | 30, 10]),
  api: {
    operationId: 'getTrending',
    path: '/api/trending',
    query: z.strictObject({
      days: z
        .enum(['7', '30'], 'must be 7 or 30')
        .default('7')
        .transform((d) => Number(d) as 7 | 30)
        .openapi({ type: 'integer', enum: [7, 30], default: 7, description: 'Window in days', example: 30 }),
      limit: intQuery(1, 100, 10, 'How many remedies'),
    }),
    summary: 'Remedies with the most feedback in the last 7 or 30 days',
    description: 'Unknown query parameters are refused (400). Cached 1 min, then served for up to 1 min more while it is recomputed: new feedback shows within about a minute. Dropped at once when a recommendation changes.',
    response: trendingSchema,
    example: examples.trending,
    tags: ['recommendations'],
  },
});
