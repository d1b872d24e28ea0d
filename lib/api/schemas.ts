import 'server-only';
import { MIZAJ_TYPES, RECOMMENDATION_KINDS } from '@/lib/db/schema';
import { z } from '@/lib/http/zod';

/** Response shapes of the JSON API, for OpenAPI. They describe what lib/services return once JSON-encoded. */

const mizaj = z.enum(MIZAJ_TYPES).openapi('MizajType');
const isoDate = z.string().openapi({ format: 'date-time' });
const mean = z.number().nullable().openapi({ description: 'Mean rating 1–5; null without feedback' });
const histogram = z.array(z.number().int()).length(5).openapi({ description: 'Count of ratings 1..5 (index 0 = rating 1)' });
const names = { nameFa: z.string(), nameEn: z.string(), nameAr: z.string() };

export const recommendationSchema = z
  .object({
    id: z.number().int(),
    conditionId: z.number().int(),
    remedyCode: z.string(),
    kind: z.enum(RECOMMENDATION_KINDS),
    ...names,
    dosage: z.string(),
    temperament: mizaj,
    effectivenessScore: z.number().openapi({ description: '0..1' }),
    updatedAt: isoDate,
  })
  .openapi('Recommendation');

export const analyticsSchema = z
  .object({
    recommendationId: z.number().int(),
    count: z.number().int(),
    meanRating: mean,
    histogram,
    byMizaj: z.array(z.object({ mizajType: mizaj, count: z.number().int(), meanRating: mean })),
    monthly: z.array(z.object({ month: z.string().openapi({ example: '2026-11' }), count: z.number().int(), meanRating: mean })),
    adherence: z.object({ mean: z.number().nullable(), buckets: z.array(z.object({ bucket: z.string(), count: z.number().int() })) }),
  })
  .openapi('RecommendationAnalytics');

export const feedbackSummarySchema = z
  .object({
    recommendationId: z.number().int(),
    count: z.number().int(),
    meanRating: mean,
    histogram,
    recentComments: z.array(z.object({ id: z.number().int(), rating: z.number().int(), comment: z.string(), createdAt: isoDate })),
  })
  .openapi('FeedbackSummary');

export const predictionSchema = z
  .object({
    diagnosisId: z.number().int(),
    patientId: z.number().int(),
    conditionId: z.number().int(),
    mizajType: mizaj,
    similarPatients: z.object({ count: z.number().int(), birthYearMin: z.number().int().nullable(), birthYearMax: z.number().int().nullable() }),
    predictions: z.array(
      z.object({
        recommendationId: z.number().int(),
        remedyCode: z.string(),
        kind: z.enum(RECOMMENDATION_KINDS),
        ...names,
        temperament: mizaj,
        predictedRating: z.number(),
        predictedEffectiveness: z.number(),
        confidence: z.number(),
        n: z.number().int(),
        globalMean: z.number().nullable(),
        globalCount: z.number().int(),
      }),
    ),
    recommendationIds: z.array(z.number().int()),
  })
  .openapi('DiagnosisPrediction');

export const trendingSchema = z
  .array(
    z.object({
      recommendationId: z.number().int(),
      remedyCode: z.string(),
      conditionId: z.number().int(),
      ...names,
      temperament: mizaj,
      count: z.number().int(),
      meanRating: z.number(),
    }),
  )
  .openapi('Trending');

export const patientProfileSchema = z
  .object({
    patient: z.object({ id: z.number().int(), name: z.string(), mizajType: mizaj, birthYear: z.number().int(), sex: z.enum(['f', 'm']), createdAt: isoDate }),
    healthRecords: z.array(z.object({ id: z.number().int(), patientId: z.number().int(), kind: z.string(), data: z.unknown(), createdAt: isoDate })),
    diagnoses: z.array(
      z.object({
        id: z.number().int(),
        conditionId: z.number().int(),
        conditionCode: z.string(),
        conditionNameFa: z.string(),
        conditionNameEn: z.string(),
        conditionNameAr: z.string(),
        clinicianId: z.number().int().nullable(),
        notes: z.string().nullable(),
        createdAt: isoDate,
      }),
    ),
  })
  .openapi('PatientProfile');

export const feedbackCreatedSchema = z
  .object({
    feedbackId: z.number().int(),
    recommendationId: z.number().int(),
    diagnosisId: z.number().int(),
    patientId: z.number().int(),
    conditionId: z.number().int(),
    createdAt: isoDate,
  })
  .openapi('FeedbackCreated');

export const optimizeResultSchema = z.object({ changedIds: z.array(z.number().int()) }).openapi('OptimizeResult');

export const healthSchema = z
  .object({
    status: z.enum(['ok', 'degraded']),
    database: z.object({ ok: z.boolean(), kind: z.string(), latencyMs: z.number() }),
    cache: z.object({ ok: z.boolean(), backend: z.string(), breaker: z.string() }),
  })
  .openapi('Health');

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
        viewedAt: isoDate,
      }),
    ),
    nextBefore: z.number().int().nullable().openapi({ description: 'Pass as `before` for the next page; null at the end' }),
  })
  .openapi('PatientAccessLog');
