import { randomBytes } from 'node:crypto';
import { CacheAdmin } from './admin';
import type { BreakerOptions, BreakerState } from './breaker';
import type { BusState } from './bus';
import { bindCached, CACHE_CORE, withoutContext, type CacheCore, type CachedFunction, type CachedOptions } from './cached-function';
import { longestLifetimeSeconds, type CategoryTable } from './categories';
import type { EntryCipher } from './encryption';
import { L1Coherence, type ExternalCoherence } from './coherence';
import { EntryWriter } from './entry-writer';
import { CacheEvents, type CacheEventMap, type CacheEventName } from './events';
import { checkTimings, FACTORY_DEFAULTS, type FactoryContext, type FactoryErrorInfo, type FactoryTimings } from './factory';
import { FactoryRunner } from './factory-runner';
import { Invalidator, type InvalidationReport } from './invalidation';
import { assertCategory, assertPrefix, checkTags } from './keys';
import { L1Cache, type L1Options } from './l1';
import { L2Reader } from './l2-reader';
import { ReadPath } from './read-path';
import { CacheStats, type StatsSnapshot } from './stats';
import { StoreGate } from './store-gate';
import { MemoryStore } from './stores/memory-store';
import type { RedisConnectionOptions } from './stores/redis-client';
import { RedisStore } from './stores/redis-store';
import type { Backend, CacheLogger, CacheResult, CacheStore } from './types';
import { VersionKeys } from './versions';
import { WarmRegistry, type WarmOptions, type WarmReport, type Warmer } from './warm';

export type { InvalidationReport } from './invalidation';
export type { ExternalCoherence } from './coherence';
export type { CachedFunction, CachedOptions, CallOptions } from './cached-function';

export interface CacheOptions {
  /** Namespace of every key (tests use one each). */
  prefix: string;
  /** The shared store (L2). Default: a MemoryStore, or a RedisStore when `redis` is given. */
  store?: CacheStore;
  /** Connect a RedisStore (and the bus) from a URL. */
  redis?: RedisConnectionOptions;
  /** The app's category table (the core names none of its own). */
  categories: CategoryTable;
  /** In-process L1 in front of a shared store. Default on with Redis, off for a MemoryStore (it is already in-process). */
  l1?: false | L1Options;
  /** L1 coherence over Redis pub/sub. Default on when the store is Redis and L1 is on. */
  bus?: boolean;
  /** Longest a store call may take before it counts as failed (StoreGate.timed). Default 200 ms. */
  commandTimeoutMs?: number;
  breaker?: BreakerOptions;
  /** Largest encoded entry stored; bigger values are returned but not cached (counted as oversize). Default 1 MiB. */
  maxEntryBytes?: number;
  /** Lifetime of tag/category version keys. Default: longest category lifetime (ttl + grace), min 1 h. */
  versionTtlMs?: number;
  logger?: CacheLogger;
  /** Seals the entries of categories marked `patientData` (AES-256-GCM, lib/cache/encryption.ts). */
  encryption?: EntryCipher;
  /** Clock for freshness decisions (store TTLs stay real time). */
  now?: () => number;
  random?: () => number;
  /** false → every cached function calls fn directly (CACHE_ENABLED=false). */
  enabled?: boolean;
  /** Names this process on the bus and in ids it makes; unique per process life (default: 48 random bits). */
  instanceId?: string;
  /** Pending (unrecorded) invalidations kept for replay before they collapse into whole-category ones. */
  maxPendingTags?: number;
  /** Defaults of the factory timeouts and grace backoff (ms) under the categories' own. */
  factory?: Partial<FactoryTimings>;
  /** Called on every failed fn (foreground or background refresh), after it is counted. */
  onFactoryError?: (error: unknown, info: FactoryErrorInfo) => void;
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

/** ioredis's commandTimeout under the gate's (see the constructor). */
const BACKSTOP_MS = 10_000;

const defaultLogger: CacheLogger = {
  debug: () => {},
  info: (o, m) => console.info(m, o),
  warn: (o, m) => console.warn(m, o),
  error: (o, m) => console.error(m, o),
};

/**
 * The tiered cache: the facade and its wiring. Each part has one job (docs/cache.md):
 * - ReadPath (read-path.ts): L1, then L2, then one computation or a stale value while one refresh runs;
 * - L2Reader (l2-reader.ts): one MGET per hit, shared by concurrent readers; FactoryRunner (factory-runner.ts):
 *   single flight, timeouts, factory context, grace backoff;
 * - EntryWriter (entry-writer.ts): encoding (codec.ts), sealing, writes and by-hand set/delete/expire;
 * - Invalidator (invalidation.ts): versions + bus, with PendingInvalidations replayed before reads;
 * - L1Coherence (coherence.ts): the L1 (l1.ts) and the bus (bus.ts); StoreGate (store-gate.ts): breaker,
 *   timeouts, failure accounting and store-ready hooks over a store (stores/);
 * - CacheAdmin (admin.ts): scan, info, purge, reclaim, for operators.
 * Cached functions reach the read path and writer through CACHE_CORE (cached-function.ts), not through
 * members of this class.
 */
export class Cache {
  readonly prefix: string;
  readonly store: CacheStore;
  readonly categories: CategoryTable;
  readonly instanceId: string;
  readonly enabled: boolean;
  readonly stats: CacheStats;
  /** Largest encoded entry stored; bigger values are returned uncached (counted as oversize). */
  readonly maxEntryBytes: number;
  /** The operators' surface: keyspace scan, INFO, purge, reclaim. */
  readonly admin: CacheAdmin;
  readonly [CACHE_CORE]: CacheCore;
  private readonly gate: StoreGate;
  private readonly coherence: L1Coherence;
  private readonly invalidator: Invalidator;
  private readonly events = new CacheEvents();
  private readonly warmers: WarmRegistry;
  private closed = false;

  constructor(options: CacheOptions) {
    this.prefix = assertPrefix(options.prefix);
    this.categories = options.categories;
    for (const [name, c] of Object.entries(this.categories)) {
      assertCategory(name);
      if (c.factory) checkTimings(c.factory, `category ${name}`);
    }
    const logger = options.logger ?? defaultLogger;
    const now = options.now ?? Date.now;
    const random = options.random ?? Math.random;
    this.enabled = options.enabled ?? true;
    this.instanceId = options.instanceId ?? randomBytes(6).toString('base64url');
    this.maxEntryBytes = options.maxEntryBytes ?? 1024 * 1024;
    const factoryDefaults: FactoryTimings = { ...FACTORY_DEFAULTS, ...checkTimings(options.factory ?? {}, 'cache') };
    this.stats = new CacheStats(now);
    const timeoutMs = options.commandTimeoutMs ?? options.redis?.commandTimeoutMs ?? 200;
    // ioredis's own timeout is a plain timer: after one long event-loop turn it fires before a reply that came in
    // time is read (StoreGate.timed, which keeps the time, says why). So it is only a backstop that frees a command
    // Redis never answers, far above any turn an overloaded process takes (over a second was seen in npm run bench).
    this.store = options.store ?? (options.redis ? RedisStore.connect({ ...options.redis, commandTimeoutMs: Math.max(BACKSTOP_MS, 10 * timeoutMs) }) : new MemoryStore());
    const shared = this.store.backend !== 'memory';
    const l1Options = options.l1 ?? (shared ? {} : false);
    const l1 = l1Options === false ? undefined : new L1Cache(l1Options);
    const parts = { prefix: this.prefix, stats: this.stats, events: this.events, logger };
    this.coherence = new L1Coherence({
      ...parts,
      l1,
      store: this.store,
      bus: options.bus ?? (shared && l1 !== undefined),
      instanceId: this.instanceId,
      onSettled: (ref) => this.invalidator.pending.settle(ref),
    });
    const breaker: BreakerOptions = options.breaker ?? {};
    this.gate = new StoreGate({ ...parts, store: this.store, timeoutMs, breaker, onProbe: () => this.invalidator.pending.flush() });
    const versionTtlMs = options.versionTtlMs ?? Math.max(3_600, longestLifetimeSeconds(this.categories)) * 1000;
    const versions = new VersionKeys(this.prefix, this.instanceId, now, versionTtlMs);
    this.invalidator = new Invalidator({
      ...parts,
      gate: this.gate,
      versions,
      coherence: this.coherence,
      enabled: this.enabled,
      breaker,
      maxPendingTags: options.maxPendingTags ?? 10_000,
      allCategories: () => Object.keys(this.categories),
    });
    const pending = this.invalidator.pending;
    const reader = new L2Reader({
      ...parts,
      cipher: options.encryption,
      gate: this.gate,
      versions,
      coherence: this.coherence,
      now,
      beforeRead: () => (pending.size > 0 ? pending.flush() : undefined),
    });
    const common = { ...parts, enabled: this.enabled, categories: this.categories, now, gate: this.gate, coherence: this.coherence };
    const writer: EntryWriter = new EntryWriter({
      ...common,
      maxEntryBytes: this.maxEntryBytes,
      cipher: options.encryption,
      random,
      versions,
      reader,
      forget: (key) => runner.forget(key),
    });
    const runner: FactoryRunner = new FactoryRunner({
      ...parts,
      now,
      random,
      newId: () => versions.entryId(),
      onFactoryError: options.onFactoryError,
      tagVersions: reader.tagVersions,
      persist: (t, tags, value, times, vs, snap) => writer.persist(t, tags, value, times, vs, snap),
    });
    const read = new ReadPath({ ...common, reader, runner });
    this[CACHE_CORE] = { categories: this.categories, factoryDefaults, read, writer };
    this.admin = new CacheAdmin({ prefix: this.prefix, store: this.store, gate: this.gate, versions, now, invalidateCategory: (c) => this.invalidateCategory(c) });
    this.warmers = new WarmRegistry(logger);
    if (this.store instanceof RedisStore) this.store.client.on('ready', () => this.gate.runReadyHooks());
  }

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

  /**
   * Raw read of one entry by its full key (from `cachedFn.key(...)`), checked against its tag and category
   * versions. With `tags` given (the route table knows them) this is ONE round trip; without, the tags are
   * taken from the entry and checked with a second read. Returns null on miss, expiry or invalidation.
   */
  getEntry(category: string, key: string, tags?: readonly string[]): Promise<CacheResult<unknown> | null> {
    return this[CACHE_CORE].read.getEntry(category, key, tags);
  }

  /**
   * Invalidates tags: O(1) per tag whatever the number of entries under it. When it returns, no read on
   * this instance or from the store returns a value computed before the call; other instances' L1 drop
   * the tags within one pub/sub delivery. Throws ServiceUnavailableError when the store cannot record it
   * (the invalidation is then kept and replayed before this instance reads the store again).
   */
  async invalidateTags(tags: readonly string[]): Promise<InvalidationReport> {
    return this.invalidator.invalidate(checkTags(tags), []);
  }

  async invalidateTag(tag: string): Promise<InvalidationReport> {
    return this.invalidator.invalidate(checkTags([tag]), []);
  }

  /** Invalidates every entry of a category with one counter bump (memory is reclaimed by admin.purge/reclaim). */
  async invalidateCategory(category: string): Promise<InvalidationReport> {
    this.knownCategory(category);
    return this.invalidator.invalidate([], [category]);
  }

  /**
   * Applies an invalidation recorded elsewhere (a durable write's outbox row, `ref` = its id): tags and
   * categories in one batch, and the bus message carries `ref` so other instances know the store has it.
   * Throws ServiceUnavailableError when the store cannot record it (kept pending, replayed before reads).
   */
  async apply(change: { tags?: readonly string[]; categories?: readonly string[]; ref?: string }): Promise<InvalidationReport> {
    const categories = change.categories ?? [];
    for (const c of categories) this.knownCategory(c);
    return this.invalidator.invalidate(checkTags(change.tags ?? [], Infinity), categories, change.ref);
  }

  /**
   * An invalidation another instance recorded: drops this instance's L1 entries at once and keeps it pending
   * (applied to the store before this instance reads the store again) until `settle(ref)` says the store has it.
   */
  defer(ref: string, change: { tags?: readonly string[]; categories?: readonly string[] }): void {
    this.invalidator.defer(ref, change.tags ?? [], (change.categories ?? []).filter((c) => this.categories[c]));
  }

  /** The store has this deferred invalidation (another instance applied it). */
  settle(ref: string): void {
    this.invalidator.pending.settle(ref);
  }

  /** Applies every pending invalidation to the store now; false if the store could not take them. */
  replayPending(): Promise<boolean> {
    return this.invalidator.replay();
  }

  /** Drops this instance's whole L1 (its coherence channel may have missed invalidations). */
  clearL1(): void {
    this.coherence.l1?.clear();
  }

  /**
   * A second coherence channel for L1 (the app's PostgreSQL LISTEN/NOTIFY): while attached, L1 is served only
   * while its lease is valid, whatever the state of the Redis bus.
   */
  attachCoherence(coherence: ExternalCoherence | undefined): void {
    this.coherence.external = coherence;
  }

  /**
   * Runs `hook` each time the store (re)connects, before this instance reads from it again (e.g. re-apply
   * invalidations a restored Redis lost). Reads wait for hooks up to the store timeout, then go to L1/fn; writes go on.
   */
  onStoreReady(hook: () => Promise<void>): void {
    this.gate.onReady(hook);
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
      this.invalidator.assertWritable();
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
      latencyMs = Math.round((await this.gate.timed(this.store.ping())) * 100) / 100;
      reachable = true;
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
    const { l1, bus } = this.coherence;
    return {
      enabled: this.enabled,
      backend: this.store.backend,
      reachable,
      latencyMs,
      ...(error ? { error } : {}),
      breaker: this.gate.breaker.state,
      bus: bus ? bus.state : 'disabled',
      l1: { enabled: l1 !== undefined, entries: l1?.size ?? 0, bytes: l1?.bytes ?? 0, maxBytes: l1?.maxBytes ?? 0 },
      pendingInvalidations: this.invalidator.pending.size,
      instanceId: this.instanceId,
    };
  }

  registerWarmer(category: string, warmer: Warmer): void {
    this.knownCategory(category);
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

  /** Resolves when the store connection is ready (Redis) or immediately. */
  async ready(timeoutMs = 5_000): Promise<void> {
    if (this.store instanceof RedisStore) await this.store.ready(timeoutMs);
    const { bus } = this.coherence;
    if (bus) {
      const deadline = Date.now() + timeoutMs;
      while (!bus.connected()) {
        if (Date.now() > deadline) throw new Error('cache bus not connected');
        await new Promise((r) => setTimeout(r, 5));
      }
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.gate.close();
    this.invalidator.stop();
    await this.admin.close();
    await this.coherence.close();
    await this.store.close();
  }

  private knownCategory(category: string): void {
    if (!this.categories[category]) throw new Error(`unknown cache category "${category}"`);
  }
}
