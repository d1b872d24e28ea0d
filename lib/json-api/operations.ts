import 'server-only';
import { CATEGORY_NAMES } from '@/lib/cache/categories';
import { addOperation, defineOperation, type ApiOperation } from '@/lib/http/openapi';
import { pageQuery } from '@/lib/http/schemas';
import { z } from '@/lib/http/zod';
import { feedbackInputSchema, recommendationPatchSchema } from '@/lib/domain';
import { RESOURCES } from '@/lib/resources';
import { storableText } from '@/lib/domain/shared/validation';
import {
  cacheHealthAnswerSchema,
  cacheJobSchema,
  cacheStatsSchema,
  feedbackCommentsPageSchema,
  feedbackCreatedSchema,
  healthRecordPageSchema,
  healthSchema,
  optimizeResultSchema,
  patientDiagnosisPageSchema,
  patientAccessSchema,
  recommendationSchema,
  tagPurgeResultSchema,
} from '@/lib/api-contract/schemas';
import * as examples from '@/lib/api-contract/examples';
import { feedbackId, patientId, recommendationId } from '@/lib/api-contract/params';

/**
 * Every JSON API operation but the cached GETs, which their resource declares (lib/resources): the route
 * handlers are built from these (same zod schemas for parsing) and /api/openapi.json documents them all.
 * operationIds never change: generated clients name their functions after them.
 */

const category = z.enum(CATEGORY_NAMES as [string, ...string[]]).openapi({ description: 'A cache category', example: 'analytics' });
const PAGED = 'Paginated: `limit` (1–100, default 20) and `cursor` (the previous page\'s `next`); unknown query parameters are refused (400).';

/** A whole number 1..max from a query string (optionally defaulted). */
const positiveInt = (fallback?: string, max = 2_147_483_647) => {
  const digits = z.string().regex(/^[0-9]{1,10}$/, `must be a whole number from 1 to ${max}`);
  return (fallback === undefined ? digits : digits.default(fallback)).transform(Number).pipe(z.number().int().min(1, `must be a whole number from 1 to ${max}`).max(max, `must be a whole number from 1 to ${max}`));
};

export const ops = {
  optimize: defineOperation({
    operationId: 'optimizeEffectiveness',
    method: 'POST',
    path: '/api/predictions/optimize',
    auth: 'write',
    body: z
      .object({ conditionId: z.number().int().positive().max(2_147_483_647).optional().openapi({ description: 'Only this condition; omit for all', example: 3 }) })
      .openapi({ description: 'What to recompute' }),
    bodyExample: { conditionId: 3 },
    summary: 'Recompute and store effectiveness scores (all conditions, or one)',
    description: 'effectiveness = (smoothed mean rating − 1) / 4; only scores that move are written, and only their cached answers dropped. An unknown `conditionId` is a 400 on `body.conditionId`.',
    response: optimizeResultSchema,
    example: { changedIds: [7, 9] },
    write: { idempotent: true },
    tags: ['predictions'],
  }),
  feedbackComments: defineOperation({
    operationId: 'listFeedbackComments',
    method: 'GET',
    path: '/api/feedback/recommendation/{id}/comments',
    auth: 'read',
    params: recommendationId,
    query: pageQuery,
    summary: "A recommendation's comments, newest first",
    description: `${PAGED} Not cached on the server; the ETag makes a repeated read a 304.`,
    response: feedbackCommentsPageSchema,
    example: { items: examples.feedbackSummary.recentComments, next: 'djE6MTIzNA' },
    httpCache: 'validated',
    errors: [404],
    tags: ['feedback'],
  }),
  submitFeedback: defineOperation({
    operationId: 'submitFeedback',
    method: 'POST',
    path: '/api/feedback/submit',
    auth: 'write',
    body: feedbackInputSchema.describe('A rating of a recommendation for a diagnosis'),
    bodyExample: { recommendationId: 7, diagnosisId: 12, rating: 4, adherence: 80, sideEffects: null, comment: 'Sleeps better' },
    summary: 'Record feedback on a recommendation for a diagnosis',
    description:
      'Validated and written in one transaction; drops exactly the cached answers it changes. A reference that does not exist or does not fit (a recommendation for another condition) is a 400 naming the field (`body.recommendationId`). Answers 201 with `Location` and the new `ETag`.',
    response: feedbackCreatedSchema,
    example: examples.feedback,
    successStatus: 201,
    write: { idempotent: true, etag: true, location: '/api/feedback/{feedbackId}' },
    tags: ['feedback'],
  }),
  getFeedback: defineOperation({
    operationId: 'getFeedback',
    method: 'GET',
    path: '/api/feedback/{id}',
    auth: 'read',
    params: feedbackId,
    summary: 'A stored feedback (where submitFeedback\'s Location points)',
    description: 'The same body and ETag submitFeedback answered.',
    response: feedbackCreatedSchema,
    example: examples.feedback,
    httpCache: 'validated',
    personal: true,
    errors: [404],
    tags: ['feedback'],
  }),
  updateRecommendation: defineOperation({
    operationId: 'updateRecommendation',
    method: 'PUT',
    path: '/api/recommendations/{id}',
    auth: 'write',
    params: recommendationId,
    body: recommendationPatchSchema.meta({ description: 'The fields to change (at least one)', minProperties: 1 }),
    bodyExample: { effectivenessScore: 0.82, dosage: '1 g twice a day after meals' },
    summary: 'Update a recommendation (effectiveness score, dosage, names)',
    description:
      'Needs `If-Match` with the ETag from getRecommendation (or `*`): checked against the row inside the write transaction, so of two clinicians editing from the same version one gets 412 instead of silently overwriting the other. Without If-Match: 428. Answers the new representation and its ETag.',
    response: recommendationSchema,
    example: examples.recommendation,
    write: { ifMatch: true, idempotent: true, etag: true },
    errors: [404],
    tags: ['recommendations'],
  }),
  healthRecords: defineOperation({
    operationId: 'listHealthRecords',
    method: 'GET',
    path: '/api/patients/{id}/health-records',
    auth: 'read',
    params: patientId,
    query: pageQuery,
    summary: "A patient's health records, newest first",
    description: `${PAGED} Not cached on the server; the ETag makes a repeated read a 304.`,
    response: healthRecordPageSchema,
    example: { items: examples.profile.healthRecords, next: null },
    httpCache: 'validated',
    personal: true,
    errors: [404],
    tags: ['patients'],
  }),
  patientDiagnoses: defineOperation({
    operationId: 'listPatientDiagnoses',
    method: 'GET',
    path: '/api/patients/{id}/diagnoses',
    auth: 'read',
    params: patientId,
    query: pageQuery,
    summary: "A patient's diagnoses, newest first",
    description: `${PAGED} Not cached on the server; the ETag makes a repeated read a 304.`,
    response: patientDiagnosisPageSchema,
    example: { items: examples.profile.diagnoses, next: null },
    httpCache: 'validated',
    personal: true,
    errors: [404],
    tags: ['patients'],
  }),
  health: defineOperation({
    operationId: 'getHealth',
    method: 'GET',
    path: '/api/health',
    auth: 'public',
    summary: 'Liveness and readiness: database and cache reachability',
    description: 'No details that help an attacker. 200 while the database answers (a cache problem only degrades), 503 with the same body when it does not.',
    response: healthSchema,
    example: { status: 'ok', database: { ok: true, kind: 'postgres', latencyMs: 0.8 }, cache: { ok: true, backend: 'redis', breaker: 'closed' } },
    unavailableIsSuccessShape: true,
    tags: ['operations'],
  }),
  cacheHealth: defineOperation({
    operationId: 'getCacheHealth',
    method: 'GET',
    path: '/api/cache/health',
    auth: 'read',
    summary: 'Whether the cache is up; admins also get backend, latency, last error, circuit breaker, L1 and instance id',
    description: 'State of the instance that answered. Anyone but an admin gets `{"status": "up"|"down"}` only.',
    response: cacheHealthAnswerSchema,
    example: examples.cacheHealth,
    tags: ['cache'],
  }),
  cacheStats: defineOperation({
    operationId: 'getCacheStats',
    method: 'GET',
    path: '/api/cache/stats',
    auth: 'admin',
    summary: 'Per-category cache counters of this instance',
    description: 'Hits (L1/L2), misses, stale served, sets, invalidations, errors and computation time, since the instance started.',
    response: cacheStatsSchema,
    example: examples.cacheStats,
    tags: ['cache'],
  }),
  cacheWarm: defineOperation({
    operationId: 'warmCacheCategory',
    method: 'POST',
    path: '/api/cache/warm',
    auth: 'admin',
    body: z.object({ category }).openapi({ description: 'The category to warm' }),
    bodyExample: { category: 'analytics' },
    summary: "Start filling a category's hot set in the background (audited)",
    description: 'Computes and stores the entries most likely to be read (recent diagnoses\' predictions, top recommendations…) in a background job of the instance that answered; poll `GET /api/cache/jobs/{id}` on that instance for progress. Recorded in the admin audit log.',
    response: cacheJobSchema,
    successStatus: 202,
    example: { id: '0b9e6c1e-3f4a-4b8e-9a61-6f2d1c7e5a10', kind: 'warm', category: 'analytics', status: 'running', startedAt: 1795700000000, progress: { scanned: 0, deleted: 0, done: 12, total: 40, failed: 0 } },
    tags: ['cache'],
  }),
  cacheInvalidate: defineOperation({
    operationId: 'invalidateCache',
    method: 'POST',
    path: '/api/cache/invalidate',
    auth: 'admin',
    body: z
      .union([
        z.object({ category }).strict().openapi({ description: 'Purge a whole category' }),
        z.object({ tag: storableText().min(1).max(200).openapi({ description: 'A tag (lib/resources/tags.ts)', example: 'rec:7' }) }).strict().openapi({ description: 'Drop every entry carrying a tag' }),
      ])
      .openapi({ description: 'Either a category or a tag' }),
    bodyExample: { category: 'analytics' },
    summary: 'Purge a whole category (202, a background job) or every entry carrying a tag (200) (audited)',
    description: 'A category: invalidated (O(1)) before the 202, then its keys are freed by a background job of the instance that answered (poll `GET /api/cache/jobs/{id}`). A tag: invalidated at once (O(1)); 200 names it. Recorded in the admin audit log.',
    response: cacheJobSchema,
    successStatus: 202,
    example: { id: '0b9e6c1e-3f4a-4b8e-9a61-6f2d1c7e5a10', kind: 'purge', category: 'analytics', status: 'running', startedAt: 1795700000000, progress: { scanned: 0, deleted: 0, done: 12, total: 40, failed: 0 } },
    alsoAnswers: [{ status: 200, description: 'A tag was invalidated', response: tagPurgeResultSchema, example: { tag: 'rec:7', receivers: 1 } }],
    tags: ['cache'],
  }),
  cacheJob: defineOperation({
    operationId: 'getCacheJob',
    method: 'GET',
    path: '/api/cache/jobs/{id}',
    auth: 'admin',
    params: z.strictObject({ id: z.uuid().openapi({ description: 'The id a 202 answered' }) }),
    summary: 'A background cache job (warm or purge): status and progress',
    description: 'Jobs live in the instance that started them: ask the instance that answered the 202.',
    response: cacheJobSchema,
    example: { id: '0b9e6c1e-3f4a-4b8e-9a61-6f2d1c7e5a10', kind: 'warm', category: 'analytics', status: 'done', startedAt: 1795700000000, progress: { scanned: 0, deleted: 0, done: 40, total: 40, failed: 0 } },
    errors: [404],
    tags: ['cache'],
  }),
  patientAccess: defineOperation({
    operationId: 'listPatientAccess',
    method: 'GET',
    path: '/api/audit/patient-access',
    auth: 'admin',
    query: z.object({
      limit: positiveInt('100', 500),
      before: positiveInt().optional().openapi({ description: 'Id of the last entry of the previous page' }),
      patientId: positiveInt().optional(),
    }),
    summary: "Who viewed which patient's profile or diagnosis, when and how; newest first",
    description: 'Every view of a patient\'s profile or a diagnosis through the API, the fast path or a page, written in batches off the request path and kept 1 year. Page with `before` (the `nextBefore` of the previous page).',
    response: patientAccessSchema,
    example: { items: [{ id: 41, viewer: 'user:12', viewerLabel: 'clinician@example.com', patientId: 7, resource: 'profile', via: 'api', viewedAt: '2026-11-20T09:30:00.000Z' }], nextBefore: null },
    tags: ['audit'],
  }),
  openapi: defineOperation({
    operationId: 'getOpenApiDocument',
    method: 'GET',
    path: '/api/openapi.json',
    auth: 'public',
    summary: 'This document',
    description: 'OpenAPI 3.1, generated from the zod schemas the handlers parse with.',
    response: z.record(z.string(), z.unknown()).openapi({ description: 'An OpenAPI 3.1 document' }),
    example: { openapi: '3.1.0', info: { title: 'Mizaj API', version: '1.0.0' }, paths: {} },
    tags: ['operations'],
  }),
  metrics: defineOperation({
    operationId: 'getMetrics',
    method: 'GET',
    path: '/metrics',
    auth: 'public',
    summary: 'Prometheus metrics (text exposition format); `Authorization: Bearer <METRICS_TOKEN>`, 404 while METRICS_TOKEN is unset',
    description: 'HTTP, cache and process metrics of the instance that answered.',
    response: z.string().openapi({ description: 'Prometheus text format 0.0.4', example: '# HELP mizaj_cache_hits_total Cache hits\n' }),
    example: '# HELP mizaj_cache_hits_total Cache hits\n# TYPE mizaj_cache_hits_total counter\nmizaj_cache_hits_total{category="analytics",layer="l1"} 90\n',
    responseContentType: 'text/plain; version=0.0.4; charset=utf-8',
    errors: [401, 404],
    tags: ['operations'],
  }),
} satisfies Record<string, ApiOperation>;

/** Every operation the API serves: the declared resources' GETs, then the rest. */
export const API_OPERATIONS: readonly ApiOperation[] = [...RESOURCES.flatMap((r) => (r.op ? [r.op] : [])), ...(Object.values(ops) as ApiOperation[])];

for (const op of API_OPERATIONS) addOperation(op);
