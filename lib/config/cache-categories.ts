/**
 * The app's cache categories, their TTL, grace and jitter: the one place these are spelled (DESIGN §7).
 * The cache core (lib/cache) knows no category of its own; getCache() hands it this table with the
 * environment's overrides applied (lib/cache/index.ts, where its shape is checked against CategoryConfig),
 * and tests pass tables of their own.
 *
 * recommendations: 1 h, not the seed's other "24 h". Edits through the app invalidate precisely (the
 * recommendation's tag, lib/cached-reads/tags.ts), so the TTL only bounds how long a change made outside the app
 * (seed, SQL, a batch `optimize` run from a script) can stay visible; an hour keeps that short while a hot
 * list is still recomputed at most once an hour per key.
 */
export const CATEGORY_DEFAULTS = {
  recommendations: { ttl: 3_600, grace: 600, jitter: 0.1, critical: true },
  analytics: { ttl: 1_800, grace: 300, jitter: 0.1, critical: false },
  predictions: { ttl: 86_400, grace: 3_600, jitter: 0.1, critical: true, patientData: true },
  /** Keyed per patient (the same answer for every reader; each read is authenticated and audited). */
  profile: { ttl: 7_200, grace: 300, jitter: 0.1, critical: false, patientData: true },
  trending: { ttl: 3_600, grace: 600, jitter: 0.1, critical: true },
  /**
   * Who a credential (API key or session, by digest) belongs to: one lookup a minute instead of one per
   * request, and cached answers keep being served while the database is down (grace). Revocation and
   * sign-out invalidate the credential's tag, so they still take effect at once.
   */
  auth: { ttl: 60, grace: 900, jitter: 0.1, critical: false },
  /** Feedback summary for a recommendation. */
  feedback: { ttl: 1_800, grace: 300, jitter: 0.1, critical: false, patientData: true },
} as const;

export type CategoryName = keyof typeof CATEGORY_DEFAULTS;

export const CATEGORY_NAMES = Object.keys(CATEGORY_DEFAULTS) as CategoryName[];
