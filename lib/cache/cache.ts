import { randomBytes } from 'node:crypto';
import { Redis, type Cluster } from 'ioredis';
import { ServiceUnavailableError } from '@/lib/errors';
import { Breaker, type BreakerOptions, type BreakerState } from './breaker';
import { RedisBus, type BusState } from './bus';
import { CATEGORY_DEFAULTS, longestLifetimeSeconds, type CategoryConfig, type CategoryTable } from './categories';
import { decodeHeader, decodeValue, deepFreeze, encodeEntry, encodeValue, headerTagsJson, versionsMatch, type EntryHeader } from './codec';
import { checkTimings, FACTORY_DEFAULTS, FactoryTimeoutError, within, type FactoryContext, type FactoryErrorInfo, type FactoryTimings } from './factory';
import { CacheEvents, type CacheEventMap, type CacheEventName } from './events';
import { argsHash, assertCategory, assertPrefix, busChannel, categoryKey, entryKey, functionName, tagKey } from './keys';
import { L1Cache, type L1Options } from './l1';
import { purgeKeys, reclaimDead, type PurgeOptions, type PurgeReport } from './reclaim';
import { PendingInvalidations } from './pending-invalidations';
import { MemoryStore } from './stores/memory-store';
import type { RedisConnectionOptions } from './stores/redis-client';
import { RedisStore } from './stores/redis-store';
import { CacheStats, type StatsSnapshot } from './stats';
import type { Backend, CacheLogger, CacheResult, CacheStore, StoreOp } from './types';
import { WarmRegistry, type WarmOptions, type WarmReport, type Warmer } from './warm';

export interface CacheOptions {
  /** Namespace of every key (tests use one each). */
  prefix: string;
  /** The shared store (L2). Default: a MemoryStore, or a RedisStore when `redis` is given. */
  store?: CacheStore;
  /** Connect a RedisStore (and the bus) from a URL. */
  redis?: RedisConnectionOptions;
  /** Category table (default: categories.ts without env overrides). */
  categories?: CategoryTable;
  /** In-process L1 in front of a shared store. Default on with Redis, off for a MemoryStore (it is already in-process). */
  l1?: false | L1Options;
  /** L1 coherence over Redis pub/sub. Default on when the store is Redis and L1 is on. */
  bus?: boolean;
  /** Timeout for stores without their own (Redis has `commandTimeout`). Default 200 ms. */
  commandTimeoutMs?: number;
  breaker?: BreakerOptions;
  /** Largest encoded entry stored; bigger values are returned but not cached (counted as oversize). Default 1 MiB. */
  maxEntryBytes?: number;
  /** Lifetime of tag/category version keys. Default: longest category lifetime (ttl + grace), min 1 h. */
  versionTtlMs?: number;
  logger?: CacheLogger;
  /** Clock for freshness decisions (store TTLs stay real time). */
  now?: () => number;
  random?: () => number;
  /** false → every cached function calls fn directly (CACHE_ENABLED=false). */
  enabled?: boolean;
  instanceId?: string;
  /** Pending (unrecorded) invalidations kept for replay before they collapse into whole-category ones. */
  maxPendingTags?: number;
  /** Defaults of the factory timeouts and grace backoff (ms) under the categories' own. */
  factory?: Partial<FactoryTimings>;
  /** Called on every failed fn (foreground or background refresh), after it is counted. */
  onFactoryError?: (error: unknown, info: FactoryErrorInfo) => void;
}

export interface CachedOptions<A extends unknown[]> {
  category: string;
  /** Tags of an entry; may depend on the arguments, e.g. `(id) => ['recommendation:' + id]`. */
  tags?: readonly string[] | ((...args: A) => readonly string[]);
  /** Fresh lifetime in seconds (default: the category's). */
  ttl?: number;
  /** Grace in seconds during which a stale value is served while one refresh runs; false for none. */
  staleWhileRevalidate?: number | false;
  /** Soft timeout (ms): with a stale value at hand, wait this long for the fresh one. See FactoryTimings. */
  timeout?: number;
  /** Longest wait (ms) for fn without a stale value; then FactoryTimeoutError (503). */
  hardTimeout?: number;
  /** Longest wait (ms) for a computation started by another caller; older computations are not joined. */
  lockTimeout?: number;
  /** After a failed refresh, serve stale without calling fn for this long (ms). */
  graceBackoff?: number;
  /** Called when fn fails (also for background refreshes, whose errors no caller sees). */
  onFactoryError?: (error: unknown, info: FactoryErrorInfo) => void;
}

/** Per call (`cachedFn.withOptions(options, ...args)`): timeouts, and forceFresh to skip both tiers and run fn. */
export interface CallOptions extends Partial<FactoryTimings> {
  forceFresh?: boolean;
}

/** What `cached()` returns: fn's signature (always async), plus metadata helpers for the HTTP layer. */
export interface CachedFunction<A extends unknown[], R> {
  (...args: A): Promise<R>;
  /** Value plus X-Cache status, layer and freshness times. */
  withMeta(...args: A): Promise<CacheResult<R>>;
  /** withMeta with per-call options (timeouts, forceFresh). */
  withOptions(options: CallOptions, ...args: A): Promise<CacheResult<R>>;
  /**
   * Stores a value computed elsewhere, stamped with the tag versions current now (so compute it after the
   * write it reflects). Other instances drop their L1 copy. Throws ServiceUnavailableError if Redis cannot take it.
   */
  set(value: R, ...args: A): Promise<void>;
  /** Removes the entry everywhere (L1s through the bus). Throws ServiceUnavailableError if Redis cannot do it. */
  delete(...args: A): Promise<void>;
  /**
   * Soft invalidation: the entry becomes stale but stays servable within its grace while one refresh runs
   * (invalidateTag, by contrast, is hard: never served again). False when there was no live entry.
   */
  expire(...args: A): Promise<boolean>;
  /** Reads without computing (one round trip); null on a miss. Never triggers fn or a refresh. */
  peek(...args: A): Promise<CacheResult<R> | null>;
  /**
   * A fresh value from this instance's L1, synchronously, else undefined: for hot paths where every promise
   * costs (Next runs with AsyncLocalStorage, whose promise hooks make each await expensive).
   */
  peekL1(...args: A): CacheResult<R> | undefined;
  /** The full store key for these arguments. */
  key(...args: A): string;
  tags(...args: A): readonly string[];
  readonly category: string;
}

export interface InvalidationReport {
  tags: readonly string[];
  categories: readonly string[];
  /** Other instances subscribed to the bus when the message was published. */
  receivers: number;
  ms: number;
}

export interface CacheHealth {
  enabled: boolean;
  backend: Backend;
  reachable: boolean;
  latencyMs: number | null;
  error?: string;
  breaker: BreakerState;
  bus: BusState | 'disabled';
  l1: { enabled: boolean; entries: number; bytes: number; maxBytes: number };
  pendingInvalidations: number;
  instanceId: string;
}

type Factory = (ctx: FactoryContext, ...args: never[]) => unknown;

interface Spec {
  category: string;
  config: CategoryConfig;
  name: string;
  fn: Factory;
  tagsOf: (args: unknown[]) => readonly string[];
  ttlMs: number;
  graceMs: number;
  timings: FactoryTimings;
  onFactoryError: ((error: unknown, info: FactoryErrorInfo) => void) | undefined;
}

interface Target {
  key: string;
  category: string;
  tags: readonly string[];
}

type L2Read =
  | { kind: 'hit' | 'stale'; header: EntryHeader; value: unknown; versions: string[]; tags: readonly string[]; bytes: number }
  | { kind: 'miss'; versions: string[] | undefined }
  | { kind: 'unavailable' };

interface Computed {
  value: unknown;
  id: string;
  storedAt: number;
  freshUntil: number;
  graceUntil: number;
  /** Written to the store (what a concurrent reader would find there). */
  stored?: boolean;
  /** Has tags added by the factory (a reader's versions do not cover them). */
  factoryTags?: boolean;
}

/** A computation other callers may join until it is older than their lockTimeout. */
interface Flight {
  promise: Promise<Computed>;
  startedAt: number;
}

/** What the two tiers hold for a key: a fresh answer, or a stale one (within grace) plus the versions to refresh it. */
interface Found {
  fresh?: CacheResult<unknown>;
  stale?: CacheResult<unknown>;
  versions: string[] | undefined;
  snap: number;
}

interface SharedRead {
  promise: Promise<L2Read>;
  joiners: number;
}

const MAX_TAGS = 32;
/** How long a finished computation is shared with callers whose miss was already in flight. */
const LANDED_MS = 1_000;
/** An oversize key is logged at most once per this. */
const OVERSIZE_LOG_MS = 3_600_000;
const MAX_TRACKED_KEYS = 10_000;

const defaultLogger: CacheLogger = {
  debug: () => {},
  info: (o, m) => console.info(m, o),
  warn: (o, m) => console.warn(m, o),
  error: (o, m) => console.error(m, o),
};

/**
 * The tiered cache: optional L1, a shared store (Redis or memory), tag/category version counters,
 * single flight, stale-while-revalidate, a breaker around the store. See docs/cache.md.
 */
export class Cache {
  readonly prefix: string;
  readonly store: CacheStore;
  readonly categories: CategoryTable;
  readonly instanceId: string;
  readonly enabled: boolean;
  readonly stats: CacheStats;
  private readonly l1: L1Cache | undefined;
  private readonly bus: RedisBus | undefined;
  private readonly breaker: Breaker;
  private readonly pending: PendingInvalidations;
  private readonly events = new CacheEvents();
  private readonly warmers: WarmRegistry;
  private readonly logger: CacheLogger;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly timeoutMs: number;
  /** Largest encoded entry stored; bigger values are returned uncached (counted as oversize). */
  readonly maxEntryBytes: number;
  private readonly versionTtlMs: number;
  private readonly factoryDefaults: FactoryTimings;
  private readonly onFactoryError: CacheOptions['onFactoryError'];
  private readonly flights = new Map<string, Flight>();
  /** Flights that just finished, for callers whose miss was read while they ran (see computeOnce). */
  private readonly landed = new Map<string, Computed>();
  /** L2 reads not yet sent: concurrent readers of a key join them (see readShared). */
  private readonly reads = new Map<string, SharedRead>();
  /** Keys whose refresh failed: no new refresh before this time (graceBackoff). */
  private readonly backoffUntil = new Map<string, number>();
  private readonly oversizeLogged = new Map<string, number>();
  /** Bumped by every invalidation seen here (local or bus): a read started before one is never joined after it. */
  private localGeneration = 0;
  private readonly tagKeyMemo = new Map<string, string>();
  private versionCounter = 0;
  private closed = false;

  constructor(options: CacheOptions) {
    this.prefix = assertPrefix(options.prefix);
    this.categories = options.categories ?? CATEGORY_DEFAULTS;
    for (const [name, c] of Object.entries(this.categories)) {
      assertCategory(name);
      if (c.factory) checkTimings(c.factory, `category ${name}`);
    }
    this.logger = options.logger ?? defaultLogger;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.enabled = options.enabled ?? true;
    this.instanceId = options.instanceId ?? randomBytes(6).toString('base64url');
    this.timeoutMs = options.commandTimeoutMs ?? options.redis?.commandTimeoutMs ?? 200;
    this.maxEntryBytes = options.maxEntryBytes ?? 1024 * 1024;
    this.versionTtlMs = options.versionTtlMs ?? Math.max(3_600, longestLifetimeSeconds(this.categories)) * 1000;
    this.factoryDefaults = { ...FACTORY_DEFAULTS, ...checkTimings(options.factory ?? {}, 'cache') };
    this.onFactoryError = options.onFactoryError;
    this.stats = new CacheStats(this.now);
    this.store =
      options.store ?? (options.redis ? RedisStore.connect({ commandTimeoutMs: this.timeoutMs, ...options.redis }) : new MemoryStore());
    const shared = this.store.backend !== 'memory';
    const l1Options = options.l1 ?? (shared ? {} : false);
    this.l1 = l1Options === false ? undefined : new L1Cache(l1Options);
    const wantBus = options.bus ?? (shared && this.l1 !== undefined);
    if (wantBus && this.store instanceof RedisStore) {
      this.bus = new RedisBus(
        duplicateForSubscribe(this.store.client),
        busChannel(this.prefix),
        this.instanceId,
        {
          onMessage: (m) => {
            this.localGeneration++;
            this.l1?.invalidate(m.tags, m.categories, m.keys, m.ids);
            if (m.tags.length + m.categories.length > 0) this.events.emit('invalidate', { tags: m.tags, categories: m.categories, source: 'bus' });
          },
          onDisconnect: () => {
            this.l1?.clear();
            this.logger.warn({ cache: this.prefix }, 'cache bus disconnected; L1 bypassed until it is back');
            this.events.emit('bus', { state: 'disconnected' });
          },
          onReconnect: () => {
            this.l1?.clear();
            this.logger.info({ cache: this.prefix }, 'cache bus reconnected; L1 dropped (messages may have been missed)');
            this.events.emit('bus', { state: 'reconnected' });
          },
        },
        this.logger,
      );
    } else if (wantBus) {
      throw new Error('the cache bus needs a RedisStore');
    }
    const breakerOptions = options.breaker ?? {};
    this.breaker = new Breaker(
      breakerOptions,
      async () => {
        await this.timed(this.store.ping());
        await this.pending.flush();
      },
      (from, to, reason) => {
        const line = { cache: this.prefix, backend: this.store.backend, from, to, reason };
        // One line when the store is lost and one when it is back; probes in between log at debug only.
        if (to === 'open' && from === 'closed') this.logger.error(line, 'cache store unreachable: circuit open, reads go to L1/fn');
        else if (to === 'closed') this.logger.info(line, 'cache store back: circuit closed');
        else this.logger.debug(line, 'cache store probe');
        this.events.emit('breaker', { from, to, reason });
      },
    );
    this.pending = new PendingInvalidations({
      maxTags: options.maxPendingTags ?? 10_000,
      allCategories: () => Object.keys(this.categories),
      canWrite: () => this.storeUsable(),
      write: async (tags, categories) => {
        try {
          await this.writeVersions(tags, categories);
          this.breaker.success();
        } catch (error) {
          this.storeFailure(error, undefined, 'replay');
          throw error;
        }
      },
      // Same cadence as the breaker, so an unrecorded invalidation is replayed ≤ maxCooldownMs after Redis is back.
      baseDelayMs: breakerOptions.cooldownMs ?? 1_000,
      maxDelayMs: breakerOptions.maxCooldownMs ?? 15_000,
      onReplayed: (tags, categories) => {
        this.logger.info({ cache: this.prefix, tags: tags.length, categories: categories.length }, 'cache replayed invalidations kept during the outage');
        this.events.emit('invalidate', { tags, categories, source: 'replay' });
      },
    });
    this.warmers = new WarmRegistry(this.logger);
  }

  // ---------------------------------------------------------------- public API

  /** Wraps fn like Next's unstable_cache; see CachedOptions. */
  cached<A extends unknown[], R>(
    fn: (...args: A) => R | Promise<R>,
    keyParts: readonly string[],
    options: CachedOptions<A>,
  ): CachedFunction<A, Awaited<R>> {
    return bindCached(() => this, withoutContext(fn), keyParts, options);
  }

  /** Like cached(), with the factory context (setTtl, setTags, skip, stale) as fn's first argument. */
  cachedWithContext<A extends unknown[], R>(
    fn: (ctx: FactoryContext<Awaited<R>>, ...args: A) => R | Promise<R>,
    keyParts: readonly string[],
    options: CachedOptions<A>,
  ): CachedFunction<A, Awaited<R>> {
    return bindCached(() => this, fn, keyParts, options);
  }

  /** @internal used by bindCached */
  spec<A extends unknown[]>(fn: (ctx: FactoryContext<never>, ...args: A) => unknown, keyParts: readonly string[], options: CachedOptions<A>): Spec {
    const config = this.categories[options.category];
    if (!config) throw new Error(`unknown cache category "${options.category}" (known: ${Object.keys(this.categories).join(', ')})`);
    const tags = options.tags;
    const grace = options.staleWhileRevalidate === false ? 0 : (options.staleWhileRevalidate ?? config.grace);
    const own = checkTimings(pickTimings(options), functionName(keyParts));
    return {
      category: options.category,
      config,
      name: functionName(keyParts),
      fn: fn as unknown as Factory,
      tagsOf: typeof tags === 'function' ? (args) => checkTags(tags(...(args as A))) : (() => {
        const fixed = checkTags(tags ?? []);
        return () => fixed;
      })(),
      ttlMs: (options.ttl ?? config.ttl) * 1000,
      graceMs: grace * 1000,
      timings: { ...this.factoryDefaults, ...defined(config.factory ?? {}), ...defined(own) },
      onFactoryError: options.onFactoryError,
    };
  }

  /** @internal */
  target(spec: Spec, args: unknown[]): Target {
    const tags = spec.tagsOf(args);
    return { key: entryKey(this.prefix, spec.category, spec.name, argsHash(args)), category: spec.category, tags };
  }

  /** @internal the read path behind cached functions */
  async resolve(spec: Spec, args: unknown[], call?: CallOptions): Promise<CacheResult<unknown>> {
    if (!this.enabled) {
      const value = await spec.fn(new ComputeContext(undefined, undefined), ...(args as never[]));
      this.stats.of(spec.category).bypass++;
      const now = this.now();
      return { value, status: 'BYPASS', layer: 'fn', key: '', id: '', storedAt: now, expiresAt: now, graceUntil: now };
    }
    const t = this.target(spec, args);
    const timings = call ? { ...spec.timings, ...defined(checkTimings(pickTimings(call), 'call')) } : spec.timings;
    const forceFresh = call?.forceFresh === true;
    const found = await this.find(t, true, forceFresh);
    if (found.fresh) return found.fresh;
    if (found.stale) return this.serveStale(spec, args, t, found, timings);
    const { flight, started } = this.computeOnce(spec, args, t, found.versions, found.snap, undefined, forceFresh, timings.lockTimeout);
    const waitMs = started ? timings.hardTimeout : Math.min(timings.lockTimeout, timings.hardTimeout);
    const outcome = await within(flight.promise, waitMs);
    if (!outcome.done) {
      this.stats.of(t.category).timeouts++;
      this.logger.warn({ cache: this.prefix, key: t.key, kind: started ? 'hard' : 'lock', ms: waitMs }, 'cache factory timed out; the computation goes on in the background');
      throw new FactoryTimeoutError(t.key, started ? 'hard' : 'lock', waitMs);
    }
    if ('error' in outcome) throw outcome.error;
    return missResult(t, outcome.value);
  }

  /**
   * L1 then L2 (one shared read): a fresh answer from either (counted as a hit), else the newest stale one
   * within grace (not counted yet), with the versions a refresh must stamp. A stale L1 entry never hides a
   * fresher Redis one.
   */
  private async find(t: Target, ensureVersions: boolean, forceFresh: boolean): Promise<Found> {
    let staleL1: CacheResult<unknown> | undefined;
    if (!forceFresh) {
      const l1 = this.l1Result(t, true);
      if (l1?.status === 'HIT') {
        this.count(t.category, 'hit', 'l1', t.key);
        return { fresh: l1, versions: undefined, snap: 0 };
      }
      staleL1 = l1;
    }
    const snap = this.l1?.snapshot() ?? 0;
    const read = await this.readShared(t, ensureVersions);
    const versions = read.kind === 'unavailable' ? undefined : read.versions;
    if (forceFresh) return { versions, snap };
    if (read.kind === 'hit' || read.kind === 'stale') {
      if (read.kind === 'hit' || !staleL1 || read.header.storedAt >= staleL1.storedAt) {
        const h = read.header;
        const value = this.fillL1(t, h, read.value, read.tags, read.bytes, snap);
        const result: CacheResult<unknown> = { value, status: read.kind === 'hit' ? 'HIT' : 'STALE', layer: 'l2', key: t.key, id: h.id, storedAt: h.storedAt, expiresAt: h.freshUntil, graceUntil: h.graceUntil };
        if (read.kind === 'hit') {
          this.count(t.category, 'hit', 'l2', t.key);
          return { fresh: result, versions, snap };
        }
        return { stale: result, versions, snap };
      }
    }
    return { stale: staleL1, versions, snap };
  }

  /** A stale value at hand: one refresh (unless backing off), and wait for it up to the soft timeout. */
  private async serveStale(spec: Spec, args: unknown[], t: Target, found: Found, timings: FactoryTimings): Promise<CacheResult<unknown>> {
    const stale = found.stale!;
    const stats = this.stats.of(t.category);
    const now = this.now();
    const backoff = this.backoffUntil.get(t.key);
    if (backoff !== undefined && now < backoff) return this.countStale(t, stale);
    const { flight, started } = this.computeOnce(spec, args, t, found.versions, found.snap, stale, false, timings.lockTimeout, true);
    if (started) {
      stats.refreshes++;
      flight.promise.then(
        () => this.backoffUntil.delete(t.key),
        (error: unknown) => {
          stats.refreshErrors++;
          if (timings.graceBackoff > 0) {
            if (this.backoffUntil.size >= MAX_TRACKED_KEYS) this.backoffUntil.clear();
            this.backoffUntil.set(t.key, this.now() + timings.graceBackoff);
          }
          this.logger.debug({ cache: this.prefix, key: t.key, err: String(error) }, 'refresh failed; stale value kept');
        },
      );
    }
    if (timings.timeout > 0) {
      const outcome = await within(flight.promise, timings.timeout);
      if (outcome.done && 'value' in outcome) return missResult(t, outcome.value);
    }
    return this.countStale(t, stale);
  }

  private countStale(t: Target, stale: CacheResult<unknown>): CacheResult<unknown> {
    this.count(t.category, 'stale', stale.layer === 'l1' ? 'l1' : 'l2', t.key);
    return stale;
  }

  /**
   * @internal A fresh L1 entry, synchronously, or undefined (no L1, bus down, missing, or stale: a stale
   * entry needs its refresh, which only the async paths start). No promise is made on this path.
   */
  peekL1(t: Target): CacheResult<unknown> | undefined {
    if (!this.enabled) return undefined;
    const r = this.l1Result(t, false);
    if (r) this.count(t.category, 'hit', 'l1', t.key);
    return r;
  }

  /** The L1 entry when servable (fresh, or within grace if allowStale); not counted. */
  private l1Result(t: Target, allowStale: boolean): CacheResult<unknown> | undefined {
    if (!this.l1 || !this.l1Usable()) return undefined;
    const e = this.l1.get(t.key);
    const now = this.now();
    if (!e || now >= (allowStale ? e.graceUntil : e.freshUntil)) return undefined;
    const fresh = now < e.freshUntil;
    return { value: e.value, status: fresh ? 'HIT' : 'STALE', layer: 'l1', key: t.key, id: e.id, storedAt: e.storedAt, expiresAt: e.freshUntil, graceUntil: e.graceUntil };
  }

  /** @internal read without computing */
  async peekTarget(t: Target): Promise<CacheResult<unknown> | null> {
    if (!this.enabled) return null;
    const found = await this.find(t, false, false);
    if (found.fresh) return found.fresh;
    return found.stale ? this.countStale(t, found.stale) : null;
  }

  /**
   * Raw read of one entry by its full key (from `cachedFn.key(...)`), checked against its tag and category
   * versions. With `tags` given (the route table knows them) this is ONE round trip; without, the tags are
   * taken from the entry and checked with a second read. Returns null on miss, expiry or invalidation.
   */
  async getEntry(category: string, key: string, tags?: readonly string[]): Promise<CacheResult<unknown> | null> {
    if (!this.categories[category]) throw new Error(`unknown cache category "${category}"`);
    if (tags) return this.peekTarget({ key, category, tags: checkTags(tags) });
    if (!this.storeUsable()) return null;
    try {
      const [raw] = await this.timed(this.store.mget([key]));
      const header = raw ? decodeHeader(raw) : undefined;
      if (!header) return null;
      return this.peekTarget({ key, category, tags: JSON.parse(headerTagsJson(raw!, header)) as string[] });
    } catch (error) {
      this.storeFailure(error, category, 'getEntry');
      return null;
    }
  }

  /**
   * Invalidates tags: O(1) per tag whatever the number of entries under it. When it returns, no read on
   * this instance or from the store returns a value computed before the call; other instances' L1 drop
   * the tags within one pub/sub delivery. Throws ServiceUnavailableError when the store cannot record it
   * (the invalidation is then kept and replayed before this instance reads the store again).
   */
  async invalidateTags(tags: readonly string[]): Promise<InvalidationReport> {
    return this.invalidate(checkTags(tags), []);
  }

  async invalidateTag(tag: string): Promise<InvalidationReport> {
    return this.invalidate(checkTags([tag]), []);
  }

  /** Invalidates every entry of a category with one counter bump (memory is reclaimed by purgeCategory/reclaim). */
  async invalidateCategory(category: string): Promise<InvalidationReport> {
    if (!this.categories[category]) throw new Error(`unknown cache category "${category}"`);
    return this.invalidate([], [category]);
  }

  /**
   * Wraps a write handler: runs it, then invalidates the tags (static, or computed from its result and
   * arguments) only if it succeeded. Refuses up front (ServiceUnavailableError, 503) while the store is
   * known to be down or an earlier invalidation is still unrecorded, so a write is not committed whose
   * invalidation cannot be recorded.
   */
  withInvalidation<A extends unknown[], R>(
    tags: readonly string[] | ((result: Awaited<R>, ...args: A) => readonly string[]),
    handler: (...args: A) => R | Promise<R>,
  ): (...args: A) => Promise<Awaited<R>> {
    return async (...args: A): Promise<Awaited<R>> => {
      const pending = this.pending.size > 0;
      if (this.enabled && this.store.backend !== 'memory' && (pending || !this.storeUsable())) {
        throw new ServiceUnavailableError('cache store unavailable: writes are paused so no stale data is served');
      }
      const result: Awaited<R> = await handler(...args);
      const list = typeof tags === 'function' ? tags(result, ...args) : tags;
      if (this.enabled && list.length > 0) await this.invalidateTags(list);
      return result;
    };
  }

  on<E extends CacheEventName>(event: E, listener: (payload: CacheEventMap[E]) => void): () => void {
    return this.events.on(event, listener);
  }

  /** Counters per category (in-process). */
  statsSnapshot(): StatsSnapshot {
    return this.stats.snapshot(Object.keys(this.categories));
  }

  async health(): Promise<CacheHealth> {
    let reachable = false;
    let latencyMs: number | null = null;
    let error: string | undefined;
    try {
      latencyMs = Math.round((await this.timed(this.store.ping())) * 100) / 100;
      reachable = true;
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
    return {
      enabled: this.enabled,
      backend: this.store.backend,
      reachable,
      latencyMs,
      ...(error ? { error } : {}),
      breaker: this.breaker.state,
      bus: this.bus ? this.bus.state : 'disabled',
      l1: { enabled: this.l1 !== undefined, entries: this.l1?.size ?? 0, bytes: this.l1?.bytes ?? 0, maxBytes: this.l1?.maxBytes ?? 0 },
      pendingInvalidations: this.pending.size,
      instanceId: this.instanceId,
    };
  }

  /** Redis INFO fields for the dashboard sampler (summed over Cluster masters). */
  info(): Promise<Record<string, string>> {
    return this.timed(this.store.info());
  }

  registerWarmer(category: string, warmer: Warmer): void {
    if (!this.categories[category]) throw new Error(`unknown cache category "${category}"`);
    this.warmers.register(category, warmer);
  }

  warm(category: string, options?: WarmOptions): Promise<WarmReport> {
    return this.warmers.warm(category, options);
  }

  /** Warms critical categories in the background; returns at once (the promise is for tests and logs). */
  warmOnStartup(enabled: boolean): Promise<WarmReport[]> {
    if (!enabled) return Promise.resolve([]);
    const critical = Object.entries(this.categories)
      .filter(([, c]) => c.critical)
      .map(([name]) => name);
    return this.warmers.warmInBackground(critical);
  }

  /**
   * Invalidates a category (O(1)) and then frees its memory: SCAN + UNLINK in bounded batches on every
   * master, reporting progress, stoppable with an AbortSignal.
   */
  async purgeCategory(category: string, options: PurgeOptions = {}): Promise<PurgeReport> {
    await this.invalidateCategory(category);
    return purgeKeys(this.store, `${this.prefix}:${assertCategory(category)}:*`, options);
  }

  /** Frees entries made dead by tag/category invalidations (reads each batch's headers; bounded, abortable). */
  reclaim(options: PurgeOptions & { category?: string } = {}): Promise<PurgeReport> {
    const pattern = options.category ? `${this.prefix}:${assertCategory(options.category)}:*` : `${this.prefix}:*`;
    return reclaimDead(this.store, this.prefix, pattern, (keys) => this.store.mget(keys), (tag) => tagKey(this.prefix, tag), (c) => categoryKey(this.prefix, c), this.now, options);
  }

  /** Resolves when the store connection is ready (Redis) or immediately. */
  async ready(timeoutMs = 5_000): Promise<void> {
    if (this.store instanceof RedisStore) await this.store.ready(timeoutMs);
    if (this.bus) {
      const deadline = Date.now() + timeoutMs;
      while (!this.bus.connected()) {
        if (Date.now() > deadline) throw new Error('cache bus not connected');
        await new Promise((r) => setTimeout(r, 5));
      }
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.breaker.stop();
    this.pending.stop();
    await this.bus?.close();
    await this.store.close();
  }


  // ---------------------------------------------------------------- internals

  private l1Usable(): boolean {
    return this.bus === undefined || this.bus.connected();
  }

  private count(category: string, kind: 'hit' | 'stale', layer: 'l1' | 'l2', key: string): void {
    const s = this.stats.of(category);
    if (kind === 'stale') s.staleServed++;
    else if (layer === 'l1') s.hitsL1++;
    else s.hitsL2++;
    this.events.emit(kind, { category, key, layer });
  }

  private timed<T>(p: Promise<T>): Promise<T> {
    if (this.store.hasOwnTimeouts) return p;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`cache store timed out after ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
  }

  /** Whether to talk to the store now; never waits for a connection. */
  private storeUsable(category?: string): boolean {
    if (this.closed || !this.breaker.allows()) return false;
    if (!this.store.available()) {
      this.breaker.failure(new Error('not connected'));
      if (category) this.stats.of(category).errors++;
      return false;
    }
    return true;
  }

  private storeFailure(error: unknown, category: string | undefined, op: string): void {
    this.breaker.failure(error);
    if (category) this.stats.of(category).errors++;
    const message = error instanceof Error ? error.message : String(error);
    this.logger.debug({ cache: this.prefix, op, err: message }, 'cache store call failed');
    this.events.emit('error', { category, op, message });
  }


  /**
   * Coalesces concurrent L2 reads of a key into one round trip. A read is joinable only until it is sent,
   * and it is sent on the next tick: a caller that joins it therefore reached Redis no earlier than if it had
   * sent its own, so an invalidation that returned before the caller started is always seen.
   */
  private readShared(t: Target, ensureVersions: boolean): Promise<L2Read> {
    const k = `${ensureVersions ? 'e' : 'p'}${this.localGeneration}\n${t.key}`;
    const joined = this.reads.get(k);
    if (joined) {
      joined.joiners++;
      return joined.promise;
    }
    const slot: SharedRead = { joiners: 0, promise: undefined! };
    slot.promise = new Promise<void>((resolve) => process.nextTick(resolve)).then(async () => {
      this.reads.delete(k);
      const read = await this.readL2(t, ensureVersions);
      // A parse handed to several callers must not be changed by one of them.
      if (slot.joiners > 0 && (read.kind === 'hit' || read.kind === 'stale')) deepFreeze(read.value);
      return read;
    });
    this.reads.set(k, slot);
    return slot.promise;
  }

  private async readL2(t: Target, ensureVersions: boolean): Promise<L2Read> {
    if (!this.storeUsable(t.category)) return { kind: 'unavailable' };
    try {
      if (this.pending.size > 0) await this.pending.flush();
      const keys = [t.key, this.tagKeyOf(t.category, true)];
      for (const tag of t.tags) keys.push(this.tagKeyOf(tag));
      const values = await this.timed(this.store.mget(keys));
      this.breaker.success();
      const raw = values[0];
      if (raw) {
        const header = decodeHeader(raw);
        const now = this.now();
        if (header && now < header.graceUntil) {
          // Versions are unique per version key, so matching versions also prove the entry has these tags.
          let current: (string | null)[] | undefined = values;
          let tags = t.tags;
          if (!versionsMatch(raw, header, values)) ({ current, tags } = await this.withFactoryTags(raw, header, t, values));
          if (current) {
            try {
              const value = decodeValue(header, raw);
              return { kind: now < header.freshUntil ? 'hit' : 'stale', header, value, versions: current.slice(1) as string[], tags, bytes: 2 * raw.length + 256 };
            } catch (error) {
              this.stats.of(t.category).errors++;
              this.events.emit('error', { category: t.category, op: 'decode', message: String(error) });
            }
          }
        }
      }
      if (!ensureVersions) return { kind: 'miss', versions: undefined };
      return { kind: 'miss', versions: await this.ensureVersions(keys.slice(1), values.slice(1)) };
    } catch (error) {
      this.storeFailure(error, t.category, 'read');
      return { kind: 'unavailable' };
    }
  }

  /** An entry whose factory added tags (ctx.setTags) also needs their versions: one more read, for such entries only. */
  private async withFactoryTags(raw: string, header: EntryHeader, t: Target, values: (string | null)[]): Promise<{ current?: (string | null)[]; tags: readonly string[] }> {
    const all = JSON.parse(headerTagsJson(raw, header)) as string[];
    if (all.length <= t.tags.length || t.tags.some((tag, i) => all[i] !== tag)) return { tags: t.tags };
    const extra = await this.timed(this.store.mget(all.slice(t.tags.length).map((tag) => this.tagKeyOf(tag))));
    const current = [...values, ...extra];
    return versionsMatch(raw, header, current) ? { current, tags: all } : { tags: t.tags };
  }

  /** Missing version keys (never invalidated, expired or evicted) get a fresh unique value: a miss then
   *  stamps real versions, and no old entry can match a version that did not exist when it was written. */
  private async ensureVersions(versionKeys: readonly string[], current: (string | null)[]): Promise<string[]> {
    const missing: StoreOp[] = [];
    current.forEach((v, i) => {
      if (v === null) missing.push({ op: 'setIfAbsent', key: versionKeys[i]!, value: this.newVersion(), ttlMs: this.versionTtlMs });
    });
    if (missing.length === 0) return current as string[];
    const results = await this.timed(this.store.exec(missing));
    let j = 0;
    return current.map((v) => v ?? String(results[j++]));
  }

  /** Versions of tags a factory adds while running (ctx.setTags); undefined when the store cannot say. */
  private async tagVersions(tags: readonly string[]): Promise<string[] | undefined> {
    if (!this.storeUsable()) return undefined;
    try {
      const keys = tags.map((tag) => this.tagKeyOf(tag));
      const versions = await this.ensureVersions(keys, await this.timed(this.store.mget(keys)));
      this.breaker.success();
      return versions;
    } catch (error) {
      this.storeFailure(error, undefined, 'read');
      return undefined;
    }
  }

  /** Version key of a tag (or of a category), memoized: built on every read otherwise. */
  private tagKeyOf(name: string, isCategory = false): string {
    const memoKey = isCategory ? `\u0000${name}` : name;
    let key = this.tagKeyMemo.get(memoKey);
    if (key === undefined) {
      key = isCategory ? categoryKey(this.prefix, name) : tagKey(this.prefix, name);
      if (this.tagKeyMemo.size >= 10_000) this.tagKeyMemo.clear();
      this.tagKeyMemo.set(memoKey, key);
    }
    return key;
  }

  private newVersion(): string {
    return `${this.instanceId}${(++this.versionCounter).toString(36)}${this.now().toString(36)}`;
  }


  /**
   * One computation per key and versions read. Callers share it only if they read the same versions (one
   * that read after an invalidation never joins a computation that started before it), and only while it is
   * younger than lockTimeout: an older one is taken as hung and a new one starts.
   */
  private computeOnce(
    spec: Spec,
    args: unknown[],
    t: Target,
    versions: string[] | undefined,
    snap: number,
    stale: CacheResult<unknown> | undefined,
    forceFresh: boolean,
    lockTimeout: number,
    background = false,
  ): { flight: Flight; started: boolean } {
    const staleId = stale?.id;
    const flightKey = `${t.key}\n${versions ? versions.join('|') : `local:${snap}`}`;
    if (!forceFresh) {
      const running = this.flights.get(flightKey);
      if (running && performance.now() - running.startedAt < lockTimeout) return { flight: running, started: false };
      if (running) this.logger.warn({ cache: this.prefix, key: t.key, ms: Math.round(performance.now() - running.startedAt) }, 'cache computation older than lockTimeout abandoned; running fn again');
      // A caller whose read went out before a flight with the same versions stored its value saw a miss;
      // that value is what it would have read a moment later, so it must not run fn again.
      const landed = this.landed.get(flightKey);
      if (landed && this.now() < landed.freshUntil && landed.id !== staleId) return { flight: { promise: Promise.resolve(landed), startedAt: performance.now() }, started: false };
    }
    const flight: Flight = { startedAt: performance.now(), promise: undefined! };
    const done = () => {
      if (this.flights.get(flightKey) === flight) this.flights.delete(flightKey);
    };
    flight.promise = this.compute(spec, args, t, versions, snap, stale?.value, background).then(
      (c) => {
        done();
        if (c.stored && !c.factoryTags) {
          this.landed.set(flightKey, c);
          setTimeout(() => this.landed.delete(flightKey), LANDED_MS).unref();
        }
        return c;
      },
      (error: unknown) => {
        done();
        throw error;
      },
    );
    // Nobody may be waiting (a refresh, or callers that timed out): the error is theirs, not the process's.
    flight.promise.catch(() => {});
    this.flights.set(flightKey, flight);
    return { flight, started: true };
  }

  private async compute(spec: Spec, args: unknown[], t: Target, versions: string[] | undefined, snap: number, stale: unknown, background: boolean): Promise<Computed> {
    const stats = this.stats.of(t.category);
    const ctx = new ComputeContext(stale, versions ? (tags) => this.tagVersions(tags) : undefined);
    const started = performance.now();
    let value: unknown;
    try {
      value = await spec.fn(ctx, ...(args as never[]));
    } catch (error) {
      stats.fnErrors++;
      const info = { key: t.key, category: t.category, background };
      for (const hook of [spec.onFactoryError, this.onFactoryError]) {
        try {
          hook?.(error, info);
        } catch {
          // A broken hook must not turn into the caller's error.
        }
      }
      throw error;
    } finally {
      this.stats.recordFnTime(t.category, performance.now() - started);
    }
    stats.misses++;
    this.events.emit('miss', { category: t.category, key: t.key, fnMs: performance.now() - started });
    const now = this.now();
    const baseTtl = ctx.ttlSeconds !== undefined ? ctx.ttlSeconds * 1000 : spec.ttlMs;
    const ttlMs = Math.max(1, Math.floor(baseTtl * (1 - spec.config.jitter * this.random())));
    const header = { storedAt: now, freshUntil: now + ttlMs, graceUntil: now + ttlMs + spec.graceMs, id: this.newVersion() };
    if (ctx.skipped) return { value: deepFreeze(value), ...header, stored: false };
    const tags = ctx.tags.length > 0 ? checkTags([...t.tags, ...ctx.tags]) : t.tags;
    // Without the versions of every tag, an entry cannot be checked on read: keep it out of the store.
    const allVersions = versions && ctx.versions ? [...versions, ...ctx.versions] : undefined;
    const c = await this.persist(t, tags, value, header, allVersions, snap);
    return ctx.tags.length > 0 ? { ...c, factoryTags: true } : c;
  }

  /** Encodes, writes to the store (announcing the key on the bus) and to L1. */
  private async persist(
    t: Target,
    tags: readonly string[],
    value: unknown,
    header: { storedAt: number; freshUntil: number; graceUntil: number; id: string },
    versions: string[] | undefined,
    snap: number,
  ): Promise<Computed> {
    const stats = this.stats.of(t.category);
    const raw = encodeEntry({ ...header, versions: versions ?? [], tagsJson: JSON.stringify(tags) }, encodeValue(value));
    const decoded = deepFreeze(decodeValue(decodeHeader(raw)!, raw));
    const bytes = Buffer.byteLength(raw);
    if (bytes > this.maxEntryBytes) {
      this.oversize(t, bytes);
      return { value: decoded, ...header };
    }
    let stored = false;
    if (versions && this.storeUsable()) {
      const ops: StoreOp[] = [{ op: 'set', key: t.key, value: raw, ttlMs: header.graceUntil - header.storedAt }];
      // Keep version keys alive at least as long as the entries stamped with them.
      ops.push({ op: 'extend', key: this.tagKeyOf(t.category, true), ttlMs: this.versionTtlMs });
      for (const tag of tags) ops.push({ op: 'extend', key: this.tagKeyOf(tag), ttlMs: this.versionTtlMs });
      // Other instances drop an older L1 copy of this key (it may have vanished from Redis and been recomputed).
      if (this.bus) ops.push({ op: 'publish', channel: this.bus.channel, message: this.bus.message([], [], [t.key], [header.id]) });
      try {
        await this.timed(this.store.exec(ops));
        this.breaker.success();
        stats.sets++;
        stored = true;
        this.events.emit('set', { category: t.category, key: t.key, bytes });
      } catch (error) {
        this.storeFailure(error, t.category, 'write');
      }
    }
    if (this.l1 && this.l1Usable()) {
      this.l1.set(t.key, { ...header, value: decoded, category: t.category, tags, snap, bytes: 2 * raw.length + 256 }, this.now());
    }
    return { value: decoded, ...header, stored };
  }

  private oversize(t: Target, bytes: number): void {
    this.stats.of(t.category).oversize++;
    this.events.emit('oversize', { category: t.category, key: t.key, bytes, limit: this.maxEntryBytes });
    const now = this.now();
    const last = this.oversizeLogged.get(t.key);
    if (last !== undefined && now - last < OVERSIZE_LOG_MS) return;
    if (this.oversizeLogged.size >= MAX_TRACKED_KEYS) this.oversizeLogged.clear();
    this.oversizeLogged.set(t.key, now);
    this.logger.warn({ cache: this.prefix, category: t.category, key: t.key, bytes, limit: this.maxEntryBytes }, 'cache value over maxEntryBytes: returned but not cached (fn runs on every call)');
  }

  private fillL1(t: Target, h: EntryHeader, value: unknown, tags: readonly string[], bytes: number, snap: number): unknown {
    // A fresh parse is not shared with anyone, so only values that go into L1 need freezing.
    if (!this.l1 || !this.l1Usable()) return value;
    const frozen = deepFreeze(value);
    this.l1.set(
      t.key,
      { value: frozen, storedAt: h.storedAt, freshUntil: h.freshUntil, graceUntil: h.graceUntil, id: h.id, category: t.category, tags, snap, bytes },
      this.now(),
    );
    return frozen;
  }

  /** @internal cachedFn.set */
  async setValue(spec: Spec, args: unknown[], value: unknown): Promise<void> {
    if (!this.enabled) return;
    const t = this.target(spec, args);
    this.dropKeyLocally(t.key);
    const snap = this.l1?.snapshot() ?? 0;
    const read = await this.readL2(t, true);
    if (read.kind === 'unavailable') throw new ServiceUnavailableError('cache store unavailable: value not stored');
    const now = this.now();
    const ttlMs = Math.max(1, Math.floor(spec.ttlMs * (1 - spec.config.jitter * this.random())));
    const header = { storedAt: now, freshUntil: now + ttlMs, graceUntil: now + ttlMs + spec.graceMs, id: this.newVersion() };
    const c = await this.persist(t, t.tags, value, header, read.versions, snap);
    if (!c.stored && this.store.backend !== 'memory') throw new ServiceUnavailableError('cache store unavailable: value not stored');
  }

  /** @internal cachedFn.delete */
  async deleteValue(spec: Spec, args: unknown[]): Promise<void> {
    if (!this.enabled) return;
    const t = this.target(spec, args);
    this.dropKeyLocally(t.key);
    await this.writeKeyOps(t, [{ op: 'del', key: t.key }], 'delete');
  }

  /** @internal cachedFn.expire: rewrites the entry's header with freshUntil = now (compare-and-set on its id). */
  async expireValue(spec: Spec, args: unknown[]): Promise<boolean> {
    if (!this.enabled) return false;
    const t = this.target(spec, args);
    this.dropKeyLocally(t.key);
    const read = await this.readL2(t, false);
    if (read.kind === 'unavailable') throw new ServiceUnavailableError('cache store unavailable: entry not expired');
    if (read.kind === 'miss') return false;
    const h = read.header;
    const now = this.now();
    if (read.kind === 'hit') {
      const raw = encodeEntry({ storedAt: h.storedAt, freshUntil: now, graceUntil: h.graceUntil, id: h.id, versions: read.versions, tagsJson: JSON.stringify(read.tags) }, encodeValue(read.value));
      const headerLine = `m1|${h.enc}|${h.storedAt}|${h.freshUntil}|${h.graceUntil}|${h.id}\n`;
      const results = await this.writeKeyOps(t, [{ op: 'replaceIf', key: t.key, ifStartsWith: headerLine, value: raw, ttlMs: Math.max(1, h.graceUntil - now) }], 'expire');
      if (results[0] !== 1) return false;
    }
    return true;
  }

  private dropKeyLocally(key: string): void {
    this.localGeneration++;
    this.l1?.invalidate([], [], [key]);
    for (const k of this.landed.keys()) if (k.startsWith(`${key}\n`)) this.landed.delete(k);
  }

  /** Key-level writes plus the bus message that drops other L1 copies; 503 when the store cannot take them. */
  private async writeKeyOps(t: Target, ops: StoreOp[], op: string): Promise<(string | number | null)[]> {
    if (!this.storeUsable(t.category)) throw new ServiceUnavailableError(`cache store unavailable: ${op} not done`);
    const all = this.bus ? [...ops, { op: 'publish' as const, channel: this.bus.channel, message: this.bus.message([], [], [t.key]) }] : ops;
    try {
      const results = await this.timed(this.store.exec(all));
      this.breaker.success();
      return results;
    } catch (error) {
      this.storeFailure(error, t.category, op);
      throw new ServiceUnavailableError(`cache store unavailable: ${op} not done`);
    }
  }

  private async invalidate(tags: readonly string[], categories: readonly string[]): Promise<InvalidationReport> {
    const started = performance.now();
    // Local L1 first, so this instance is correct even if the store write below fails.
    this.localGeneration++;
    this.l1?.invalidate(tags, categories);
    for (const c of categories) this.stats.of(c).invalidations++;
    this.stats.tagInvalidations += tags.length;
    if (!this.enabled) return { tags, categories, receivers: 0, ms: 0 };
    if (!this.storeUsable()) {
      this.pending.keep(tags, categories);
      throw new ServiceUnavailableError('cache store unavailable: invalidation not recorded (kept for replay)');
    }
    const all = this.pending.withPending(tags, categories);
    let receivers = 0;
    try {
      receivers = await this.writeVersions(all.tags, all.categories);
      this.breaker.success();
    } catch (error) {
      this.storeFailure(error, categories[0], 'invalidate');
      this.pending.keep(tags, categories);
      throw new ServiceUnavailableError('cache store unavailable: invalidation not recorded (kept for replay)');
    }
    this.pending.recorded(all.tags, all.categories);
    this.events.emit('invalidate', { tags, categories, source: 'local' });
    return { tags, categories, receivers, ms: Math.round((performance.now() - started) * 100) / 100 };
  }

  private async writeVersions(tags: readonly string[], categories: readonly string[]): Promise<number> {
    const ops: StoreOp[] = [
      ...tags.map((tag): StoreOp => ({ op: 'set', key: tagKey(this.prefix, tag), value: this.newVersion(), ttlMs: this.versionTtlMs })),
      ...categories.map((c): StoreOp => ({ op: 'set', key: categoryKey(this.prefix, c), value: this.newVersion(), ttlMs: this.versionTtlMs })),
    ];
    if (this.bus) ops.push({ op: 'publish', channel: this.bus.channel, message: this.bus.message(tags, categories) });
    const results = await this.timed(this.store.exec(ops));
    return this.bus ? Number(results[results.length - 1] ?? 0) : 0;
  }
}

/** The context a factory gets: collects what it asks for; the cache applies it once fn returns. */
class ComputeContext implements FactoryContext {
  ttlSeconds: number | undefined;
  readonly tags: string[] = [];
  /** Versions of `tags`, read when they were added; undefined once one could not be read. */
  versions: string[] | undefined = [];
  skipped = false;

  constructor(
    readonly stale: unknown,
    private readonly readVersions: ((tags: readonly string[]) => Promise<string[] | undefined>) | undefined,
  ) {}

  setTtl(seconds: number): void {
    if (!Number.isFinite(seconds) || seconds <= 0) throw new Error(`ctx.setTtl: ${seconds} is not a positive number of seconds`);
    this.ttlSeconds = seconds;
  }

  async setTags(tags: readonly string[]): Promise<void> {
    checkTags(tags);
    this.tags.push(...tags);
    const read = this.readVersions ? await this.readVersions(tags) : undefined;
    this.versions = read && this.versions ? [...this.versions, ...read] : undefined;
  }

  skip(): void {
    this.skipped = true;
  }
}

function missResult(t: Target, c: Computed): CacheResult<unknown> {
  return { value: c.value, status: 'MISS', layer: 'fn', key: t.key, id: c.id, storedAt: c.storedAt, expiresAt: c.freshUntil, graceUntil: c.graceUntil };
}

function pickTimings(o: Partial<FactoryTimings>): Partial<FactoryTimings> {
  return { timeout: o.timeout, hardTimeout: o.hardTimeout, lockTimeout: o.lockTimeout, graceBackoff: o.graceBackoff };
}

/** Drops undefined fields, so `{ ...defaults, ...defined(partial) }` keeps the defaults. */
function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** @internal a plain fn (Next-style) as a factory that ignores its context */
export function withoutContext<A extends unknown[], R>(fn: (...args: A) => R): (ctx: FactoryContext<unknown>, ...args: A) => R {
  return (_ctx, ...args) => fn(...args);
}

function duplicateForSubscribe(client: Redis | Cluster): Redis | Cluster {
  // The subscriber may queue its SUBSCRIBE until connected; we resubscribe ourselves to know when it is live.
  if (client instanceof Redis) return client.duplicate({ enableOfflineQueue: true, autoResubscribe: false });
  return client.duplicate(undefined, { redisOptions: { ...client.options.redisOptions, enableOfflineQueue: true, autoResubscribe: false } });
}

function checkTags(tags: readonly string[]): readonly string[] {
  if (tags.length > MAX_TAGS) throw new Error(`at most ${MAX_TAGS} tags per entry`);
  for (const t of tags) {
    // Any non-empty string: long or unusual tags are hashed into their key (keys.ts).
    if (typeof t !== 'string' || t.length === 0) throw new Error(`invalid cache tag ${JSON.stringify(t)?.slice(0, 80)}`);
  }
  return tags;
}

const valueOf = <T>(r: CacheResult<T>): T => r.value;

/** Builds a cached function against a lazily resolved cache (the process singleton or an instance). */
export function bindCached<A extends unknown[], R>(
  getCache: () => Cache,
  fn: (ctx: FactoryContext<Awaited<R>>, ...args: A) => R | Promise<R>,
  keyParts: readonly string[],
  options: CachedOptions<A>,
): CachedFunction<A, Awaited<R>> {
  let bound: { cache: Cache; spec: Spec } | undefined;
  const resolveSpec = () => {
    const cache = getCache();
    if (bound?.cache !== cache) bound = { cache, spec: cache.spec(fn as (ctx: FactoryContext<never>, ...args: A) => unknown, keyParts, options) };
    return bound;
  };
  const withOptions = (call: CallOptions | undefined, args: A): Promise<CacheResult<Awaited<R>>> => {
    try {
      const { cache, spec } = resolveSpec();
      return cache.resolve(spec, args, call) as Promise<CacheResult<Awaited<R>>>;
    } catch (error) {
      return Promise.reject(error);
    }
  };
  const withMeta = (...args: A) => withOptions(undefined, args);
  // Not async on purpose: one promise less per hit.
  const call = (...args: A): Promise<Awaited<R>> => withMeta(...args).then(valueOf);
  return Object.assign(call, {
    withMeta,
    withOptions: (options: CallOptions, ...args: A) => withOptions(options, args),
    set: async (value: Awaited<R>, ...args: A) => {
      const { cache, spec } = resolveSpec();
      await cache.setValue(spec, args, value);
    },
    delete: async (...args: A) => {
      const { cache, spec } = resolveSpec();
      await cache.deleteValue(spec, args);
    },
    expire: async (...args: A) => {
      const { cache, spec } = resolveSpec();
      return cache.expireValue(spec, args);
    },
    peek: async (...args: A) => {
      const { cache, spec } = resolveSpec();
      return (await cache.peekTarget(cache.target(spec, args))) as CacheResult<Awaited<R>> | null;
    },
    peekL1: (...args: A) => {
      const { cache, spec } = resolveSpec();
      return cache.peekL1(cache.target(spec, args)) as CacheResult<Awaited<R>> | undefined;
    },
    key: (...args: A) => {
      const { cache, spec } = resolveSpec();
      return cache.target(spec, args).key;
    },
    tags: (...args: A) => resolveSpec().spec.tagsOf(args),
    category: options.category,
  });
}
