import { randomBytes } from 'node:crypto';
import { ServiceUnavailableError } from '@/lib/errors';
import type { BreakerOptions, BreakerState } from './breaker';
import type { BusState } from './bus';
import { CATEGORY_DEFAULTS, longestLifetimeSeconds, type CategoryTable } from './categories';
import { decodeHeader, decodeValue, deepFreeze, encodeEntry, encodeValue, headerTagsJson, type EntryHeader } from './codec';
import type { EntryCipher } from './encryption';
import { L1Coherence, type ExternalCoherence } from './coherence';
import { CacheEvents, type CacheEventMap, type CacheEventName } from './events';
import { checkTimings, FACTORY_DEFAULTS, FactoryTimeoutError, within, type FactoryContext, type FactoryErrorInfo, type FactoryTimings } from './factory';
import { bypassContext, FactoryRunner, type Computed, type EntryTimes, type Factory, type Spec, type Target } from './factory-runner';
import { Invalidator, type InvalidationReport } from './invalidation';
import { argsHash, assertCategory, assertPrefix, checkTags, entryKey, functionName } from './keys';
import { L1Cache, type L1Options } from './l1';
import { L2Reader } from './l2-reader';
import { purgeKeys, reclaimDead, type PurgeOptions, type PurgeReport } from './reclaim';
import { CacheStats, type StatsSnapshot } from './stats';
import { StoreGate } from './store-gate';
import { MemoryStore } from './stores/memory-store';
import type { RedisConnectionOptions } from './stores/redis-client';
import { RedisStore } from './stores/redis-store';
import type { Backend, CacheLogger, CacheResult, CacheStore, StoreOp } from './types';
import { VersionKeys } from './versions';
import { WarmRegistry, type WarmOptions, type WarmReport, type Warmer } from './warm';

export type { InvalidationReport } from './invalidation';
export type { ExternalCoherence } from './coherence';

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
  /** Seals the entries of categories marked `patientData` (AES-256-GCM, lib/cache/encryption.ts). */
  encryption?: EntryCipher;
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
   * What withMeta would answer, without starting a computation: fresh, stale (refreshed as withMeta does), or
   * the value of a computation already in flight in this process; null where withMeta would compute (a miss
   * nobody here computes) or throw. For a server's fast path that leaves computing and errors to its router.
   */
  withMetaIfCached(...args: A): Promise<CacheResult<R> | null>;
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

/** What the two tiers hold for a key: a fresh answer, or a stale one (within grace) plus the versions to refresh it. */
interface Found {
  fresh?: CacheResult<unknown>;
  stale?: CacheResult<unknown>;
  versions: string[] | undefined;
  snap: number;
}

/** Longest a store-ready hook keeps reads off the store after a (re)connect. */
const READY_HOOK_TIMEOUT_MS = 3_000;
/** An oversize key is logged at most once per this. */
const OVERSIZE_LOG_MS = 3_600_000;
const MAX_OVERSIZE_KEYS = 10_000;

const defaultLogger: CacheLogger = {
  debug: () => {},
  info: (o, m) => console.info(m, o),
  warn: (o, m) => console.warn(m, o),
  error: (o, m) => console.error(m, o),
};

/**
 * The tiered cache: the read path and the public API. Its parts, each with one job: StoreGate (breaker,
 * timeouts, failure accounting), L2Reader (one MGET per hit, shared by concurrent readers), FactoryRunner
 * (single flight, timeouts, factory context, grace backoff), Invalidator (versions + bus, pending replay),
 * L1Coherence (L1 and the bus). See docs/cache.md.
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
  private readonly gate: StoreGate;
  private readonly coherence: L1Coherence;
  private readonly versions: VersionKeys;
  private readonly reader: L2Reader;
  private readonly runner: FactoryRunner;
  private readonly invalidator: Invalidator;
  private readonly events = new CacheEvents();
  private readonly warmers: WarmRegistry;
  private readonly logger: CacheLogger;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly factoryDefaults: FactoryTimings;
  private readonly oversizeLogged = new Map<string, number>();
  private readonly readyHooks: (() => Promise<void>)[] = [];
  private readonly cipher: EntryCipher | undefined;
  private closed = false;

  constructor(options: CacheOptions) {
    this.prefix = assertPrefix(options.prefix);
    this.categories = options.categories ?? CATEGORY_DEFAULTS;
    for (const [name, c] of Object.entries(this.categories)) {
      assertCategory(name);
      if (c.factory) checkTimings(c.factory, `category ${name}`);
    }
    this.logger = options.logger ?? defaultLogger;
    this.cipher = options.encryption;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.enabled = options.enabled ?? true;
    this.instanceId = options.instanceId ?? randomBytes(6).toString('base64url');
    this.maxEntryBytes = options.maxEntryBytes ?? 1024 * 1024;
    this.factoryDefaults = { ...FACTORY_DEFAULTS, ...checkTimings(options.factory ?? {}, 'cache') };
    this.stats = new CacheStats(this.now);
    const timeoutMs = options.commandTimeoutMs ?? options.redis?.commandTimeoutMs ?? 200;
    this.store = options.store ?? (options.redis ? RedisStore.connect({ commandTimeoutMs: timeoutMs, ...options.redis }) : new MemoryStore());
    const shared = this.store.backend !== 'memory';
    const l1Options = options.l1 ?? (shared ? {} : false);
    const l1 = l1Options === false ? undefined : new L1Cache(l1Options);
    const parts = { prefix: this.prefix, stats: this.stats, events: this.events, logger: this.logger };
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
    this.versions = new VersionKeys(this.prefix, this.instanceId, this.now, versionTtlMs);
    this.invalidator = new Invalidator({
      ...parts,
      gate: this.gate,
      versions: this.versions,
      coherence: this.coherence,
      enabled: this.enabled,
      breaker,
      maxPendingTags: options.maxPendingTags ?? 10_000,
      allCategories: () => Object.keys(this.categories),
    });
    const pending = this.invalidator.pending;
    this.reader = new L2Reader({
      ...parts,
      cipher: this.cipher,
      gate: this.gate,
      versions: this.versions,
      coherence: this.coherence,
      now: this.now,
      beforeRead: () => (pending.size > 0 ? pending.flush() : undefined),
    });
    this.runner = new FactoryRunner({
      ...parts,
      now: this.now,
      random: this.random,
      newId: () => this.versions.next(),
      onFactoryError: options.onFactoryError,
      tagVersions: this.reader.tagVersions,
      persist: (t, tags, value, times, versions, snap) => this.persist(t, tags, value, times, versions, snap),
    });
    this.warmers = new WarmRegistry(this.logger);
    if (this.store instanceof RedisStore) this.store.client.on('ready', () => this.runReadyHooks());
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
      const value = await spec.fn(bypassContext(), ...(args as never[]));
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
    const { flight, started } = this.runner.run(spec, args, t, found.versions, found.snap, { forceFresh, lockTimeout: timings.lockTimeout });
    const waitMs = started ? timings.hardTimeout : Math.min(timings.lockTimeout, timings.hardTimeout);
    const outcome = await within(flight.promise, waitMs);
    if (!outcome.done) {
      const kind = started ? 'hard' : 'lock';
      this.stats.of(t.category).timeouts++;
      this.logger.warn({ cache: this.prefix, key: t.key, kind, ms: waitMs }, 'cache factory timed out; the computation goes on in the background');
      throw new FactoryTimeoutError(t.key, kind, waitMs);
    }
    if ('error' in outcome) throw outcome.error;
    return missResult(t, outcome.value);
  }

  /**
   * @internal What resolve would answer without starting a computation: a fresh value, a stale one (with the
   * refresh and soft wait resolve does), or the result of a computation already in flight in this process,
   * waited for while resolve would still join it. Null when resolve would compute or fail (cache off, a
   * failed or hung computation): whoever calls resolve then does it, and reports the error.
   */
  async resolveIfCached(spec: Spec, args: unknown[]): Promise<CacheResult<unknown> | null> {
    if (!this.enabled) return null;
    const t = this.target(spec, args);
    const found = await this.find(t, true, false);
    if (found.fresh) return found.fresh;
    if (found.stale) return this.serveStale(spec, args, t, found, spec.timings);
    const flight = this.runner.join(t, found.versions, found.snap, spec.timings.lockTimeout);
    if (!flight) return null;
    const waitMs = Math.min(spec.timings.hardTimeout, spec.timings.lockTimeout - (performance.now() - flight.startedAt));
    const outcome = await within(flight.promise, Math.max(0, waitMs));
    return outcome.done && 'value' in outcome ? missResult(t, outcome.value) : null;
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
    const snap = this.coherence.snapshot();
    const read = await this.reader.read(t, ensureVersions);
    const versions = read.kind === 'unavailable' ? undefined : read.versions;
    if (forceFresh) return { versions, snap };
    if ((read.kind === 'hit' || read.kind === 'stale') && (read.kind === 'hit' || !staleL1 || read.header.storedAt >= staleL1.storedAt)) {
      const h = read.header;
      const value = this.fillL1(t, h, read.value, read.tags, read.bytes, snap);
      const result: CacheResult<unknown> = { value, status: read.kind === 'hit' ? 'HIT' : 'STALE', layer: 'l2', key: t.key, id: h.id, storedAt: h.storedAt, expiresAt: h.freshUntil, graceUntil: h.graceUntil };
      if (read.kind === 'stale') return { stale: result, versions, snap };
      this.count(t.category, 'hit', 'l2', t.key);
      return { fresh: result, versions, snap };
    }
    return { stale: staleL1, versions, snap };
  }

  /** A stale value at hand: one refresh (unless backing off), and wait for it up to the soft timeout. */
  private async serveStale(spec: Spec, args: unknown[], t: Target, found: Found, timings: FactoryTimings): Promise<CacheResult<unknown>> {
    const stale = found.stale!;
    const refresh = this.runner.refresh(spec, args, t, found.versions, found.snap, stale, timings);
    if (refresh && timings.timeout > 0) {
      const outcome = await within(refresh.promise, timings.timeout);
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
    const e = this.coherence.get(t.key);
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
    if (!this.gate.usable()) return null;
    try {
      const [raw] = await this.gate.timed(this.store.mget([key]));
      const header = raw ? decodeHeader(raw) : undefined;
      if (!header) return null;
      return this.peekTarget({ key, category, tags: JSON.parse(headerTagsJson(raw!, header)) as string[] });
    } catch (error) {
      this.gate.failure(error, category, 'getEntry');
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
    return this.invalidator.invalidate(checkTags(tags), []);
  }

  async invalidateTag(tag: string): Promise<InvalidationReport> {
    return this.invalidator.invalidate(checkTags([tag]), []);
  }

  /**
   * Applies an invalidation recorded elsewhere (a durable write's outbox row, `ref` = its id): tags and
   * categories in one batch, and the bus message carries `ref` so other instances know the store has it.
   * Throws ServiceUnavailableError when the store cannot record it (kept pending, replayed before reads).
   */
  async apply(change: { tags?: readonly string[]; categories?: readonly string[]; ref?: string }): Promise<InvalidationReport> {
    const categories = change.categories ?? [];
    for (const c of categories) if (!this.categories[c]) throw new Error(`unknown cache category "${c}"`);
    return this.invalidator.invalidate(checkTags(change.tags ?? [], Infinity), categories, change.ref);
  }

  /**
   * An invalidation another instance recorded: drops this instance's L1 entries at once and keeps it pending
   * (applied to the store before this instance reads the store again) until `settle(ref)` says the store has it.
   */
  defer(ref: string, change: { tags?: readonly string[]; categories?: readonly string[] }): void {
    const tags = change.tags ?? [];
    const categories = (change.categories ?? []).filter((c) => this.categories[c]);
    this.coherence.invalidate(tags, categories);
    if (this.enabled && this.store.backend !== 'memory') this.invalidator.pending.keep(tags, categories, ref);
    this.events.emit('invalidate', { tags, categories, source: 'remote', refs: [ref] });
  }

  /** Drops this instance's whole L1 (its coherence channel may have missed invalidations). */
  clearL1(): void {
    this.coherence.l1?.clear();
  }

  /** The store has this deferred invalidation (another instance applied it). */
  settle(ref: string): void {
    this.invalidator.pending.settle(ref);
  }

  /** Applies every pending invalidation to the store now; false if the store could not take them. */
  async replayPending(): Promise<boolean> {
    if (this.invalidator.pending.size === 0) return true;
    if (!this.gate.usable()) return false;
    try {
      await this.invalidator.pending.flush();
      return true;
    } catch {
      return false;
    }
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
   * invalidations a restored Redis lost). Reads go to L1/fn while hooks run; writes go on.
   */
  onStoreReady(hook: () => Promise<void>): void {
    this.readyHooks.push(hook);
    if (this.store.available()) this.runReadyHooks();
  }

  /** Invalidates every entry of a category with one counter bump (memory is reclaimed by purgeCategory/reclaim). */
  async invalidateCategory(category: string): Promise<InvalidationReport> {
    if (!this.categories[category]) throw new Error(`unknown cache category "${category}"`);
    return this.invalidator.invalidate([], [category]);
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
      const pending = this.invalidator.pending.size > 0;
      if (this.enabled && this.store.backend !== 'memory' && (pending || !this.gate.usable())) {
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

  /** Redis INFO fields for the dashboard sampler (summed over Cluster masters). */
  info(): Promise<Record<string, string>> {
    return this.gate.timed(this.store.info());
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
    return reclaimDead(this.store, this.prefix, pattern, (keys) => this.store.mget(keys), (tag) => this.versions.tag(tag), (c) => this.versions.category(c), this.now, options);
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
    await this.coherence.close();
    await this.store.close();
  }


  // ---------------------------------------------------------------- internals

  /** Categories holding patient data are sealed in the store when keys are configured. */
  private cipherFor(category: string): EntryCipher | undefined {
    return this.categories[category]?.patientData ? this.cipher : undefined;
  }

  private runReadyHooks(): void {
    if (this.readyHooks.length === 0 || this.closed) return;
    const run = async () => {
      for (const hook of this.readyHooks) {
        const outcome = await within(hook(), READY_HOOK_TIMEOUT_MS);
        // The store is read again anyway: a hook that cannot finish must not turn the cache off for good.
        if (!outcome.done || 'error' in outcome) {
          // The class and code only: a driver's message can quote the failed SQL with its parameters.
          const error = outcome.done ? (outcome as { error: unknown }).error : undefined;
          const err = !outcome.done ? `timed out after ${READY_HOOK_TIMEOUT_MS} ms` : `${error instanceof Error ? error.name : typeof error} ${String((error as { code?: unknown })?.code ?? '')}`.trim();
          this.logger.warn({ cache: this.prefix, err }, 'cache store-ready hook failed');
        }
      }
    };
    this.gate.holdReads(run());
  }

  private count(category: string, kind: 'hit' | 'stale', layer: 'l1' | 'l2', key: string): void {
    const s = this.stats.of(category);
    if (kind === 'stale') s.staleServed++;
    else if (layer === 'l1') s.hitsL1++;
    else s.hitsL2++;
    this.events.emit(kind, { category, key, layer });
  }

  private fillL1(t: Target, h: EntryHeader, value: unknown, tags: readonly string[], bytes: number, snap: number): unknown {
    // A fresh parse is not shared with anyone, so only values that go into L1 need freezing.
    if (!this.coherence.usable()) return value;
    const frozen = deepFreeze(value);
    this.coherence.set(t.key, { value: frozen, storedAt: h.storedAt, freshUntil: h.freshUntil, graceUntil: h.graceUntil, id: h.id, category: t.category, tags, snap, bytes }, this.now());
    return frozen;
  }

  /** Encodes, writes to the store (announcing the key and its new id on the bus) and to L1. */
  private async persist(t: Target, tags: readonly string[], value: unknown, times: EntryTimes, versions: string[] | undefined, snap: number): Promise<Computed> {
    const stats = this.stats.of(t.category);
    const raw = encodeEntry({ ...times, versions: versions ?? [], tagsJson: JSON.stringify(tags) }, encodeValue(value, this.cipherFor(t.category)));
    const decoded = deepFreeze(decodeValue(decodeHeader(raw)!, raw, this.cipher));
    const bytes = Buffer.byteLength(raw);
    if (bytes > this.maxEntryBytes) {
      this.oversize(t, bytes);
      return { value: decoded, ...times };
    }
    let stored = false;
    if (versions && this.gate.usable()) {
      const ops: StoreOp[] = [{ op: 'set', key: t.key, value: raw, ttlMs: times.graceUntil - times.storedAt }];
      // Keep version keys alive at least as long as the entries stamped with them.
      ops.push({ op: 'extend', key: this.versions.category(t.category), ttlMs: this.versions.ttlMs });
      for (const tag of tags) ops.push({ op: 'extend', key: this.versions.tag(tag), ttlMs: this.versions.ttlMs });
      // Other instances drop an older L1 copy of this key (it may have vanished from Redis and been recomputed).
      const message = this.coherence.announce([], [], [t.key], [times.id]);
      if (message) ops.push(message);
      try {
        await this.gate.timed(this.store.exec(ops));
        this.gate.success();
        stats.sets++;
        stored = true;
        this.events.emit('set', { category: t.category, key: t.key, bytes });
      } catch (error) {
        this.gate.failure(error, t.category, 'write');
      }
    }
    this.coherence.set(t.key, { ...times, value: decoded, category: t.category, tags, snap, bytes: 2 * raw.length + 256 }, this.now());
    return { value: decoded, ...times, stored };
  }

  private oversize(t: Target, bytes: number): void {
    this.stats.of(t.category).oversize++;
    this.events.emit('oversize', { category: t.category, key: t.key, bytes, limit: this.maxEntryBytes });
    const now = this.now();
    const last = this.oversizeLogged.get(t.key);
    if (last !== undefined && now - last < OVERSIZE_LOG_MS) return;
    if (this.oversizeLogged.size >= MAX_OVERSIZE_KEYS) this.oversizeLogged.clear();
    this.oversizeLogged.set(t.key, now);
    this.logger.warn({ cache: this.prefix, category: t.category, key: t.key, bytes, limit: this.maxEntryBytes }, 'cache value over maxEntryBytes: returned but not cached (fn runs on every call)');
  }

  /** @internal cachedFn.set */
  async setValue(spec: Spec, args: unknown[], value: unknown): Promise<void> {
    if (!this.enabled) return;
    const t = this.target(spec, args);
    this.dropKeyLocally(t.key);
    const snap = this.coherence.snapshot();
    const read = await this.reader.readNow(t, true);
    if (read.kind === 'unavailable') throw new ServiceUnavailableError('cache store unavailable: value not stored');
    const now = this.now();
    const ttlMs = Math.max(1, Math.floor(spec.ttlMs * (1 - spec.config.jitter * this.random())));
    const times = { storedAt: now, freshUntil: now + ttlMs, graceUntil: now + ttlMs + spec.graceMs, id: this.versions.next() };
    const c = await this.persist(t, t.tags, value, times, read.versions, snap);
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
    const read = await this.reader.readNow(t, false);
    if (read.kind === 'unavailable') throw new ServiceUnavailableError('cache store unavailable: entry not expired');
    if (read.kind === 'miss') return false;
    if (read.kind === 'stale') return true;
    const h = read.header;
    const now = this.now();
    const raw = encodeEntry({ storedAt: h.storedAt, freshUntil: now, graceUntil: h.graceUntil, id: h.id, versions: read.versions, tagsJson: JSON.stringify(read.tags) }, encodeValue(read.value, this.cipherFor(t.category)));
    const headerLine = `m1|${h.enc}|${h.storedAt}|${h.freshUntil}|${h.graceUntil}|${h.id}\n`;
    const results = await this.writeKeyOps(t, [{ op: 'replaceIf', key: t.key, ifStartsWith: headerLine, value: raw, ttlMs: Math.max(1, h.graceUntil - now) }], 'expire');
    return results[0] === 1;
  }

  private dropKeyLocally(key: string): void {
    this.coherence.invalidate([], [], [key]);
    this.runner.forget(key);
  }

  /** Key-level writes plus the bus message that drops other L1 copies; 503 when the store cannot take them. */
  private async writeKeyOps(t: Target, ops: StoreOp[], op: string): Promise<(string | number | null)[]> {
    if (!this.gate.usable(t.category)) throw new ServiceUnavailableError(`cache store unavailable: ${op} not done`);
    const message = this.coherence.announce([], [], [t.key]);
    try {
      const results = await this.gate.timed(this.store.exec(message ? [...ops, message] : ops));
      this.gate.success();
      return results;
    } catch (error) {
      this.gate.failure(error, t.category, op);
      throw new ServiceUnavailableError(`cache store unavailable: ${op} not done`);
    }
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
    withMetaIfCached: async (...args: A) => {
      const { cache, spec } = resolveSpec();
      return (await cache.resolveIfCached(spec, args)) as CacheResult<Awaited<R>> | null;
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
