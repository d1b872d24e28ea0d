import { ServiceUnavailableError } from '@/lib/errors';
import type { CategoryTable } from './categories';
import { decodeHeader, decodeValue, deepFreeze, encodeEntry, encodeValue, headerLine, RawValue } from './codec';
import type { L1Coherence } from './coherence';
import type { EntryCipher } from './encryption';
import type { CacheEvents } from './events';
import type { Computed, EntryTimes, Spec, Target } from './factory-runner';
import type { L2Reader } from './l2-reader';
import type { CacheStats } from './stats';
import type { StoreGate } from './store-gate';
import type { CacheLogger, StoreOp } from './types';
import type { VersionKeys } from './versions';

export interface EntryWriterOptions {
  prefix: string;
  enabled: boolean;
  categories: CategoryTable;
  maxEntryBytes: number;
  cipher: EntryCipher | undefined;
  stats: CacheStats;
  events: CacheEvents;
  logger: CacheLogger;
  now: () => number;
  random: () => number;
  gate: StoreGate;
  versions: VersionKeys;
  coherence: L1Coherence;
  reader: L2Reader;
  /** A key rewritten or removed by hand: a computation that landed before must not be reused. */
  forget: (key: string) => void;
}

/** An oversize key is logged at most once per this. */
const OVERSIZE_LOG_MS = 3_600_000;
const MAX_OVERSIZE_KEYS = 10_000;

/**
 * Writes entries: a computed value (encoded, sealed for patient-data categories, written with its version
 * keys kept alive and a bus message, then put in L1), and the by-hand operations of a cached function
 * (set, delete, expire), which answer 503 when the store cannot take them.
 */
export class EntryWriter {
  private readonly oversizeLogged = new Map<string, number>();

  constructor(private readonly o: EntryWriterOptions) {}

  /** Categories holding patient data are sealed in the store when keys are configured. */
  private cipherFor(category: string): EntryCipher | undefined {
    return this.o.categories[category]?.patientData ? this.o.cipher : undefined;
  }

  /** Encodes, writes to the store (announcing the key and its new id on the bus) and to L1. */
  async persist(t: Target, tags: readonly string[], value: unknown, times: EntryTimes, versions: string[] | undefined, snap: number): Promise<Computed> {
    const { gate, coherence, stats: allStats } = this.o;
    const stats = allStats.of(t.category);
    const raw = encodeEntry({ ...times, versions: versions ?? [], tagsJson: JSON.stringify(tags) }, encodeValue(value, this.cipherFor(t.category)));
    // What L1 keeps and the caller gets: a copy the factory cannot change later. A RawValue is one already (frozen,
    // its bytes handed over), so it is kept as it is, without opening what was just sealed.
    const decoded = value instanceof RawValue ? value : deepFreeze(decodeValue(decodeHeader(raw)!, raw, this.o.cipher));
    const bytes = raw.length;
    if (bytes > this.o.maxEntryBytes) {
      this.oversize(t, bytes);
      return { value: decoded, ...times };
    }
    let stored = false;
    if (versions && gate.usable()) {
      const ops: StoreOp[] = [{ op: 'set', key: t.key, value: raw, ttlMs: times.graceUntil - times.storedAt }];
      // Keep version keys alive at least as long as the entries stamped with them.
      ops.push({ op: 'extend', key: this.o.versions.category(t.category), ttlMs: this.o.versions.ttlMs });
      for (const tag of tags) ops.push({ op: 'extend', key: this.o.versions.tag(tag), ttlMs: this.o.versions.ttlMs });
      // Other instances drop an older L1 copy of this key (it may have vanished from Redis and been recomputed).
      const message = coherence.announce([], [], [t.key], [times.id]);
      if (message) ops.push(message);
      try {
        await gate.timed(gate.store.exec(ops));
        gate.success();
        stats.sets++;
        stored = true;
        this.o.events.emit('set', { category: t.category, key: t.key, bytes });
      } catch (error) {
        gate.failure(error, t.category, 'write');
      }
    }
    coherence.set(t.key, { ...times, value: decoded, category: t.category, tags, snap, bytes: 2 * raw.length + 256 }, this.o.now());
    return { value: decoded, ...times, stored };
  }

  private oversize(t: Target, bytes: number): void {
    const limit = this.o.maxEntryBytes;
    this.o.stats.of(t.category).oversize++;
    this.o.events.emit('oversize', { category: t.category, key: t.key, bytes, limit });
    const now = this.o.now();
    const last = this.oversizeLogged.get(t.key);
    if (last !== undefined && now - last < OVERSIZE_LOG_MS) return;
    if (this.oversizeLogged.size >= MAX_OVERSIZE_KEYS) this.oversizeLogged.clear();
    this.oversizeLogged.set(t.key, now);
    this.o.logger.warn({ cache: this.o.prefix, category: t.category, key: t.key, bytes, limit }, 'cache value over maxEntryBytes: returned but not cached (fn runs on every call)');
  }

  /** cachedFn.set */
  async setValue(spec: Spec, t: Target, value: unknown): Promise<void> {
    if (!this.o.enabled) return;
    this.dropKeyLocally(t.key);
    const snap = this.o.coherence.snapshot();
    const read = await this.o.reader.readNow(t, true);
    if (read.kind === 'unavailable') throw new ServiceUnavailableError('cache store unavailable: value not stored');
    const now = this.o.now();
    const ttlMs = Math.max(1, Math.floor(spec.ttlMs * (1 - spec.config.jitter * this.o.random())));
    const times = { storedAt: now, freshUntil: now + ttlMs, graceUntil: now + ttlMs + spec.graceMs, id: this.o.versions.entryId() };
    const c = await this.persist(t, t.tags, value, times, read.versions, snap);
    if (!c.stored && this.o.gate.store.backend !== 'memory') throw new ServiceUnavailableError('cache store unavailable: value not stored');
  }

  /** cachedFn.delete */
  async deleteValue(t: Target): Promise<void> {
    if (!this.o.enabled) return;
    this.dropKeyLocally(t.key);
    await this.writeKeyOps(t, [{ op: 'del', key: t.key }], 'delete');
  }

  /** cachedFn.expire: rewrites the entry's header with freshUntil = now (compare-and-set on its id). */
  async expireValue(t: Target): Promise<boolean> {
    if (!this.o.enabled) return false;
    this.dropKeyLocally(t.key);
    const read = await this.o.reader.readNow(t, false);
    if (read.kind === 'unavailable') throw new ServiceUnavailableError('cache store unavailable: entry not expired');
    if (read.kind === 'miss') return false;
    if (read.kind === 'stale') return true;
    const h = read.header;
    const now = this.o.now();
    const raw = encodeEntry({ storedAt: h.storedAt, freshUntil: now, graceUntil: h.graceUntil, id: h.id, versions: read.versions, tagsJson: JSON.stringify(read.tags) }, encodeValue(read.value, this.cipherFor(t.category)));
    const results = await this.writeKeyOps(t, [{ op: 'replaceIf', key: t.key, ifStartsWith: headerLine(h.enc, h), value: raw, ttlMs: Math.max(1, h.graceUntil - now) }], 'expire');
    return results[0] === 1;
  }

  private dropKeyLocally(key: string): void {
    this.o.coherence.invalidate([], [], [key]);
    this.o.forget(key);
  }

  /** Key-level writes plus the bus message that drops other L1 copies; 503 when the store cannot take them. */
  private async writeKeyOps(t: Target, ops: StoreOp[], op: string): Promise<(string | number | null)[]> {
    const { gate } = this.o;
    if (!gate.usable(t.category)) throw new ServiceUnavailableError(`cache store unavailable: ${op} not done`);
    const message = this.o.coherence.announce([], [], [t.key]);
    try {
      const results = await gate.timed(gate.store.exec(message ? [...ops, message] : ops));
      gate.success();
      return results;
    } catch (error) {
      gate.failure(error, t.category, op);
      throw new ServiceUnavailableError(`cache store unavailable: ${op} not done`);
    }
  }
}
