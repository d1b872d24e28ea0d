/**
 * The cache-tag vocabulary: what a cached answer depends on. Reads tag their entries with these and writes
 * invalidate them (lib/reads/invalidations.ts), so a write drops exactly the answers it changed.
 */
export const tag = {
  /** The recommendation row itself (names, dosage, effectiveness score). */
  recommendation: (id: number) => `rec:${id}`,
  /** Feedback rows of one recommendation (its analytics and feedback summary). */
  recommendationFeedback: (id: number) => `rec:${id}:feedback`,
  /** The data of a condition's recommendations (the predictions that rank them). */
  conditionRecommendations: (conditionId: number) => `condition:${conditionId}:recs`,
  /** Feedback on any of a condition's recommendations (predictions for that condition's diagnoses). */
  conditionFeedback: (conditionId: number) => `condition:${conditionId}:feedback`,
  diagnosis: (id: number) => `diagnosis:${id}`,
  patient: (id: number) => `patient:${id}`,
  /** Everything cached for one signed-in user or API key; dropped on logout. */
  viewer: (viewerKey: string) => `viewer:${viewerKey}`,
  trending: 'trending',
} as const;
