import 'server-only';
import { analytics } from './analytics';
import { conditionRecommendations } from './condition-recommendations';
import type { CachedResource } from './define';
import { diagnosis } from './diagnosis';
import { feedbackSummary } from './feedback-summary';
import { prediction } from './prediction';
import { profile } from './profile';
import { recommendation } from './recommendation';
import { remedyMeans } from './remedy-means';
import { trending } from './trending';

export type { CachedResource, ResourceInput } from './define';
export { analytics, conditionRecommendations, diagnosis, feedbackSummary, prediction, profile, recommendation, remedyMeans, trending };

/**
 * Every cached resource. The OpenAPI document, the fast path's route table and the warmers walk this
 * list; route handlers and pages import the declaration they serve.
 */
export const RESOURCES: readonly CachedResource<unknown>[] = [prediction, analytics, feedbackSummary, recommendation, profile, trending, diagnosis, conditionRecommendations, remedyMeans];
