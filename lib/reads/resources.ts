import 'server-only';
import { gzipSync } from 'node:zlib';
import { cached, CachedRaw, type CachedFunction, type CategoryName } from '@/lib/cache';
import { databaseAdmission } from '@/lib/db/admission';
import { getDb } from '@/lib/db/client';
import type { Db } from '@/lib/db/types';
import { strongEtag } from '@/lib/http/http-cache';
import {
  getFeedbackSummary,
  getPatientProfileOrThrow,
  getRecommendationAnalytics,
  getRecommendationOrThrow,
  getTrending,
  predictForDiagnosis,
} from '@/lib/services';
import { getDiagnosisOrThrow } from '@/lib/services/diagnoses';
import { tag } from './tags';

const GZIP_MIN_BYTES = 1024;

export type Resource<A extends unknown[]> = CachedFunction<A, CachedRaw>;

/**
 * A cached answer stored as the JSON body the API sends, with its strong ETag computed once at store time:
 * an API hit (route handler or fast path) sends the stored bytes as they are, and pages parse them.
 */
function jsonResource<A extends unknown[]>(
  name: string,
  category: CategoryName,
  tags: (...args: A) => readonly string[],
  compute: (db: Db, ...args: A) => Promise<unknown>,
): Resource<A> {
  return cached(
    async (...args: A) => {
      const db = await getDb();
      const started = performance.now();
      const body = JSON.stringify(await databaseAdmission().run(() => compute(db, ...args)));
      const dbMs = (performance.now() - started).toFixed(1);
      // A gzip copy, made once per entry, for bodies Next would otherwise compress on every answer (≥ 1 KiB).
      const meta: Record<string, string> = { etag: strongEtag(body), db: dbMs };
      if (body.length >= GZIP_MIN_BYTES) meta.gz = gzipSync(body).toString('base64');
      return new CachedRaw(body, meta);
    },
    ['api', name],
    { category, tags },
  );
}

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
