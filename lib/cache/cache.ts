import { randomBytes } from 'node:crypto';
import { Redis, type Cluster } from 'ioredis';
import { ServiceUnavailableError } from '@/lib/errors';
import { Breaker, type BreakerOptions, type BreakerState } from './breaker';
import { RedisBus, type BusState } from './bus';
import { CATEGORY_DEFAULTS, longestLifetimeSeconds, type CategoryConfig, type CategoryTable } from './categories';
import { decodeHeader, decodeValue, deepFreeze, encodeEntry, encodeValue, headerTagsJson, headerVersions, versionsMatch, type EntryHeader } from './codec';
import type { EntryCipher } from './encryption';
import { CacheEvents, type CacheEventMap, type CacheEventName } from './events';
import { argsHash, assertCategory, assertPrefix, busChannel, categoryKey, entryKey, functionName, tagKey } from './keys';
import { L1Cache, type L1Options } from './l1';
import { purgeKeys, reclaimDead, type PurgeOptions, type PurgeReport } from './reclaim';
import { PendingInvalidations } from './pending';
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
}

export interface CachedOptions<A extends unknown[]> {
  category: string;
  /** Tags of an entry; may depend on the arguments, e.g. `(id) => ['recommendation:' + id]`. */
  tags?: readonly string[] | ((...args: A) => readonly string[]);
  /** Fresh lifetime in seconds (default: the category's). */
  ttl?: number;
  /** Grace in seconds during which a stale value is served while one refresh runs; false for none. */
  staleWhileRevalidate?: number | false;
}

/** What `cached()` returns: fn's signature (always async), plus metadata helpers for the HTTP layer. */
export interface CachedFunction<A extends unknown[], R> {
  (...args: A): Promise<R>;
  /** Value plus X-Cache status, layer and freshness times. */
  withMeta(...args: A): Promise<CacheResult<R>>;
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

/** A coherence channel besides the Redis bus: L1 entries are trusted only while its lease holds. */
export interface Coherence {
  leaseValid(): boolean;
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

interface Spec {
  category: string;
  config: CategoryConfig;
  name: string;
  fn: (...args: never[]) => unknown;
  tagsOf: (args: unknown[]) => readonly string[];
  ttlMs: number;
  graceMs: number;
}

interface Target {
  key: string;
  category: string;
  tags: readonly string[];
}

type L2Read =
  | { kind: 'hit' | 'stale'; header: EntryHeader; value: unknown; versions: string[]; bytes: number }
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
}

const MAX_TAGS = 32;
/** How long a finished computation is shared with callers whose miss was already in flight. */
const LANDED_MS = 1_000;
/** Longest a store-ready hook keeps reads off the store after a (re)connect. */
const READY_HOOK_TIMEOUT_MS = 3_000;

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
  private readonly events = new CacheEvents();
  private readonly warmers: WarmRegistry;
  private readonly logger: CacheLogger;
  private readonly cipher: EntryCipher | undefined;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly timeoutMs: number;
  private readonly maxEntryBytes: number;
  private readonly versionTtlMs: number;
  private readonly maxPendingTags: number;
  private readonly flights = new Map<string, Promise<Computed>>();
  /** Flights that just finished, for callers whose miss was read while they ran (see computeOnce). */
  private readonly landed = new Map<string, Computed>();
  private readonly refreshing = new Set<string>();
  private readonly pending: PendingInvalidations;
  private coherence: Coherence | undefined;
  /** Set while store-ready hooks run after a (re)connect: the store is not read until they finish. */
  private gate: Promise<void> | undefined;
  private readonly readyHooks: (() => Promise<void>)[] = [];
  private flushing: Promise<void> | undefined;
  private readonly tagKeyMemo = new Map<string, string>();
  private versionCounter = 0;
  private closed = false;

  constructor(options: CacheOptions) {
    this.prefix = assertPrefix(options.prefix);
    this.categories = options.categories ?? CATEGORY_DEFAULTS;
    for (const c of Object.keys(this.categories)) assertCategory(c);
    this.logger = options.logger ?? defaultLogger;
    this.cipher = options.encryption;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.enabled = options.enabled ?? true;
    this.instanceId = options.instanceId ?? randomBytes(6).toString('base64url');
    this.timeoutMs = options.commandTimeoutMs ?? options.redis?.commandTimeoutMs ?? 200;
    this.maxEntryBytes = options.maxEntryBytes ?? 1024 * 1024;
    this.versionTtlMs = options.versionTtlMs ?? Math.max(3_600, longestLifetimeSeconds(this.categories)) * 1000;
    this.maxPendingTags = options.maxPendingTags ?? 10_000;
    this.pending = new PendingInvalidations(() => Object.keys(this.categories), this.maxPendingTags);
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
            this.l1?.invalidate(m.tags, m.categories);
            // The sender wrote it to the store in the same batch as this message.
            if (m.ref) this.pending.settle(m.ref);
            this.events.emit('invalidate', { tags: m.tags, categories: m.categories, source: 'bus', refs: m.ref ? [m.ref] : [] });
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
    this.breaker = new Breaker(
      options.breaker ?? {},
      async () => {
        await this.timed(this.store.ping());
        await this.flushPending();
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
    this.warmers = new WarmRegistry(this.logger);
    if (this.store instanceof RedisStore) {
      const client = this.store.client;
      client.on('ready', () => this.runReadyHooks());
    }
  }

  // ---------------------------------------------------------------- public API

  /** Wraps fn like Next's unstable_cache; see CachedOptions. */
  cached<A extends unknown[], R>(
    fn: (...args: A) => R | Promise<R>,
    keyParts: readonly string[],
    options: CachedOptions<A>,
  ): CachedFunction<A, Awaited<R>> {
    return bindCached(() => this, fn, keyParts, options);
  }

  /** @internal used by bindCached */
  spec<A extends unknown[]>(fn: (...args: A) => unknown, keyParts: readonly string[], options: CachedOptions<A>): Spec {
    const config = this.categories[options.category];
    if (!config) throw new Error(`unknown cache category "${options.category}" (known: ${Object.keys(this.categories).join(', ')})`);
    const tags = options.tags;
    const grace = options.staleWhileRevalidate === false ? 0 : (options.staleWhileRevalidate ?? config.grace);
    return {
      category: options.category,
      config,
      name: functionName(keyParts),
      fn: fn as (...args: never[]) => unknown,
      tagsOf: typeof tags === 'function' ? (args) => checkTags(tags(...(args as A))) : (() => {
        const fixed = checkTags(tags ?? []);
        return () => fixed;
      })(),
      ttlMs: (options.ttl ?? config.ttl) * 1000,
      graceMs: grace * 1000,
    };
  }

  /** @internal */
  target(spec: Spec, args: unknown[]): Target {
    const tags = spec.tagsOf(args);
    return { key: entryKey(this.prefix, spec.category, spec.name, argsHash(args)), category: spec.category, tags };
  }

  /** @internal the read path behind cached functions */
  async resolve(spec: Spec, args: unknown[]): Promise<CacheResult<unknown>> {
    if (!this.enabled) {
      const value = await spec.fn(...(args as never[]));
      this.stats.of(spec.category).bypass++;
      const now = this.now();
      return { value, status: 'BYPASS', layer: 'fn', key: '', id: '', storedAt: now, expiresAt: now, graceUntil: now };
    }
    const t = this.target(spec, args);
    const l1 = this.fromL1(t, true);
    if (l1) {
      if (l1.status === 'STALE') this.refreshInBackground(spec, args, t, undefined);
      return l1;
    }
    const snap = this.l1?.snapshot() ?? 0;
    const read = await this.readL2(t, true);
    if (read.kind === 'hit' || read.kind === 'stale') {
      const h = read.header;
      this.count(t.category, read.kind, 'l2', t.key);
      const value = this.fillL1(t, h, read.value, read.bytes, snap);
      if (read.kind === 'stale') this.refreshInBackground(spec, args, t, read.versions);
      return { value, status: read.kind === 'hit' ? 'HIT' : 'STALE', layer: 'l2', key: t.key, id: h.id, storedAt: h.storedAt, expiresAt: h.freshUntil, graceUntil: h.graceUntil };
    }
    const versions = read.kind === 'miss' ? read.versions : undefined;
    const c = await this.computeOnce(spec, args, t, versions, snap);
    return { value: c.value, status: 'MISS', layer: 'fn', key: t.key, id: c.id, storedAt: c.storedAt, expiresAt: c.freshUntil, graceUntil: c.graceUntil };
  }

  /**
   * @internal A fresh L1 entry, synchronously, or undefined (no L1, bus down, missing, or stale: a stale
   * entry needs its refresh, which only the async paths start). No promise is made on this path.
   */
  peekL1(t: Target): CacheResult<unknown> | undefined {
    return this.enabled ? this.fromL1(t, false) : undefined;
  }

  /** The L1 entry when servable (fresh, or within grace if allowStale), counted as a hit or stale. */
  private fromL1(t: Target, allowStale: boolean): CacheResult<unknown> | undefined {
    if (!this.l1 || !this.l1Usable()) return undefined;
    const e = this.l1.get(t.key);
    const now = this.now();
    if (!e || now >= (allowStale ? e.graceUntil : e.freshUntil)) return undefined;
    const fresh = now < e.freshUntil;
    this.count(t.category, fresh ? 'hit' : 'stale', 'l1', t.key);
    return { value: e.value, status: fresh ? 'HIT' : 'STALE', layer: 'l1', key: t.key, id: e.id, storedAt: e.storedAt, expiresAt: e.freshUntil, graceUntil: e.graceUntil };
  }

  /** @internal read without computing */
  async peekTarget(t: Target): Promise<CacheResult<unknown> | null> {
    if (!this.enabled) return null;
    const l1 = this.fromL1(t, true);
    if (l1) return l1;
    const snap = this.l1?.snapshot() ?? 0;
    const read = await this.readL2(t, false);
    if (read.kind !== 'hit' && read.kind !== 'stale') return null;
    const h = read.header;
    this.count(t.category, read.kind, 'l2', t.key);
    const value = this.fillL1(t, h, read.value, read.bytes, snap);
    return { value, status: read.kind === 'hit' ? 'HIT' : 'STALE', layer: 'l2', key: t.key, id: h.id, storedAt: h.storedAt, expiresAt: h.freshUntil, graceUntil: h.graceUntil };
  }

  /**
   * Raw read of one entry by its full key (from `cachedFn.key(...)`), checked against its tag and category
   * versions. With `tags` given (the route table knows them) this is ONE round trip; without, the tags are
   * taken from the entry and checked with a second read. Returns null on miss, expiry or invalidation.
   */
  async getEntry(category: string, key: string, tags?: readonly string[]): Promise<CacheResult<unknown> | null> {
    if (!this.categories[category]) throw new Error(`unknown cache category "${category}"`);
    if (tags) return this.peekTarget({ key, category, tags: checkTags(tags) });
    if (this.gate || !this.storeUsable()) return null;
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

  /**
   * Applies an invalidation recorded elsewhere (a durable write's outbox row, `ref` = its id): like
   * invalidateTags + invalidateCategory in one batch, and the bus message carries `ref` so other instances
   * know the store has it. Throws ServiceUnavailableError when the store cannot record it (kept pending).
   */
  async apply(change: { tags?: readonly string[]; categories?: readonly string[]; ref?: string }): Promise<InvalidationReport> {
    const categories = change.categories ?? [];
    for (const c of categories) if (!this.categories[c]) throw new Error(`unknown cache category "${c}"`);
    return this.invalidate(checkTags(change.tags ?? [], Infinity), categories, change.ref);
  }

  /**
   * An invalidation another instance recorded: drops this instance's L1 entries at once and keeps it pending
   * (applied to the store before this instance reads the store again) until `settle(ref)` says the store has it.
   */
  defer(ref: string, change: { tags?: readonly string[]; categories?: readonly string[] }): void {
    const tags = change.tags ?? [];
    const categories = (change.categories ?? []).filter((c) => this.categories[c]);
    this.l1?.invalidate(tags, categories);
    if (this.enabled && this.store.backend !== 'memory') this.pending.add(tags, categories, ref);
    this.events.emit('invalidate', { tags, categories, source: 'remote', refs: [ref] });
  }

  /** The store has this deferred invalidation (applied by another instance). */
  settle(ref: string): void {
    this.pending.settle(ref);
  }

  /** Applies every pending invalidation to the store now; false if the store could not take them. */
  async replayPending(): Promise<boolean> {
    if (this.pending.size === 0) return true;
    if (!this.storeUsable()) return false;
    try {
      await this.flushPending();
      this.breaker.success();
      return true;
    } catch (error) {
      this.storeFailure(error, undefined, 'replay');
      return false;
    }
  }

  /**
   * A second coherence channel for L1 (the app's PostgreSQL LISTEN/NOTIFY): while attached, L1 is served only
   * while its lease is valid, whatever the state of the Redis bus.
   */
  attachCoherence(coherence: Coherence | undefined): void {
    this.coherence = coherence;
  }

  /**
   * Runs `hook` each time the store (re)connects, before this instance reads from it again (e.g. re-apply
   * invalidations a restored Redis lost). Reads go to L1/fn while hooks run.
   */
  onStoreReady(hook: () => Promise<void>): void {
    this.readyHooks.push(hook);
    if (this.store.available()) this.runReadyHooks();
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
    await this.bus?.close();
    await this.store.close();
  }

  // ---------------------------------------------------------------- internals

  private l1Usable(): boolean {
    if (this.coherence) return this.coherence.leaseValid();
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

  private async readL2(t: Target, ensureVersions: boolean): Promise<L2Read> {
    // While store-ready hooks run, the store may hold data older than what they re-apply: not read.
    if (this.gate || !this.storeUsable(t.category)) return { kind: 'unavailable' };
    try {
      if (this.pending.size > 0) await this.flushPending();
      const keys = [t.key, this.tagKeyOf(t.category, true)];
      for (const tag of t.tags) keys.push(this.tagKeyOf(tag));
      const values = await this.timed(this.store.mget(keys));
      this.breaker.success();
      const raw = values[0];
      if (raw) {
        const header = decodeHeader(raw);
        const now = this.now();
        // Versions are unique per version key, so matching versions also prove the entry has these tags.
        if (header && now < header.graceUntil && versionsMatch(raw, header, values)) {
          try {
            const value = decodeValue(header, raw, this.cipher);
            const fresh = now < header.freshUntil;
            // Versions are only needed to refresh a stale entry.
            return { kind: fresh ? 'hit' : 'stale', header, value, versions: fresh ? [] : headerVersions(raw, header), bytes: 2 * raw.length + 256 };
          } catch (error) {
            this.stats.of(t.category).errors++;
            this.events.emit('error', { category: t.category, op: 'decode', message: String(error) });
          }
        }
      }
      if (!ensureVersions) return { kind: 'miss', versions: undefined };
      return { kind: 'miss', versions: await this.ensureVersions(keys, values.slice(1)) };
    } catch (error) {
      this.storeFailure(error, t.category, 'read');
      return { kind: 'unavailable' };
    }
  }

  /** Missing version keys (never invalidated, expired or evicted) get a fresh unique value: a miss then
   *  stamps real versions, and no old entry can match a version that did not exist when it was written. */
  private async ensureVersions(keys: string[], current: (string | null)[]): Promise<string[]> {
    const missing: StoreOp[] = [];
    current.forEach((v, i) => {
      if (v === null) missing.push({ op: 'setIfAbsent', key: keys[i + 1]!, value: this.newVersion(), ttlMs: this.versionTtlMs });
    });
    if (missing.length === 0) return current as string[];
    const results = await this.timed(this.store.exec(missing));
    let j = 0;
    return current.map((v) => v ?? String(results[j++]));
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

  private computeOnce(spec: Spec, args: unknown[], t: Target, versions: string[] | undefined, snap: number): Promise<Computed> {
    // Callers share a computation only if they read the same versions: one that read after an
    // invalidation never joins a computation that started before it.
    const flightKey = `${t.key}\n${versions ? versions.join('|') : `local:${snap}`}`;
    const flight = this.flights.get(flightKey);
    if (flight) return flight;
    // A caller whose read went out before a flight with the same versions stored its value saw a miss; that
    // value is what it would have read a moment later, so it must not run fn again.
    const landed = this.landed.get(flightKey);
    if (landed && this.now() < landed.freshUntil) return Promise.resolve(landed);
    const started = this.compute(spec, args, t, versions, snap).then(
      (c) => {
        this.flights.delete(flightKey);
        if (c.stored) {
          this.landed.set(flightKey, c);
          setTimeout(() => this.landed.delete(flightKey), LANDED_MS).unref();
        }
        return c;
      },
      (error: unknown) => {
        this.flights.delete(flightKey);
        throw error;
      },
    );
    this.flights.set(flightKey, started);
    return started;
  }

  private async compute(spec: Spec, args: unknown[], t: Target, versions: string[] | undefined, snap: number): Promise<Computed> {
    const stats = this.stats.of(t.category);
    const started = performance.now();
    let value: unknown;
    try {
      value = await spec.fn(...(args as never[]));
    } catch (error) {
      stats.fnErrors++;
      throw error;
    } finally {
      const ms = performance.now() - started;
      this.stats.recordFnTime(t.category, ms);
    }
    stats.misses++;
    const fnMs = performance.now() - started;
    this.events.emit('miss', { category: t.category, key: t.key, fnMs });
    const now = this.now();
    const jitter = spec.config.jitter;
    const ttlMs = Math.max(1, Math.floor(spec.ttlMs * (1 - jitter * this.random())));
    const header = { storedAt: now, freshUntil: now + ttlMs, graceUntil: now + ttlMs + spec.graceMs, id: this.newVersion(), versions: versions ?? [], tagsJson: JSON.stringify(t.tags) };
    const raw = encodeEntry(header, encodeValue(value, spec.config.patientData ? this.cipher : undefined));
    const decoded = deepFreeze(decodeValue(decodeHeader(raw)!, raw, this.cipher));
    const bytes = Buffer.byteLength(raw);
    if (bytes > this.maxEntryBytes) {
      stats.oversize++;
      this.events.emit('oversize', { category: t.category, key: t.key, bytes, limit: this.maxEntryBytes });
      return { value: decoded, ...header };
    }
    let stored = false;
    if (versions && this.storeUsable()) {
      const ops: StoreOp[] = [{ op: 'set', key: t.key, value: raw, ttlMs: header.graceUntil - now }];
      // Keep version keys alive at least as long as the entries stamped with them.
      ops.push({ op: 'extend', key: categoryKey(this.prefix, t.category), ttlMs: this.versionTtlMs });
      for (const tag of t.tags) ops.push({ op: 'extend', key: tagKey(this.prefix, tag), ttlMs: this.versionTtlMs });
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
      this.l1.set(t.key, { ...header, value: decoded, category: t.category, tags: t.tags, snap, bytes: 2 * raw.length + 256 }, now);
    }
    return { value: decoded, ...header, stored };
  }

  private fillL1(t: Target, h: EntryHeader, value: unknown, bytes: number, snap: number): unknown {
    // A fresh parse is not shared with anyone, so only values that go into L1 need freezing.
    if (!this.l1 || !this.l1Usable()) return value;
    const frozen = deepFreeze(value);
    this.l1.set(
      t.key,
      { value: frozen, storedAt: h.storedAt, freshUntil: h.freshUntil, graceUntil: h.graceUntil, id: h.id, category: t.category, tags: t.tags, snap, bytes },
      this.now(),
    );
    return frozen;
  }

  private refreshInBackground(spec: Spec, args: unknown[], t: Target, versions: string[] | undefined): void {
    if (this.refreshing.has(t.key)) return;
    this.refreshing.add(t.key);
    const stats = this.stats.of(t.category);
    stats.refreshes++;
    const run = async () => {
      const snap = this.l1?.snapshot() ?? 0;
      let v = versions;
      if (!v) {
        const read = await this.readL2(t, true);
        if (read.kind === 'hit') {
          this.fillL1(t, read.header, read.value, read.bytes, snap);
          return;
        }
        v = read.kind === 'miss' ? read.versions : read.kind === 'stale' ? read.versions : undefined;
      }
      await this.computeOnce(spec, args, t, v, snap);
    };
    run()
      .catch((error: unknown) => {
        stats.refreshErrors++;
        this.logger.debug({ cache: this.prefix, key: t.key, err: String(error) }, 'background refresh failed; stale value kept');
      })
      .finally(() => this.refreshing.delete(t.key));
  }

  private async invalidate(tags: readonly string[], categories: readonly string[], ref?: string): Promise<InvalidationReport> {
    const started = performance.now();
    // Local L1 first, so this instance is correct even if the store write below fails.
    this.l1?.invalidate(tags, categories);
    for (const c of categories) this.stats.of(c).invalidations++;
    this.stats.tagInvalidations += tags.length;
    if (!this.enabled) return { tags, categories, receivers: 0, ms: 0 };
    if (!this.storeUsable()) {
      this.pending.add(tags, categories, ref);
      throw new ServiceUnavailableError('cache store unavailable: invalidation not recorded (kept for replay)');
    }
    const before = this.pending.snapshot();
    const allTags = [...new Set([...before.tags, ...tags])];
    const allCategories = [...new Set([...before.categories, ...categories])];
    let receivers = 0;
    try {
      receivers = await this.writeVersions(allTags, allCategories, ref);
      this.breaker.success();
    } catch (error) {
      this.storeFailure(error, categories[0], 'invalidate');
      this.pending.add(tags, categories, ref);
      throw new ServiceUnavailableError('cache store unavailable: invalidation not recorded (kept for replay)');
    }
    this.pending.settleAll(before.refs);
    if (ref) this.pending.settle(ref);
    this.events.emit('invalidate', { tags, categories, source: 'local', refs: [...before.refs, ...(ref ? [ref] : [])] });
    return { tags, categories, receivers, ms: Math.round((performance.now() - started) * 100) / 100 };
  }

  private async writeVersions(tags: readonly string[], categories: readonly string[], ref?: string): Promise<number> {
    const ops: StoreOp[] = [
      ...tags.map((tag): StoreOp => ({ op: 'set', key: tagKey(this.prefix, tag), value: this.newVersion(), ttlMs: this.versionTtlMs })),
      ...categories.map((c): StoreOp => ({ op: 'set', key: categoryKey(this.prefix, c), value: this.newVersion(), ttlMs: this.versionTtlMs })),
    ];
    if (this.bus) ops.push({ op: 'publish', channel: this.bus.channel, message: this.bus.message(tags, categories, ref) });
    const results = await this.timed(this.store.exec(ops));
    return this.bus ? Number(results[results.length - 1] ?? 0) : 0;
  }

  /** Replays invalidations the store missed; runs before any read from the store and before the breaker closes. */
  private flushPending(): Promise<void> {
    if (this.pending.size === 0) return Promise.resolve();
    this.flushing ??= (async () => {
      const { tags, categories, refs } = this.pending.snapshot();
      try {
        await this.writeVersions(tags, categories);
        this.pending.settleAll(refs);
        this.logger.info({ cache: this.prefix, tags: tags.length, categories: categories.length }, 'cache replayed invalidations kept during the outage');
        this.events.emit('invalidate', { tags, categories, source: 'replay', refs });
      } finally {
        this.flushing = undefined;
      }
    })();
    return this.flushing;
  }

  private runReadyHooks(): void {
    if (this.readyHooks.length === 0 || this.closed) return;
    const run = async () => {
      for (const hook of this.readyHooks) {
        let timer: NodeJS.Timeout | undefined;
        const limit = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`timed out after ${READY_HOOK_TIMEOUT_MS} ms`)), READY_HOOK_TIMEOUT_MS);
        });
        try {
          await Promise.race([hook(), limit]);
        } catch (error) {
          // The store is used again anyway: a hook that cannot finish must not turn the cache off for good.
          this.logger.warn({ cache: this.prefix, err: error instanceof Error ? error.message : String(error) }, 'cache store-ready hook failed');
        } finally {
          clearTimeout(timer);
        }
      }
    };
    const gate: Promise<void> = run().finally(() => {
      if (this.gate === gate) this.gate = undefined;
    });
    this.gate = gate;
  }
}

function duplicateForSubscribe(client: Redis | Cluster): Redis | Cluster {
  // The subscriber may queue its SUBSCRIBE until connected; we resubscribe ourselves to know when it is live.
  if (client instanceof Redis) return client.duplicate({ enableOfflineQueue: true, autoResubscribe: false });
  return client.duplicate(undefined, { redisOptions: { ...client.options.redisOptions, enableOfflineQueue: true, autoResubscribe: false } });
}

function checkTags(tags: readonly string[], max = MAX_TAGS): readonly string[] {
  if (tags.length > max) throw new Error(`at most ${max} tags per entry`);
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
  fn: (...args: A) => R | Promise<R>,
  keyParts: readonly string[],
  options: CachedOptions<A>,
): CachedFunction<A, Awaited<R>> {
  let bound: { cache: Cache; spec: Spec } | undefined;
  const resolveSpec = () => {
    const cache = getCache();
    if (bound?.cache !== cache) bound = { cache, spec: cache.spec(fn, keyParts, options) };
    return bound;
  };
  const withMeta = (...args: A): Promise<CacheResult<Awaited<R>>> => {
    try {
      const { cache, spec } = resolveSpec();
      return cache.resolve(spec, args) as Promise<CacheResult<Awaited<R>>>;
    } catch (error) {
      return Promise.reject(error);
    }
  };
  // Not async on purpose: one promise less per hit.
  const call = (...args: A): Promise<Awaited<R>> => withMeta(...args).then(valueOf);
  return Object.assign(call, {
    withMeta,
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
