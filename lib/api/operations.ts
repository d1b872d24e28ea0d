import 'server-only';
import { CATEGORY_NAMES } from '@/lib/cache/categories';
import { addOperation, defineOperation, type ApiOperation } from '@/lib/http/openapi';
import { idParams } from '@/lib/http/schemas';
import { z } from '@/lib/http/zod';
import { feedbackInputSchema, recommendationPatchSchema } from '@/lib/services';
import {
  analyticsSchema,
  feedbackCreatedSchema,
  feedbackSummarySchema,
  healthSchema,
  optimizeResultSchema,
  patientAccessSchema,
  patientProfileSchema,
  predictionSchema,
  recommendationSchema,
  trendingSchema,
} from './schemas';

/**
 * Every JSON API operation in one place: the route handlers are built from these (same zod schemas for
 * parsing) and /api/openapi.json documents them.
 */

const category = z.enum(CATEGORY_NAMES as [string, ...string[]]);

/** A whole number 1..max from a query string (optionally defaulted). */
const positiveInt = (fallback?: string, max = 2_147_483_647) => {
  const digits = z.string().regex(/^[0-9]{1,10}$/, `must be a whole number from 1 to ${max}`);
  return (fallback === undefined ? digits : digits.default(fallback)).transform(Number).pipe(z.number().int().min(1, `must be a whole number from 1 to ${max}`).max(max, `must be a whole number from 1 to ${max}`));
};

export const ops = {
  predict: defineOperation({
    method: 'GET',
    path: '/api/predictions/diagnosis/{id}/predict',
    auth: 'read',
    params: idParams,
    summary: 'Recommendations for a diagnosis ranked by predicted effectiveness',
    description: 'Up to 20 most similar patients (same mizaj and condition, nearest age) weigh each candidate remedy; estimates are shrunk toward the remedy\'s global mean. Cached 24 h; dropped when feedback on any of the condition\'s recommendations arrives. Personal (one patient\'s diagnosis): `Cache-Control: private, no-cache` and `Vary: Authorization, Cookie`; revalidate with the ETag.',
    response: predictionSchema,
    cached: true,
    personal: true,
    errors: [404],
    tags: ['predictions'],
  }),
  optimize: defineOperation({
    method: 'POST',
    path: '/api/predictions/optimize',
    auth: 'write',
    body: z.object({ conditionId: z.number().int().positive().max(2_147_483_647).optional() }),
    summary: 'Recompute and store effectiveness scores (all conditions, or one)',
    response: optimizeResultSchema,
    errors: [404],
    tags: ['predictions'],
  }),
  analytics: defineOperation({
    method: 'GET',
    path: '/api/analytics/recommendation/{id}',
    auth: 'read',
    params: idParams,
    summary: 'Feedback analytics for a recommendation: histogram, by mizaj, monthly trend, adherence',
    response: analyticsSchema,
    cached: true,
    errors: [404],
    tags: ['analytics'],
  }),
  feedbackSummary: defineOperation({
    method: 'GET',
    path: '/api/feedback/recommendation/{id}/summary',
    auth: 'read',
    params: idParams,
    summary: 'Feedback summary for a recommendation',
    response: feedbackSummarySchema,
    cached: true,
    errors: [404],
    tags: ['feedback'],
  }),
  submitFeedback: defineOperation({
    method: 'POST',
    path: '/api/feedback/submit',
    auth: 'write',
    body: feedbackInputSchema,
    summary: 'Record feedback on a recommendation for a diagnosis',
    description: 'Validated and written in one transaction; drops exactly the cached answers it changes.',
    response: feedbackCreatedSchema,
    successStatus: 201,
    errors: [404],
    tags: ['feedback'],
  }),
  getRecommendation: defineOperation({
    method: 'GET',
    path: '/api/recommendations/{id}',
    auth: 'read',
    params: idParams,
    summary: 'A recommendation',
    response: recommendationSchema,
    cached: true,
    errors: [404],
    tags: ['recommendations'],
  }),
  updateRecommendation: defineOperation({
    method: 'PUT',
    path: '/api/recommendations/{id}',
    auth: 'write',
    params: idParams,
    body: recommendationPatchSchema,
    summary: 'Update a recommendation (effectiveness score, dosage, names)',
    response: recommendationSchema,
    errors: [404],
    tags: ['recommendations'],
  }),
  profile: defineOperation({
    method: 'GET',
    path: '/api/patients/{id}/profile',
    auth: 'read',
    params: idParams,
    summary: 'A patient with recent health records and diagnoses',
    description: 'Cached per caller and dropped when that user signs out. Personal: `Cache-Control: private, no-cache` and `Vary: Authorization, Cookie`; revalidate with the ETag.',
    response: patientProfileSchema,
    cached: true,
    personal: true,
    errors: [404],
    tags: ['patients'],
  }),
  trending: defineOperation({
    method: 'GET',
    path: '/api/trending',
    auth: 'read',
    query: z.object({
      days: z.enum(['7', '30']).default('7').transform((d) => Number(d) as 7 | 30),
      limit: z
        .string()
        .regex(/^[0-9]{1,3}$/, 'must be a whole number from 1 to 100')
        .default('10')
        .transform(Number)
        .pipe(z.number().int().min(1, 'must be a whole number from 1 to 100').max(100, 'must be a whole number from 1 to 100')),
    }),
    summary: 'Remedies with the most feedback in the last 7 or 30 days',
    response: trendingSchema,
    cached: true,
    tags: ['recommendations'],
  }),
  health: defineOperation({
    method: 'GET',
    path: '/api/health',
    auth: 'public',
    summary: 'Liveness and readiness: database and cache reachability (no details that help an attacker)',
    response: healthSchema,
    tags: ['operations'],
  }),
  cacheHealth: defineOperation({
    method: 'GET',
    path: '/api/cache/health',
    auth: 'read',
    summary: 'Whether the cache is up; admins also get backend, latency, last error, circuit breaker, L1 and instance id',
    response: z.record(z.string(), z.unknown()),
    tags: ['cache'],
  }),
  cacheStats: defineOperation({
    method: 'GET',
    path: '/api/cache/stats',
    auth: 'admin',
    summary: 'Per-category cache counters of this instance (hits L1/L2, misses, stale, sets, invalidations, errors, fn time)',
    response: z.record(z.string(), z.unknown()),
    tags: ['cache'],
  }),
  cacheWarm: defineOperation({
    method: 'POST',
    path: '/api/cache/warm',
    auth: 'admin',
    body: z.object({ category }),
    summary: "Fill a category's hot set (audited)",
    response: z.object({ warmed: z.number().int(), total: z.number().int(), failed: z.number().int(), aborted: z.boolean() }),
    tags: ['cache'],
  }),
  cacheInvalidate: defineOperation({
    method: 'POST',
    path: '/api/cache/invalidate',
    auth: 'admin',
    body: z.union([z.object({ category }).strict(), z.object({ tag: z.string().min(1).max(200) }).strict()]),
    summary: 'Purge a whole category or every entry carrying a tag (audited)',
    response: z.record(z.string(), z.unknown()),
    tags: ['cache'],
  }),
  patientAccess: defineOperation({
    method: 'GET',
    path: '/api/audit/patient-access',
    auth: 'admin',
    query: z.object({
      limit: positiveInt('100', 500),
      before: positiveInt().optional().openapi({ description: 'Id of the last entry of the previous page' }),
      patientId: positiveInt().optional(),
    }),
    summary: "Who viewed which patient's profile or diagnosis, when and how (API, fast path, page); newest first, kept 1 year",
    response: patientAccessSchema,
    tags: ['audit'],
  }),
  openapi: defineOperation({
    method: 'GET',
    path: '/api/openapi.json',
    auth: 'public',
    summary: 'This document',
    response: z.record(z.string(), z.unknown()),
    tags: ['operations'],
  }),
  metrics: defineOperation({
    method: 'GET',
    path: '/metrics',
    auth: 'public',
    summary: 'Prometheus metrics (text exposition format); `Authorization: Bearer <METRICS_TOKEN>`, 404 while METRICS_TOKEN is unset',
    errors: [401, 404],
    tags: ['operations'],
  }),
} satisfies Record<string, ApiOperation>;

for (const op of Object.values(ops)) addOperation(op as ApiOperation);
