import 'server-only';
import type { CachedRaw } from '@/lib/cache';
import type {
  DiagnosisPrediction,
  FeedbackSummary,
  PatientProfile,
  Recommendation,
  RecommendationAnalytics,
} from '@/lib/services';
import type { Diagnosis } from '@/lib/services/diagnoses';
import type { Jsonify } from './json';
import { jsonText } from './json-resource';
import {
  analyticsResource,
  diagnosisResource,
  feedbackSummaryResource,
  predictionsResource,
  profileResource,
  recommendationResource,
} from './resources';

export type { Jsonify } from './json';

/**
 * Reads for server components: the same cached entries the API serves, parsed. Dates arrive as ISO
 * strings (the API's JSON), so pages format them with Intl.
 */
async function parsed<T>(raw: Promise<CachedRaw>): Promise<Jsonify<T>> {
  return JSON.parse(jsonText(await raw)) as Jsonify<T>;
}

export const readRecommendation = (id: number) => parsed<Recommendation>(recommendationResource(id));
export const readAnalytics = (id: number) => parsed<RecommendationAnalytics>(analyticsResource(id));
export const readFeedbackSummary = (id: number) => parsed<FeedbackSummary>(feedbackSummaryResource(id));
export const readDiagnosis = (id: number) => parsed<Diagnosis>(diagnosisResource(id));

export async function readPredictions(diagnosisId: number) {
  const diagnosis = await readDiagnosis(diagnosisId);
  return parsed<DiagnosisPrediction>(predictionsResource(diagnosisId, diagnosis.conditionId));
}

/** `viewerKey` identifies who is looking (e.g. `user:12`), so the entry is dropped when they sign out. */
export const readPatientProfile = (patientId: number, viewerKey: string) => parsed<PatientProfile>(profileResource(patientId, viewerKey));
