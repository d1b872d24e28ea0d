import type { CategoryConfig } from './categories';
import type { CacheEvents } from './events';
import { checkTags } from './keys';
import type { FactoryContext, FactoryErrorInfo, FactoryTimings } from './factory';
import { deepFreeze } from './codec';
import type { CacheStats } from './stats';
import type { CacheLogger, CacheResult } from './types';

export type Factory = (ctx: FactoryContext, ...args: never[]) => unknown;

/** A cached function as the cache sees it (built once per cache by `Cache.spec`). */
export interface Spec {
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

/** One call's entry: its key, category and tags (from the arguments alone). */
export interface Target {
  key: string;
  category: string;
  tags: readonly string[];
}

export interface EntryTimes {
  storedAt: number;
  freshUntil: number;
  graceUntil: number;
  id: string;
}

export interface Computed extends EntryTimes {
  value: unknown;
  /** Written to the store (what a concurrent reader would find there). */
  stored?: boolean;
  /** Has tags added by the factory (a reader's versions do not cover them). */
  factoryTags?: boolean;
}

/** A computation other callers may join until it is older than their lockTimeout. */
export interface Flight {
  promise: Promise<Computed>;
  startedAt: number;
  /** The L1 generation taken before the read that started it; undefined when it may not be joined without a read. */
  snap?: number;
}

export interface RunnerOptions {
  stats: CacheStats;
  events: CacheEvents;
  logger: CacheLogger;
  prefix: string;
  now: () => number;
  random: () => number;
  newId: () => string;
  onFactoryError: ((error: unknown, info: FactoryErrorInfo) => void) | undefined;
  /** Versions of tags a factory adds (ctx.setTags); undefined when the store cannot say. */
  tagVersions: (tags: readonly string[]) => Promise<string[] | undefined>;
  /** Encodes and writes an entry (store + L1). */
  persist: (t: Target, tags: readonly string[], value: unknown, times: EntryTimes, versions: string[] | undefined, snap: number) => Promise<Computed>;
}

/** How long a finished computation is shared with callers whose miss was already in flight. */
const LANDED_MS = 1_000;
const MAX_BACKOFF_KEYS = 10_000;

/**
 * Runs factories: one computation per key and versions read (single flight), abandoned once older than
 * lockTimeout, the factory context, fn-time and error accounting, and grace backoff after failed refreshes.
 */
export class FactoryRunner {
  private readonly flights = new Map<string, Flight>();
  /** Per key, the computation started last and still running (joinLocal). */
  private readonly latest = new Map<string, Flight>();
  /** Flights that just finished, for callers whose miss was read while they ran. */
  private readonly landed = new Map<string, Computed>();
  /** Keys whose refresh failed: no new refresh before this time (graceBackoff). */
  private readonly backoffUntil = new Map<string, number>();

  constructor(private readonly o: RunnerOptions) {}

  /**
   * Starts or joins the computation. Callers share it only if they read the same versions (one that read
   * after an invalidation never joins a computation that started before it), and only while it is younger
   * than lockTimeout: an older one is taken as hung and a new one starts.
   */
  run(
    spec: Spec,
    args: unknown[],
    t: Target,
    versions: string[] | undefined,
    snap: number,
    options: { stale?: CacheResult<unknown>; forceFresh?: boolean; lockTimeout: number; background?: boolean },
  ): { flight: Flight; started: boolean } {
    const flightKey = flightKeyOf(t, versions, snap);
    if (!options.forceFresh) {
      const joined = this.joinable(flightKey, t, options.lockTimeout, options.stale, true);
      if (joined) return { flight: joined, started: false };
    }
    // A refresh of a stale entry is not joined locally: callers that miss L1 read that entry and are answered
    // with it at once, as stale-while-revalidate promises.
    const flight: Flight = { startedAt: performance.now(), promise: undefined!, snap: options.stale ? undefined : snap };
    const done = () => {
      if (this.flights.get(flightKey) === flight) this.flights.delete(flightKey);
      if (this.latest.get(t.key) === flight) this.latest.delete(t.key);
    };
    flight.promise = this.compute(spec, args, t, versions, snap, options.stale?.value, options.background ?? false).then(
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
    this.latest.set(t.key, flight);
    return { flight, started: true };
  }

  /**
   * The computation running here for this key when nothing at all was invalidated in this process since the
   * generation `snap` it took before its read: its answer is then what an L1 entry read at that moment would
   * be, and L1 serves those without asking the store. So a caller that misses L1 may join it without reading
   * the store first, under the same rule as an L1 hit (callers of a 1,000-request stampede skip 1,000 reads).
   */
  joinLocal(t: Target, snap: number, lockTimeout: number): Flight | undefined {
    const f = this.latest.get(t.key);
    return f && f.snap === snap && performance.now() - f.startedAt < lockTimeout ? f : undefined;
  }

  /**
   * The computation run() would join for these versions (in flight and younger than lockTimeout, or just
   * landed), without starting one: undefined when run() would start one.
   */
  join(t: Target, versions: string[] | undefined, snap: number, lockTimeout: number): Flight | undefined {
    return this.joinable(flightKeyOf(t, versions, snap), t, lockTimeout, undefined, false);
  }

  private joinable(flightKey: string, t: Target, lockTimeout: number, stale: CacheResult<unknown> | undefined, warn: boolean): Flight | undefined {
    const running = this.flights.get(flightKey);
    const age = running ? performance.now() - running.startedAt : 0;
    if (running && age < lockTimeout) return running;
    if (running && warn) this.o.logger.warn({ cache: this.o.prefix, key: t.key, ms: Math.round(age) }, 'cache computation older than lockTimeout abandoned; running fn again');
    // A caller whose read went out before a flight with the same versions stored its value saw a miss;
    // that value is what it would have read a moment later, so it must not run fn again.
    const landed = this.landed.get(flightKey);
    if (landed && this.o.now() < landed.freshUntil && landed.id !== stale?.id) return { promise: Promise.resolve(landed), startedAt: performance.now() };
    return undefined;
  }

  /** Refreshes a stale entry unless backing off; a failure starts graceBackoff for the key. Undefined while backing off. */
  refresh(spec: Spec, args: unknown[], t: Target, versions: string[] | undefined, snap: number, stale: CacheResult<unknown>, timings: FactoryTimings): Flight | undefined {
    const until = this.backoffUntil.get(t.key);
    if (until !== undefined && this.o.now() < until) return undefined;
    const { flight, started } = this.run(spec, args, t, versions, snap, { stale, lockTimeout: timings.lockTimeout, background: true });
    if (started) {
      const stats = this.o.stats.of(t.category);
      stats.refreshes++;
      flight.promise.then(
        () => this.backoffUntil.delete(t.key),
        (error: unknown) => {
          stats.refreshErrors++;
          if (timings.graceBackoff > 0) {
            if (this.backoffUntil.size >= MAX_BACKOFF_KEYS) this.backoffUntil.clear();
            this.backoffUntil.set(t.key, this.o.now() + timings.graceBackoff);
          }
          this.o.logger.debug({ cache: this.o.prefix, key: t.key, err: String(error) }, 'refresh failed; stale value kept');
        },
      );
    }
    return flight;
  }

  /** The key was rewritten or removed by hand: a value that landed before must not be reused. */
  forget(key: string): void {
    for (const k of this.landed.keys()) if (k.startsWith(`${key}\n`)) this.landed.delete(k);
  }

  private async compute(spec: Spec, args: unknown[], t: Target, versions: string[] | undefined, snap: number, stale: unknown, background: boolean): Promise<Computed> {
    const { stats: allStats, now, random } = this.o;
    const stats = allStats.of(t.category);
    const ctx = new ComputeContext(stale, versions ? this.o.tagVersions : undefined);
    const started = performance.now();
    let value: unknown;
    try {
      value = await spec.fn(ctx, ...(args as never[]));
    } catch (error) {
      stats.fnErrors++;
      const info = { key: t.key, category: t.category, background };
      for (const hook of [spec.onFactoryError, this.o.onFactoryError]) {
        try {
          hook?.(error, info);
        } catch {
          // A broken hook must not turn into the caller's error.
        }
      }
      throw error;
    } finally {
      allStats.recordFnTime(t.category, performance.now() - started);
    }
    stats.misses++;
    this.o.events.emit('miss', { category: t.category, key: t.key, fnMs: performance.now() - started });
    const at = now();
    const baseTtl = ctx.ttlSeconds !== undefined ? ctx.ttlSeconds * 1000 : spec.ttlMs;
    const ttlMs = Math.max(1, Math.floor(baseTtl * (1 - spec.config.jitter * random())));
    const times = { storedAt: at, freshUntil: at + ttlMs, graceUntil: at + ttlMs + spec.graceMs, id: this.o.newId() };
    if (ctx.skipped) return { value: deepFreeze(value), ...times, stored: false };
    if (ctx.tags.length === 0) return this.o.persist(t, t.tags, value, times, versions, snap);
    // Without the versions of every tag, an entry cannot be checked on read: keep it out of the store.
    const all = versions && ctx.versions ? [...versions, ...ctx.versions] : undefined;
    return { ...(await this.o.persist(t, checkTags([...t.tags, ...ctx.tags]), value, times, all, snap)), factoryTags: true };
  }
}

const flightKeyOf = (t: Target, versions: string[] | undefined, snap: number) => `${t.key}\n${versions ? versions.join('|') : `local:${snap}`}`;

/** The context a factory gets: collects what it asks for; the runner applies it once fn returns. */
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

/** A context for fn when the cache is off: nothing it asks for has any effect. */
export function bypassContext(): FactoryContext {
  return new ComputeContext(undefined, undefined);
}
