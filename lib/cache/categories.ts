import type { FactoryTimings } from './factory';

/**
 * Every cache category, its TTL, grace and jitter: the one place these are spelled (DESIGN §7).
 *
 * recommendations: 1 h, not the seed's other "24 h". Edits through the app invalidate precisely
 * (tag `recommendation:{id}`), so the TTL only bounds how long a change made outside the app (seed, SQL,
 * a batch `optimize` run from a script) can stay visible; an hour keeps that short while a hot list is
 * still recomputed at most once an hour per key.
 */
export interface CategoryConfig {
  /** Fresh lifetime in seconds. */
  ttl: number;
  /** Seconds after ttl during which a stale value is served while one refresh runs. */
  grace: number;
  /** Fraction of ttl removed at random per entry (entries live ttl·(1−jitter)…ttl) so they do not expire together. */
  jitter: number;
  /** Warmed at start-up when CACHE_WARM_ON_STARTUP=true. */
  critical: boolean;
  /** Per-user data: must be keyed per user and dropped on logout (tag `user:{id}`). */
  perUser: boolean;
  /** Factory timeouts and grace backoff (ms) for this category; unset ones come from the cache's defaults. */
  factory?: Partial<FactoryTimings>;
  /** Holds patient data: sealed with AES-256-GCM in the shared store when keys are configured. */
  patientData?: boolean;
}

export const CATEGORY_DEFAULTS = {
  recommendations: { ttl: 3_600, grace: 600, jitter: 0.1, critical: true, perUser: false },
  analytics: { ttl: 1_800, grace: 300, jitter: 0.1, critical: false, perUser: false },
  predictions: { ttl: 86_400, grace: 3_600, jitter: 0.1, critical: true, perUser: false, patientData: true },
  profile: { ttl: 7_200, grace: 300, jitter: 0.1, critical: false, perUser: true, patientData: true },
  trending: { ttl: 3_600, grace: 600, jitter: 0.1, critical: true, perUser: false },
  /**
   * Who a credential (API key or session, by digest) belongs to: one lookup a minute instead of one per
   * request, and cached answers keep being served while the database is down (grace). Revocation and
   * sign-out invalidate the credential's tag, so they still take effect at once.
   */
  auth: { ttl: 60, grace: 900, jitter: 0.1, critical: false, perUser: false },
  /** Feedback summary for a recommendation. */
  feedback: { ttl: 1_800, grace: 300, jitter: 0.1, critical: false, perUser: false, patientData: true },
} as const satisfies Record<string, CategoryConfig>;

export type CategoryName = keyof typeof CATEGORY_DEFAULTS;
export type CategoryTable = Readonly<Record<string, CategoryConfig>>;

export const CATEGORY_NAMES = Object.keys(CATEGORY_DEFAULTS) as CategoryName[];

export interface TtlOverrides {
  /** REDIS_CACHE_TTL: every category's TTL. */
  all?: number;
  /** CACHE_TTL_<CATEGORY>: wins over `all`. */
  perCategory?: Partial<Record<string, number>>;
}

/** Category table with env overrides applied (per-category beats the global override beats the default). */
export function resolveCategories(overrides: TtlOverrides = {}, base: CategoryTable = CATEGORY_DEFAULTS): CategoryTable {
  const table: Record<string, CategoryConfig> = {};
  for (const [name, config] of Object.entries(base)) {
    const ttl = overrides.perCategory?.[name] ?? overrides.all ?? config.ttl;
    table[name] = { ...config, ttl };
  }
  return Object.freeze(table);
}

/** Longest life (ttl + grace) of any entry, used to size tag-version TTLs. */
export function longestLifetimeSeconds(table: CategoryTable): number {
  return Math.max(...Object.values(table).map((c) => c.ttl + c.grace));
}
