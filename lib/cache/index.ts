import 'server-only';
import { getConfig } from '@/lib/config';
import { getLogger } from '@/lib/log';
import { Cache, type CacheOptions, type InvalidationReport } from './cache';
import { bindCached, withoutContext, type CachedFunction, type CachedOptions } from './cached-function';
import type { FactoryContext } from './factory';
import { CATEGORY_DEFAULTS } from '@/lib/config/cache-categories';
import { resolveCategories, type CategoryTable } from './categories';
import { EntryCipher } from './encryption';
import { MemoryStore } from './stores/memory-store';

export { Cache } from './cache';
export type { CachedFunction, CachedOptions, CacheHealth, CacheOptions, CallOptions, InvalidationReport } from './cache';
export type { CacheAdmin, KeySize, NodeInfo, ScannedBatch } from './admin';
export { FACTORY_DEFAULTS, FactoryTimeoutError, type FactoryContext, type FactoryErrorInfo, type FactoryTimings } from './factory';
export { resolveCategories, type CategoryConfig, type CategoryTable } from './categories';
/** The app's table, re-exported for code that imports it from here (until the lead merges issue 12's branches). */
export { CATEGORY_DEFAULTS, CATEGORY_NAMES, type CategoryName } from '@/lib/config/cache-categories';
export { CacheValueError, ownBytes, RawValue } from './codec';
export type { CacheEventMap, CacheEventName } from './events';
export type { PurgeOptions, PurgeProgress, PurgeReport } from './reclaim';
export type { StatsSnapshot, CategoryStatsSnapshot } from './stats';
export type { BreakerState } from './breaker';
export { MemoryStore } from './stores/memory-store';
export { RedisStore } from './stores/redis-store';
export type { Backend, CacheLayer, CacheResult, CacheStatus, CacheStore } from './types';
export type { Warmer, WarmOptions, WarmProgress, WarmReport } from './warm';

/** The app's category table, shape-checked here where it meets the core. */
const APP_CATEGORIES: CategoryTable = CATEGORY_DEFAULTS;

/**
 * A cache from explicit options (tests, scripts); nothing is read from the environment. Without
 * `categories`, the app's table (lib/config/cache-categories.ts) without env overrides.
 */
export function createCache(options: Omit<CacheOptions, 'categories'> & { categories?: CategoryTable }): Cache {
  return new Cache({ ...options, categories: options.categories ?? APP_CATEGORIES });
}

/** Pre-rendered value (e.g. an HTTP body + its headers) stored without JSON escaping; `cached` fns may return it. */
export { RawValue as CachedRaw } from './codec';

const SINGLETON = Symbol.for('mizaj.cache');
type Holder = { [SINGLETON]?: Cache };

/**
 * In front of Redis, L1 holds the hot answers only: its entries' heap (the decoded value, what is derived for
 * sending, the bookkeeping) is a multiple of the bytes it counts, and every full garbage collection marks all
 * of it. Under bench:load's mix at 1,000 req/s (`BENCH_CAPACITY=20000 BENCH_LOAD_RATES=1000 BENCH_LOAD_SECONDS=40
 * npm run bench:load`, 8 and 32 MB in turn, twice) an 8 MB L1 left ~370 of ~39,400 hits to Redis where 32 MB left
 * 15–23; the misses (8,943) were the same, as they are first uses of a key; p99 and CPU per request moved more
 * between runs than between sizes; 32 MB kept ~85 MiB more resident (issue 11's notes).
 */
const L1_MAX_BYTES = 8 * 1024 * 1024;

/**
 * The process cache built from getConfig(): Redis when REDIS_URL is set (L1 + bus on), else a MemoryStore
 * bounded by CACHE_MAX_SIZE_MB; CACHE_ENABLED=false makes every cached function call through.
 * Kept on globalThis so Next's dev reloads do not open new connections.
 */
export function getCache(): Cache {
  const holder = globalThis as Holder;
  if (!holder[SINGLETON]) {
    const config = getConfig();
    const logger = getLogger('cache');
    const maxBytes = Math.round(config.CACHE_MAX_SIZE_MB * 1024 * 1024);
    holder[SINGLETON] = createCache({
      prefix: config.CACHE_PREFIX,
      enabled: config.CACHE_ENABLED,
      commandTimeoutMs: config.CACHE_COMMAND_TIMEOUT_MS,
      maxEntryBytes: config.CACHE_MAX_ENTRY_BYTES,
      categories: resolveCategories(APP_CATEGORIES, { all: config.REDIS_CACHE_TTL, perCategory: config.categoryTtl }),
      logger,
      ...(config.CACHE_ENCRYPTION_KEYS && { encryption: new EntryCipher(config.CACHE_ENCRYPTION_KEYS) }),
      ...(config.REDIS_URL
        ? { redis: { url: config.REDIS_URL, ...(config.REDIS_PASSWORD ? { password: config.REDIS_PASSWORD } : {}) }, l1: { maxBytes: Math.min(maxBytes, L1_MAX_BYTES) } }
        : { store: new MemoryStore({ maxBytes }) }),
    });
  }
  return holder[SINGLETON];
}

/** Closes the process cache if one was made (operator scripts), without making one. */
export async function closeCache(): Promise<void> {
  const holder = globalThis as Holder;
  const cache = holder[SINGLETON];
  delete holder[SINGLETON];
  await cache?.close();
}

/** Replaces the process cache (tests); closes the previous one. */
export async function setCacheForTesting(cache: Cache | undefined): Promise<void> {
  const holder = globalThis as Holder;
  if (holder[SINGLETON] === cache) return;
  await closeCache();
  if (cache) holder[SINGLETON] = cache;
}

/**
 * Like Next's unstable_cache: a function with fn's arguments returning a Promise of its result, cached
 * under `{prefix}:{category}:{keyParts}:{hash(args)}` in the process cache (resolved on first call).
 * Values come back deep-frozen; Dates and BigInts round-trip; Maps/class instances are refused (CacheValueError).
 */
export function cached<A extends unknown[], R>(
  fn: (...args: A) => R | Promise<R>,
  keyParts: readonly string[],
  options: CachedOptions<A>,
): CachedFunction<A, Awaited<R>> {
  return bindCached(getCache, withoutContext(fn), keyParts, options);
}

/**
 * cached() whose fn gets the factory context first: `ctx.setTtl(s)`, `await ctx.setTags([...])`, `ctx.skip()`
 * (return the value without caching it), `ctx.stale` (the previous value on a refresh).
 */
export function cachedWithContext<A extends unknown[], R>(
  fn: (ctx: FactoryContext<Awaited<R>>, ...args: A) => R | Promise<R>,
  keyParts: readonly string[],
  options: CachedOptions<A>,
): CachedFunction<A, Awaited<R>> {
  return bindCached(getCache, fn, keyParts, options);
}

/** See Cache.invalidateTag: O(1), race-free; throws ServiceUnavailableError if Redis cannot record it. */
export function invalidateTag(tag: string): Promise<InvalidationReport> {
  return getCache().invalidateTag(tag);
}

export function invalidateTags(tags: readonly string[]): Promise<InvalidationReport> {
  return getCache().invalidateTags(tags);
}

export function invalidateCategory(category: string): Promise<InvalidationReport> {
  return getCache().invalidateCategory(category);
}

/** Route-handler/server-action wrapper: invalidates only after the handler succeeds (see Cache.withInvalidation). */
export function withInvalidation<A extends unknown[], R>(
  tags: readonly string[] | ((result: Awaited<R>, ...args: A) => readonly string[]),
  handler: (...args: A) => R | Promise<R>,
): (...args: A) => Promise<Awaited<R>> {
  return (...args: A) => getCache().withInvalidation(tags, handler)(...args);
}

/** Warms critical categories in the background when CACHE_WARM_ON_STARTUP=true; never delays readiness. */
export function warmOnStartup(): void {
  void getCache().warmOnStartup(getConfig().CACHE_WARM_ON_STARTUP);
}
