import type { FactoryTimings } from './factory';

/**
 * The shape of a category table. The table itself is the app's (lib/config/cache-categories.ts): the cache
 * core is handed one (CacheOptions.categories) and names no category of its own.
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
  /** Factory timeouts and grace backoff (ms) for this category; unset ones come from the cache's defaults. */
  factory?: Partial<FactoryTimings>;
  /** Holds patient data: sealed with AES-256-GCM in the shared store when keys are configured. */
  patientData?: boolean;
}

export type CategoryTable = Readonly<Record<string, CategoryConfig>>;

/**
 * Until the lead merges the other issue-12 branches, code that imported the app's table from here keeps
 * working; new code imports it from lib/config/cache-categories.ts.
 */
export { CATEGORY_DEFAULTS, CATEGORY_NAMES, type CategoryName } from '@/lib/config/cache-categories';

export interface TtlOverrides {
  /** REDIS_CACHE_TTL: every category's TTL. */
  all?: number;
  /** CACHE_TTL_<CATEGORY>: wins over `all`. */
  perCategory?: Partial<Record<string, number>>;
}

/** Category table with env overrides applied (per-category beats the global override beats the default). */
export function resolveCategories(base: CategoryTable, overrides: TtlOverrides = {}): CategoryTable {
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
