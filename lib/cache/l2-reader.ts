import type { EntryCipher } from './encryption';
import { decodeHeader, decodeValue, deepFreeze, headerTagsJson, versionsMatch, type EntryHeader } from './codec';
import type { L1Coherence } from './coherence';
import type { CacheEvents } from './events';
import type { Target } from './factory-runner';
import type { CacheStats } from './stats';
import type { StoreGate } from './store-gate';
import type { VersionKeys } from './versions';

export type L2Read =
  | { kind: 'hit' | 'stale'; header: EntryHeader; value: unknown; versions: string[]; tags: readonly string[]; bytes: number }
  | { kind: 'miss'; versions: string[] | undefined }
  | { kind: 'unavailable' };

interface SharedRead {
  promise: Promise<L2Read>;
  joiners: number;
  /** The L1 generation it was sent at, when L1 was trusted then (joinable after sending under L1's rule). */
  snap?: number;
}

function frozen(read: L2Read): L2Read {
  if (read.kind === 'hit' || read.kind === 'stale') deepFreeze(read.value);
  return read;
}

export interface ReaderOptions {
  gate: StoreGate;
  versions: VersionKeys;
  coherence: L1Coherence;
  stats: CacheStats;
  events: CacheEvents;
  now: () => number;
  /** Replays unrecorded invalidations; runs before any read from the store. */
  beforeRead: () => Promise<void> | undefined;
  /** Opens sealed (encrypted) entries. */
  cipher: EntryCipher | undefined;
}

/**
 * Reads an entry and its tag/category versions in ONE `MGET`, serving it only if the versions stamped in it
 * are the current ones; version keys are created before a miss computes, so the computation stamps real ones:
 * those this process has never seen in the read's own round trip, any other found missing in one more.
 */
export class L2Reader {
  /** Reads not yet sent: concurrent readers of a key join them. */
  private readonly reads = new Map<string, SharedRead>();
  /** Reads sent while L1 was trusted and not yet answered: joined only under L1's own rule. */
  private readonly sent = new Map<string, SharedRead>();

  constructor(private readonly o: ReaderOptions) {}

  /**
   * Coalesces concurrent reads of a key into one round trip. A read is sent on the next tick; until then any
   * caller joins it: it reaches Redis no earlier than if it had sent its own, so an invalidation that returned
   * before the caller started is always seen. A local invalidation in between (a new generation) starts a new
   * read. Once sent, a read is joined only while L1 is trusted and nothing at all was invalidated in this
   * process since it was sent: the rule by which L1 would serve its answer a moment later without asking Redis.
   */
  read(t: Target, ensureVersions: boolean): Promise<L2Read> {
    const k = `${ensureVersions ? 'e' : 'p'}${this.o.coherence.generation}\n${t.key}`;
    const joined = this.reads.get(k) ?? this.sentJoinable(k);
    if (joined) {
      joined.joiners++;
      return joined.promise;
    }
    const slot: SharedRead = { joiners: 0, promise: undefined! };
    slot.promise = new Promise<L2Read>((resolve) => {
      process.nextTick(() => {
        this.reads.delete(k);
        const read = this.readNow(t, ensureVersions);
        const { coherence } = this.o;
        if (coherence.usable()) {
          slot.snap = coherence.snapshot();
          this.sent.set(k, slot);
          const answered = () => void (this.sent.get(k) === slot && this.sent.delete(k));
          read.then(answered, answered);
        }
        // A parse handed to several callers must not be changed by one of them (L1 freezes what it keeps anyway).
        resolve(slot.joiners > 0 || slot.snap !== undefined ? read.then(frozen) : read);
      });
    });
    this.reads.set(k, slot);
    return slot.promise;
  }

  private sentJoinable(k: string): SharedRead | undefined {
    const slot = this.sent.get(k);
    const { coherence } = this.o;
    return slot && slot.snap === coherence.snapshot() && coherence.usable() ? slot : undefined;
  }

  async readNow(t: Target, ensureVersions: boolean): Promise<L2Read> {
    const { gate, versions } = this.o;
    if (!gate.readable(t.category) && !(await gate.readableAfterHold(t.category))) return { kind: 'unavailable' };
    try {
      const flushing = this.o.beforeRead();
      if (flushing) await flushing;
      const keys = [t.key, versions.category(t.category)];
      for (const tag of t.tags) keys.push(versions.tag(tag));
      const versionKeys = keys.slice(1);
      // Issued just before the MGET: in flight together (one write when auto-pipelined), and Redis runs them first.
      const claims = ensureVersions ? versions.claimsForUnseen(versionKeys) : undefined;
      const claimed = claims?.ops.length ? gate.store.exec(claims.ops) : undefined;
      // Awaited below; its failure is the read's (caught there), not an unhandled rejection if the MGET fails first.
      claimed?.catch(() => {});
      const values = await gate.timed(gate.store.mgetBuffer(keys));
      // Version values are ASCII ids (VersionKeys.next).
      const read = values.slice(1).map((v) => (v === null ? null : v.toString('latin1')));
      if (claimed) {
        // Where the MGET ran first (a Cluster spreads keys over nodes), a key it found missing now holds what the claim left.
        const held = await gate.timed(claimed);
        claims!.at.forEach((i, j) => (read[i] ??= String(held[j])));
      }
      gate.success();
      versions.sawValues(versionKeys, read);
      const raw = values[0];
      if (raw) {
        const header = decodeHeader(raw);
        const now = this.o.now();
        if (header && now < header.graceUntil) {
          // Versions are unique per version key, so matching versions also prove the entry has these tags.
          let current: (string | null)[] | undefined = read;
          let tags = t.tags;
          if (!versionsMatch(raw, header, read)) ({ current, tags } = await this.withFactoryTags(raw, header, t, read));
          if (current) {
            try {
              const value = decodeValue(header, raw, this.o.cipher);
              return { kind: now < header.freshUntil ? 'hit' : 'stale', header, value, versions: current as string[], tags, bytes: 2 * raw.length + 256 };
            } catch (error) {
              this.o.stats.of(t.category).errors++;
              this.o.events.emit('error', { category: t.category, op: 'decode', message: String(error) });
            }
          }
        }
      }
      if (!ensureVersions) return { kind: 'miss', versions: undefined };
      return { kind: 'miss', versions: await versions.ensure(gate, versionKeys, read) };
    } catch (error) {
      gate.failure(error, t.category, 'read');
      return { kind: 'unavailable' };
    }
  }

  /** An entry whose factory added tags (ctx.setTags) also needs their versions: one more read, for such entries only. */
  private async withFactoryTags(raw: Buffer, header: EntryHeader, t: Target, read: (string | null)[]): Promise<{ current?: (string | null)[]; tags: readonly string[] }> {
    const all = JSON.parse(headerTagsJson(raw, header)) as string[];
    if (all.length <= t.tags.length || t.tags.some((tag, i) => all[i] !== tag)) return { tags: t.tags };
    const { gate, versions } = this.o;
    const extra = await gate.timed(gate.store.mget(all.slice(t.tags.length).map((tag) => versions.tag(tag))));
    const current = [...read, ...extra];
    return versionsMatch(raw, header, current) ? { current, tags: all } : { tags: t.tags };
  }

  /** Versions of tags a factory adds while running (ctx.setTags); undefined when the store cannot say. */
  tagVersions = async (tags: readonly string[]): Promise<string[] | undefined> => {
    const { gate, versions } = this.o;
    if (!gate.readable()) return undefined;
    try {
      const keys = tags.map((tag) => versions.tag(tag));
      const current = await versions.ensure(gate, keys, await gate.timed(gate.store.mget(keys)));
      gate.success();
      return current;
    } catch (error) {
      gate.failure(error, undefined, 'read');
      return undefined;
    }
  };
}
