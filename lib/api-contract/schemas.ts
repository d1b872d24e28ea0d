import 'server-only';
import { MIZAJ_TYPES, RECOMMENDATION_KINDS } from '@/lib/db/schema';
import { z } from '@/lib/http/zod';

/** Response shapes of the JSON API, for OpenAPI. They describe what lib/domain return once JSON-encoded. */

const mizaj = z.enum(MIZAJ_TYPES).openapi('MizajType', {
  description: 'Temperament: garm_tar hot-wet (damavi), garm_khoshk hot-dry (safravi), sard_tar cold-wet (balghami), sard_khoshk cold-dry (saudavi), motadel balanced',
});
const kind = z.enum(RECOMMENDATION_KINDS).openapi('RecommendationKind', { description: 'What kind of remedy' });
const int = (description: string) => z.number().int().openapi({ description });
const id = (what: string) => z.number().int().min(1).openapi({ description: `Id of the ${what}` });
const isoDate = (description: string) => z.string().openapi({ format: 'date-time', description });
const mean = z.number().nullable().openapi({ description: 'Mean rating 1–5; null without feedback' });
const histogram = z.array(z.number().int()).length(5).openapi({ description: 'Count of ratings 1..5 (index 0 = rating 1)' });
const names = {
  nameFa: z.string().openapi({ description: 'Name in Persian' }),
  nameEn: z.string().openapi({ description: 'Name in English' }),
  nameAr: z.string().openapi({ description: 'Name in Arabic' }),
};
const next = z.string().nullable().openapi({ description: 'Cursor of the next page (pass it as `cursor`); null on the last page', example: 'djE6MTIzNA' });

/** `{ items, next }`: one page of a list that grows, newest first. */
const page = <T extends z.ZodType>(item: T, name: string, description: string) =>
  z.object({ items: z.array(item).openapi({ description: 'Newest first' }), next }).openapi(name, { description });

export const recommendationSchema = z
  .object({
    id: id('recommendation'),
    conditionId: id('condition it treats'),
    remedyCode: z.string().openapi({ description: 'Stable code of the remedy', example: 'ginger' }),
    kind,
    ...names,
    dosage: z.string().openapi({ description: 'Typical dosage, free text' }),
    temperament: mizaj,
    effectivenessScore: z.number().openapi({ description: 'Effectiveness 0..1: (smoothed mean rating − 1) / 4, or a value set by a clinician' }),
    updatedAt: isoDate('Last change'),
  })
  .openapi('Recommendation', { description: 'A remedy recommended for a condition' });

export const analyticsSchema = z
  .object({
    recommendationId: id('recommendation'),
    count: int('Number of feedback entries'),
    meanRating: mean,
    histogram,
    byMizaj: z.array(z.object({ mizajType: mizaj, count: int('Feedback from patients of this mizaj'), meanRating: mean })).openapi({ description: 'Per patient temperament' }),
    monthly: z.array(z.object({ month: z.string().openapi({ description: 'Calendar month (UTC)', example: '2026-11' }), count: int('Feedback that month'), meanRating: mean })).openapi({ description: 'Monthly trend, oldest first' }),
    adherence: z
      .object({
        mean: z.number().nullable().openapi({ description: 'Mean share of the course followed, 0–100 %; null without feedback' }),
        buckets: z.array(z.object({ bucket: z.string().openapi({ description: 'Adherence band in %', example: '75-100' }), count: int('Feedback in this band') })).openapi({ description: 'Adherence bands' }),
      })
      .openapi({ description: 'How closely patients followed the course' }),
  })
  .openapi('RecommendationAnalytics', { description: 'Feedback analytics for one recommendation' });

const comment = z
  .object({
    id: id('feedback'),
    rating: int('Rating 1–5'),
    comment: z.string().openapi({ description: 'The comment (nothing that identifies the patient)' }),
    createdAt: isoDate('When it was given'),
  })
  .openapi('FeedbackComment', { description: 'A comment on a recommendation' });

export const feedbackSummarySchema = z
  .object({
    recommendationId: id('recommendation'),
    count: int('Number of feedback entries'),
    meanRating: mean,
    histogram,
    recentComments: z.array(comment).openapi({ description: 'The 5 newest comments; page through the rest with listFeedbackComments' }),
    recentCommentsNext: next,
  })
  .openapi('FeedbackSummary', { description: 'Feedback summary for one recommendation' });

export const feedbackCommentsPageSchema = page(comment, 'FeedbackCommentPage', 'A page of comments on a recommendation');

export const predictionSchema = z
  .object({
    diagnosisId: id('diagnosis'),
    patientId: id('patient'),
    conditionId: id('condition'),
    mizajType: mizaj,
    similarPatients: z
      .object({
        count: int('Similar patients found (at most 20)'),
        birthYearMin: z.number().int().nullable().openapi({ description: 'Oldest similar patient' }),
        birthYearMax: z.number().int().nullable().openapi({ description: 'Youngest similar patient' }),
      })
      .openapi({ description: 'Patients of the same mizaj and condition, nearest in age' }),
    predictions: z
      .array(
        z.object({
          recommendationId: id('recommendation'),
          remedyCode: z.string().openapi({ description: 'Stable code of the remedy' }),
          kind,
          ...names,
          temperament: mizaj,
          predictedRating: z.number().openapi({ description: 'Predicted rating 1–5 for this patient' }),
          predictedEffectiveness: z.number().openapi({ description: 'Predicted rating on the 0..1 effectiveness scale' }),
          confidence: z.number().openapi({ description: 'Confidence 0..1 (grows with n)' }),
          n: int('Ratings of similar patients behind the estimate'),
          globalMean: z.number().nullable().openapi({ description: 'Mean rating over all patients; null without feedback' }),
          globalCount: int('Ratings over all patients'),
        }),
      )
      .openapi({ description: 'Candidate remedies, best predicted first' }),
    recommendationIds: z.array(z.number().int()).openapi({ description: 'The condition\'s recommendations this prediction used' }),
  })
  .openapi('DiagnosisPrediction', { description: 'Recommendations for a diagnosis ranked by predicted effectiveness' });

export const trendingSchema = z
  .array(
    z.object({
      recommendationId: id('recommendation'),
      remedyCode: z.string().openapi({ description: 'Stable code of the remedy' }),
      conditionId: id('condition'),
      ...names,
      temperament: mizaj,
      count: int('Feedback in the window'),
      meanRating: z.number().openapi({ description: 'Mean rating in the window' }),
    }),
  )
  .openapi('Trending', { description: 'Remedies with the most feedback in the window, most first' });

const healthRecordBase = {
  id: id('health record'),
  patientId: id('patient'),
  createdAt: isoDate('When it was recorded'),
};

export const healthRecordSchema = z
  .discriminatedUnion('kind', [
    z.object({
      ...healthRecordBase,
      kind: z.literal('vitals').openapi({ description: 'Vital signs' }),
      data: z
        .object({
          heartRate: int('Beats per minute'),
          systolic: int('mmHg'),
          diastolic: int('mmHg'),
          temperatureC: z.number().openapi({ description: '°C' }),
          weightKg: z.number().openapi({ description: 'kg' }),
        })
        .openapi({ description: 'Vital signs' }),
    }),
    z.object({
      ...healthRecordBase,
      kind: z.literal('pulse').openapi({ description: 'Pulse examination' }),
      data: z
        .object({
          speed: z.enum(['fast', 'moderate', 'slow']).openapi({ description: 'Pulse speed' }),
          strength: z.enum(['strong', 'moderate', 'weak']).openapi({ description: 'Pulse strength' }),
          skin: z.enum(['soft', 'dry', 'normal']).openapi({ description: 'Skin to the touch' }),
        })
        .openapi({ description: 'Pulse and skin as a Persian-medicine examination records them' }),
    }),
    z.object({
      ...healthRecordBase,
      kind: z.literal('lifestyle').openapi({ description: 'Habits' }),
      data: z
        .object({
          sleepHours: z.number().openapi({ description: 'Hours a night' }),
          exerciseMinutesPerWeek: int('Minutes a week'),
          diet: z.enum(['balanced', 'high_meat', 'vegetarian', 'irregular']).openapi({ description: 'Usual diet' }),
        })
        .openapi({ description: 'Habits' }),
    }),
  ])
  .openapi('HealthRecord', { description: 'One health record; `kind` says the shape of `data`' });

export const patientDiagnosisSchema = z
  .object({
    id: id('diagnosis'),
    conditionId: id('condition'),
    conditionCode: z.string().openapi({ description: 'Stable code of the condition', example: 'migraine' }),
    conditionNameFa: z.string().openapi({ description: 'Condition name in Persian' }),
    conditionNameEn: z.string().openapi({ description: 'Condition name in English' }),
    conditionNameAr: z.string().openapi({ description: 'Condition name in Arabic' }),
    clinicianId: z.number().int().nullable().openapi({ description: 'The clinician who made it, if recorded' }),
    notes: z.string().nullable().openapi({ description: 'Clinical notes' }),
    createdAt: isoDate('When it was made'),
  })
  .openapi('PatientDiagnosis', { description: 'A diagnosis with its condition' });

export const patientProfileSchema = z
  .object({
    patient: z
      .object({
        id: id('patient'),
        name: z.string().openapi({ description: 'Full name' }),
        mizajType: mizaj,
        birthYear: int('Year of birth'),
        sex: z.enum(['f', 'm']).openapi({ description: 'f or m' }),
        createdAt: isoDate('When the patient was registered'),
      })
      .openapi({ description: 'The patient' }),
    healthRecords: z.array(healthRecordSchema).openapi({ description: 'The 10 newest health records; page through the rest with listHealthRecords' }),
    healthRecordsNext: next,
    diagnoses: z.array(patientDiagnosisSchema).openapi({ description: 'The 20 newest diagnoses; page through the rest with listPatientDiagnoses' }),
    diagnosesNext: next,
  })
  .openapi('PatientProfile', { description: 'A patient with the first page of health records and diagnoses' });

export const healthRecordPageSchema = page(healthRecordSchema, 'HealthRecordPage', "A page of a patient's health records");
export const patientDiagnosisPageSchema = page(patientDiagnosisSchema, 'PatientDiagnosisPage', "A page of a patient's diagnoses");

export const feedbackCreatedSchema = z
  .object({
    feedbackId: id('feedback'),
    recommendationId: id('recommendation'),
    diagnosisId: id('diagnosis'),
    patientId: id('patient (from the diagnosis)'),
    conditionId: id('condition'),
    createdAt: isoDate('When it was stored'),
  })
  .openapi('Feedback', { description: 'A stored feedback and what it is about' });

export const optimizeResultSchema = z
  .object({ changedIds: z.array(z.number().int()).openapi({ description: 'Recommendations whose score moved by more than 0.0005, ascending' }) })
  .openapi('OptimizeResult', { description: 'What the recomputation changed' });

export const healthSchema = z
  .object({
    status: z.enum(['ok', 'degraded']).openapi({ description: '`ok` when the database and the cache answer' }),
    database: z
      .object({ ok: z.boolean().openapi({ description: 'It answered' }), kind: z.enum(['postgres', 'pglite']).openapi({ description: 'PostgreSQL, or embedded PGlite' }), latencyMs: z.number().openapi({ description: 'Round trip of a trivial query' }) })
      .openapi({ description: 'The database' }),
    cache: z
      .object({ ok: z.boolean().openapi({ description: 'It answered' }), backend: z.enum(['redis', 'cluster', 'sentinel', 'memory']).openapi({ description: 'Where cached entries live' }), breaker: z.enum(['closed', 'open', 'half-open']).openapi({ description: 'Circuit breaker in front of Redis' }) })
      .openapi({ description: 'The cache store' }),
  })
  .openapi('Health', { description: 'Liveness and readiness' });

export const cacheHealthSchema = z
  .object({
    enabled: z.boolean().openapi({ description: 'CACHE_ENABLED' }),
    backend: z.enum(['redis', 'cluster', 'sentinel', 'memory']).openapi({ description: 'Where cached entries live' }),
    reachable: z.boolean().openapi({ description: 'The store answered a PING' }),
    latencyMs: z.number().nullable().openapi({ description: 'PING round trip; null when unreachable' }),
    error: z.string().optional().openapi({ description: 'Why the store is unreachable' }),
    breaker: z.enum(['closed', 'open', 'half-open']).openapi({ description: 'Circuit breaker in front of the store' }),
    bus: z.enum(['connecting', 'connected', 'disconnected', 'disabled']).openapi({ description: 'Pub/sub that keeps other instances\' L1 coherent' }),
    l1: z
      .object({ enabled: z.boolean().openapi({ description: 'An L1 is in use' }), entries: int('Entries held'), bytes: int('Bytes held'), maxBytes: int('Byte budget') })
      .openapi({ description: 'The in-process cache of this instance' }),
    pendingInvalidations: int('Invalidations waiting for Redis to come back'),
    instanceId: z.string().openapi({ description: 'This instance' }),
  })
  .openapi('CacheHealth', { description: 'State of the cache on the instance that answered' });

/** Admins get the whole state; anyone else whether the cache answers (no error text, no instance id). */
export const cacheHealthAnswerSchema = z
  .union([cacheHealthSchema, z.object({ status: z.enum(['up', 'down']) }).openapi('CacheUpDown', { description: 'For non-admins: whether the cache answers' })])
  .openapi('CacheHealthAnswer');

const counters = {
  hitsL1: int('Hits in this instance\'s L1'),
  hitsL2: int('Hits in the shared store'),
  misses: int('Misses (computed)'),
  staleServed: int('Stale values served while refreshing'),
  sets: int('Values stored'),
  invalidations: int('Invalidations applied'),
  errors: int('Store errors'),
  oversize: int('Values too large to store'),
  bypass: int('Reads that bypassed the cache'),
  refreshes: int('Background refreshes'),
  refreshErrors: int('Failed background refreshes'),
  fnErrors: int('Computations that threw'),
};

const categoryStats = z
  .object({
    ...counters,
    hits: int('hitsL1 + hitsL2 + staleServed'),
    hitRate: z.number().openapi({ description: 'hits / (hits + misses); 0 when idle' }),
    fnTime: z
      .object({
        count: int('Computations timed'),
        sumMs: z.number().openapi({ description: 'Total milliseconds' }),
        p95Ms: z.number().openapi({ description: 'Upper bound of the bucket holding the 95th percentile' }),
        buckets: z.array(z.object({ le: z.number().nullable().openapi({ description: 'Upper bound in ms; null for +Inf' }), count: int('Computations at most that long') })).openapi({ description: 'Cumulative counts per upper bound (ms)' }),
      })
      .openapi({ description: 'Time spent computing values' }),
  })
  .openapi('CacheCategoryStats', { description: 'Counters of one category' });

export const cacheStatsSchema = z
  .object({
    since: z.number().openapi({ description: 'When counting started (ms since the epoch)' }),
    categories: z.record(z.string(), categoryStats).openapi({ description: 'Per category' }),
    totals: categoryStats,
    tagInvalidations: int('Tag invalidations'),
  })
  .openapi('CacheStats', { description: 'Counters of the instance that answered' });

export const tagPurgeResultSchema = z
  .object({ tag: z.string().openapi({ description: 'The tag invalidated' }), receivers: int('Other instances told to drop their L1 entries') })
  .openapi('TagPurgeResult', { description: 'A tag invalidation (done when answered)' });

export const cacheJobSchema = z
  .object({
    id: z.string().openapi({ description: 'Job id (GET /api/cache/jobs/{id})' }),
    kind: z.enum(['purge', 'warm']),
    category: z.string().openapi({ description: 'The category it works on' }),
    status: z.enum(['running', 'done', 'stopped', 'failed']),
    startedAt: z.number().int().openapi({ description: 'Epoch ms' }),
    finishedAt: z.number().int().optional().openapi({ description: 'Epoch ms, once it ended' }),
    progress: z
      .object({ scanned: z.number().int(), deleted: z.number().int(), done: z.number().int(), total: z.number().int(), failed: z.number().int() })
      .openapi({ description: 'Purge: keys scanned and deleted; warm: entries done of total, failed' }),
    error: z.string().optional().openapi({ description: 'Why it failed' }),
  })
  .openapi('CacheJob', { description: 'A background cache job of the instance that started it (warm or purge)' });

export const patientAccessSchema = z
  .object({
    items: z.array(
      z.object({
        id: z.number().int(),
        viewer: z.string().openapi({ example: 'user:12', description: "'user:<id>' or 'key:<id>'" }),
        viewerLabel: z.string().openapi({ description: "The user's email or the API key's name" }),
        patientId: z.number().int(),
        resource: z.string().openapi({ example: 'diagnosis:31', description: "'profile' or 'diagnosis:<id>'" }),
        via: z.enum(['api', 'fast-path', 'page']),
        viewedAt: isoDate('When it was viewed'),
      }),
    ),
    nextBefore: z.number().int().nullable().openapi({ description: 'Pass as `before` for the next page; null at the end' }),
  })
  .openapi('PatientAccessLog');
