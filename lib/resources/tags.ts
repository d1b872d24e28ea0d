/**
 * The cache-tag vocabulary, the one place tags are spelled: what a cached answer depends on. Resources
 * (lib/resources/*.ts) tag their entries with these, writes invalidate them (lib/cached-reads/invalidations.ts,
 * lib/write-door), so a write drops exactly the answers it changed. No imports: every layer may use it.
 */
export const tag = {
  /** The recommendation row itself (names, dosage, effectiveness score). */
  recommendation: (id: number) => `rec:${id}`,
  /** Feedback rows of one recommendation (its analytics and feedback summary). */
  recommendationFeedback: (id: number) => `rec:${id}:feedback`,
  /** The data of a condition's recommendations (its list, and the predictions that rank them). */
  conditionRecommendations: (conditionId: number) => `condition:${conditionId}:recs`,
  diagnosis: (id: number) => `diagnosis:${id}`,
  patient: (id: number) => `patient:${id}`,
  /** One credential's cached identity, from its SHA-256 digest (never the credential itself). */
  credential: (digest: string) => `credential:${digest.slice(0, 32)}`,
  trending: 'trending',
} as const;

/** Who is asking: a signed-in user or an API key (an Identity, or a session's user with `kind: 'user'`). */
export type Viewer = { kind: 'user' | 'apikey'; id: number };

/**
 * The one spelling of a viewer (`user:12`, `key:3`), as the patient-access audit records it.
 */
export const viewerKey = (viewer: Viewer): string => `${viewer.kind === 'user' ? 'user' : 'key'}:${viewer.id}`;
