import type { CategoryTable } from './categories';
import { decodeHeader, deepFreeze, headerTagsJson, type EntryHeader } from './codec';
import type { L1Coherence } from './coherence';
import type { CacheEvents } from './events';
import { checkTimings, FactoryTimeoutError, within, type FactoryTimings } from './factory';
import { bypassContext, type Computed, type FactoryRunner, type Flight, type Spec, type Target } from './factory-runner';
import { argsHash, checkTags, entryKey } from './keys';
import type { L2Reader } from './l2-reader';
import type { CacheStats } from './stats';
import type { StoreGate } from './store-gate';
import type { CacheLogger, CacheResult } from './types';

/** Per call: timeouts, and forceFresh to skip both tiers and run fn. */
export interface CallOptions extends Partial<FactoryTimings> {
  forceFresh?: boolean;
}

export interface ReadPathOptions {
  prefix: string;
  enabled: boolean;
  categories: CategoryTable;
  stats: CacheStats;
  events: CacheEvents;
  logger: CacheLogger;
  now: () => number;
  gate: StoreGate;
  coherence: L1Coherence;
  reader: L2Reader;
  runner: FactoryRunner;
}

/** What the two tiers hold for a key: a fresh answer, or a stale one (within grace) plus the versions to refresh it. */
interface Found {
  fresh?: CacheResult<unknown>;
  stale?: CacheResult<unknown>;
  /** A computation running here that may be joined without a store read (FactoryRunner.joinLocal). */
  flight?: Flight;
  versions: string[] | undefined;
  snap: number;
}

/**
 * The read path behind cached functions: L1, then L2 (one shared read), then one computation (single
 * flight) or a stale value while one refresh runs; hits and stale answers are counted here.
 */
export class ReadPath {
  constructor(private readonly o: ReadPathOptions) {}

  /** One call's entry: its key, category and tags. */
  target(spec: Spec, args: unknown[]): Target {
    return new EntryTarget(entryKey(this.o.prefix, spec.category, spec.name, argsHash(args)), spec, args);
  }

  async resolve(spec: Spec, args: unknown[], call?: CallOptions): Promise<CacheResult<unknown>> {
    if (!this.o.enabled) {
      const value = await spec.fn(bypassContext(), ...(args as never[]));
      this.o.stats.of(spec.category).bypass++;
      const now = this.o.now();
      return { value, status: 'BYPASS', layer: 'fn', key: '', id: '', storedAt: now, expiresAt: now, graceUntil: now };
    }
    const t = this.target(spec, args);
    const timings = call ? { ...spec.timings, ...defined(checkTimings(pickTimings(call), 'call')) } : spec.timings;
    const forceFresh = call?.forceFresh === true;
    const found = await this.find(t, true, forceFresh, timings.lockTimeout);
    if (found.fresh) return found.fresh;
    if (found.stale) return this.serveStale(spec, args, t, found, timings);
    const { flight, started } = found.flight ? { flight: found.flight, started: false } : this.o.runner.run(spec, args, t, found.versions, found.snap, { forceFresh, lockTimeout: timings.lockTimeout });
    const waitMs = started ? timings.hardTimeout : Math.min(timings.lockTimeout, timings.hardTimeout);
    const outcome = await within(flight.promise, waitMs);
    if (!outcome.done) {
      const kind = started ? 'hard' : 'lock';
      this.o.stats.of(t.category).timeouts++;
      this.o.logger.warn({ cache: this.o.prefix, key: t.key, kind, ms: waitMs }, 'cache factory timed out; the computation goes on in the background');
      throw new FactoryTimeoutError(t.key, kind, waitMs);
    }
    if ('error' in outcome) throw outcome.error;
    return missResult(t, outcome.value);
  }

  /**
   * What resolve answers, short of its errors: a fresh value, a stale one (with the refresh and soft wait resolve
   * does), or the result of the computation resolve would wait for — one in flight in this process, or the one it
   * would start, started here — waited for until one soft timeout before resolve would give up on it (its lock
   * expires). Null when the computation fails or is still running then, and when the cache is off: whoever calls
   * resolve then (with what is left of the hard timeout) joins it or computes again, and reports the error. One
   * read of the tiers, where a peek and then resolve read them twice.
   */
  async resolveQuick(spec: Spec, args: unknown[]): Promise<CacheResult<unknown> | null> {
    if (!this.o.enabled) return null;
    const t = this.target(spec, args);
    const { lockTimeout, hardTimeout, timeout } = spec.timings;
    const found = await this.find(t, true, false, lockTimeout);
    if (found.fresh) return found.fresh;
    if (found.stale) return this.serveStale(spec, args, t, found, spec.timings);
    const joined = found.flight ?? this.o.runner.join(t, found.versions, found.snap, lockTimeout);
    const flight = joined ?? this.o.runner.run(spec, args, t, found.versions, found.snap, { lockTimeout }).flight;
    // The soft timeout left over is the route handler's: it joins the computation before the lock expires.
    const limit = Math.min(hardTimeout, lockTimeout - (performance.now() - flight.startedAt));
    const outcome = await within(flight.promise, Math.max(timeout, limit - timeout));
    return outcome.done && 'value' in outcome ? missResult(t, outcome.value) : null;
  }

  /**
   * L1 then L2 (one shared read): a fresh answer from either (counted as a hit), else the newest stale one
   * within grace (not counted yet), with the versions a refresh must stamp. A stale L1 entry never hides a
   * fresher Redis one. With `joinWithin` (a lockTimeout), a miss in L1 while this key's computation runs here
   * under L1's rule joins it instead of reading the store.
   */
  private async find(t: Target, ensureVersions: boolean, forceFresh: boolean, joinWithin?: number): Promise<Found> {
    let staleL1: CacheResult<unknown> | undefined;
    if (!forceFresh) {
      const l1 = this.l1Result(t, true);
      if (l1?.status === 'HIT') {
        this.count(t.category, 'hit', 'l1', t.key);
        return { fresh: l1, versions: undefined, snap: 0 };
      }
      staleL1 = l1;
    }
    const snap = this.o.coherence.snapshot();
    if (joinWithin !== undefined && !forceFresh && !staleL1 && this.o.coherence.usable()) {
      const flight = this.o.runner.joinLocal(t, snap, joinWithin);
      if (flight) return { flight, versions: undefined, snap };
    }
    const read = await this.o.reader.read(t, ensureVersions);
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
    const refresh = this.o.runner.refresh(spec, args, t, found.versions, found.snap, stale, timings);
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
   * A fresh L1 entry, synchronously, or undefined (no L1, bus down, missing, or stale: a stale entry needs
   * its refresh, which only the async paths start). No promise is made on this path.
   */
  peekL1(t: Target): CacheResult<unknown> | undefined {
    if (!this.o.enabled) return undefined;
    const r = this.l1Result(t, false);
    if (r) this.count(t.category, 'hit', 'l1', t.key);
    return r;
  }

  /** The L1 entry when servable (fresh, or within grace if allowStale); not counted. */
  private l1Result(t: Target, allowStale: boolean): CacheResult<unknown> | undefined {
    const e = this.o.coherence.get(t.key);
    const now = this.o.now();
    if (!e || now >= (allowStale ? e.graceUntil : e.freshUntil)) return undefined;
    const fresh = now < e.freshUntil;
    return { value: e.value, status: fresh ? 'HIT' : 'STALE', layer: 'l1', key: t.key, id: e.id, storedAt: e.storedAt, expiresAt: e.freshUntil, graceUntil: e.graceUntil };
  }

  /** Reads without computing; null on a miss. */
  async peek(t: Target): Promise<CacheResult<unknown> | null> {
    if (!this.o.enabled) return null;
    const found = await this.find(t, false, false);
    if (found.fresh) return found.fresh;
    return found.stale ? this.countStale(t, found.stale) : null;
  }

  /** See Cache.getEntry. */
  async getEntry(category: string, key: string, tags?: readonly string[]): Promise<CacheResult<unknown> | null> {
    if (!this.o.categories[category]) throw new Error(`unknown cache category "${category}"`);
    if (tags) return this.peek({ key, category, tags: checkTags(tags) });
    const { gate } = this.o;
    if (!gate.usable()) return null;
    try {
      const [raw] = await gate.timed(gate.store.mgetBuffer([key]));
      const header = raw ? decodeHeader(raw) : undefined;
      if (!header) return null;
      return this.peek({ key, category, tags: JSON.parse(headerTagsJson(raw!, header)) as string[] });
    } catch (error) {
      gate.failure(error, category, 'getEntry');
      return null;
    }
  }

  private count(category: string, kind: 'hit' | 'stale', layer: 'l1' | 'l2', key: string): void {
    const s = this.o.stats.of(category);
    if (kind === 'stale') s.staleServed++;
    else if (layer === 'l1') s.hitsL1++;
    else s.hitsL2++;
    this.o.events.emit(kind, { category, key, layer });
  }

  private fillL1(t: Target, h: EntryHeader, value: unknown, tags: readonly string[], bytes: number, snap: number): unknown {
    // A fresh parse is not shared with anyone, so only values that go into L1 need freezing.
    if (!this.o.coherence.usable()) return value;
    const frozen = deepFreeze(value);
    this.o.coherence.set(t.key, { value: frozen, storedAt: h.storedAt, freshUntil: h.freshUntil, graceUntil: h.graceUntil, id: h.id, category: t.category, tags, snap, bytes }, this.o.now());
    return frozen;
  }
}

function missResult(t: Target, c: Computed): CacheResult<unknown> {
  return { value: c.value, status: 'MISS', layer: 'fn', key: t.key, id: c.id, storedAt: c.storedAt, expiresAt: c.freshUntil, graceUntil: c.graceUntil };
}

export function pickTimings(o: Partial<FactoryTimings>): Partial<FactoryTimings> {
  return { timeout: o.timeout, hardTimeout: o.hardTimeout, lockTimeout: o.lockTimeout, graceBackoff: o.graceBackoff };
}

/** Drops undefined fields, so `{ ...defaults, ...defined(partial) }` keeps the defaults. */
export function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** A call's entry; its tags are derived on first use: a read answered from L1, the hot path, never needs them. */
class EntryTarget implements Target {
  readonly category: string;
  private tagList: readonly string[] | undefined;

  constructor(
    readonly key: string,
    private readonly spec: Spec,
    private readonly args: unknown[],
  ) {
    this.category = spec.category;
  }

  get tags(): readonly string[] {
    return (this.tagList ??= this.spec.tagsOf(this.args));
  }
}
