import 'server-only';
import type { CategoryName } from '@/lib/cache';
import type { Db } from '@/lib/db/types';
import {
  getFeedbackSummary,
  getPatientProfileOrThrow,
  getRecommendationAnalytics,
  getRecommendationOrThrow,
  getTrending,
  predictForDiagnosis,
} from '@/lib/services';
import { getDiagnosisOrThrow } from '@/lib/services/diagnoses';
import { jsonResource as declare, type Wait } from './json-resource';
import { tag } from './tags';

export type { Resource } from './json-resource';

/**
 * How long a mobile request waits on the database, per resource (docs/cache.md, "API routes"). `timeout`
 * (soft): with a stale answer at hand, wait this long for the fresh one, then send the stale one (X-Cache:
 * STALE) while the refresh finishes. `hardTimeout`: without one, answer 503 + Retry-After after this long;
 * the query goes on and fills the cache. A computation older than hardTimeout is no longer joined.
 */
export const RESOURCE_WAITS = {
  // One row by primary key: fresh within 100 ms or the database is in trouble.
  recommendation: { timeout: 100, hardTimeout: 5_000 },
  diagnosis: { timeout: 100, hardTimeout: 5_000 },
  profile: { timeout: 150, hardTimeout: 5_000 },
  // Aggregations over feedback: a little longer.
  analytics: { timeout: 200, hardTimeout: 8_000 },
  'feedback-summary': { timeout: 200, hardTimeout: 8_000 },
  trending: { timeout: 200, hardTimeout: 8_000 },
  // Similar patients + weighted means: the heaviest read; a day-old ranking beats a spinner.
  predictions: { timeout: 300, hardTimeout: 10_000 },
} as const satisfies Record<string, Wait>;

const jsonResource = <A extends unknown[]>(
  name: keyof typeof RESOURCE_WAITS,
  category: CategoryName,
  tags: (...args: A) => readonly string[],
  compute: (db: Db, ...args: A) => Promise<unknown>,
) => declare(name, RESOURCE_WAITS[name], category, tags, compute);

export const recommendationResource = jsonResource('recommendation', 'recommendations', (id: number) => [tag.recommendation(id)], getRecommendationOrThrow);

export const analyticsResource = jsonResource(
  'analytics',
  'analytics',
  (id: number) => [tag.recommendation(id), tag.recommendationFeedback(id)],
  (db, id) => getRecommendationAnalytics(db, id),
);

export const feedbackSummaryResource = jsonResource(
  'feedback-summary',
  'feedback',
  (id: number) => [tag.recommendation(id), tag.recommendationFeedback(id)],
  (db, id) => getFeedbackSummary(db, id),
);

/** A diagnosis with its patient and condition: also how a prediction finds the condition it depends on. */
export const diagnosisResource = jsonResource('diagnosis', 'predictions', (id: number) => [tag.diagnosis(id)], getDiagnosisOrThrow);

/**
 * Keyed by diagnosis and condition because its tags must be known before it is computed: a prediction
 * ranks every recommendation of the condition using their feedback, so either changing drops it.
 */
export const predictionsResource = jsonResource(
  'predictions',
  'predictions',
  (diagnosisId: number, conditionId: number) => [
    tag.diagnosis(diagnosisId),
    tag.conditionRecommendations(conditionId),
    tag.conditionFeedback(conditionId),
  ],
  (db, diagnosisId) => predictForDiagnosis(db, diagnosisId),
);

/** Patient data is cached per viewer (user or API key) and dropped when that viewer signs out. */
export const profileResource = jsonResource(
  'profile',
  'profile',
  (patientId: number, viewerKey: string) => [tag.patient(patientId), tag.viewer(viewerKey)],
  (db, patientId) => getPatientProfileOrThrow(db, patientId),
);

export const trendingResource = jsonResource(
  'trending',
  'trending',
  (_days: 7 | 30, _limit: number) => [tag.trending],
  (db, days, limit) => getTrending(db, { days, limit }),
);
