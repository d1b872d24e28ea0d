import { categoryKey, tagKey } from './keys';
import type { StoreGate } from './store-gate';
import type { StoreOp } from './types';

/**
 * Tag and category version keys: their names (memoized: built on every read otherwise), new unique values,
 * and creating the missing ones. Versions are unique values, never counters, so an expired or evicted
 * version key can never make an old entry match again.
 */
export class VersionKeys {
  private readonly memo = new Map<string, string>();
  /** Version keys this process has read a value of (bounded like memo): others may not exist yet. */
  private readonly seen = new Set<string>();
  private counter = 0;

  constructor(
    private readonly prefix: string,
    private readonly instanceId: string,
    private readonly now: () => number,
    /** Lifetime of a version key (extended whenever an entry stamped with it is written). */
    readonly ttlMs: number,
  ) {}

  tag(name: string): string {
    return this.memoized(name, () => tagKey(this.prefix, name));
  }

  category(name: string): string {
    return this.memoized(`\u0000${name}`, () => categoryKey(this.prefix, name));
  }

  private memoized(memoKey: string, make: () => string): string {
    let key = this.memo.get(memoKey);
    if (key === undefined) {
      key = make();
      if (this.memo.size >= 10_000) this.memo.clear();
      this.memo.set(memoKey, key);
    }
    return key;
  }

  /** A value no version key has held before, in this process's life or any other's with the same instance id. */
  next(): string {
    return `${this.instanceId}${(++this.counter).toString(36)}${this.now().toString(36)}`;
  }

  /** An entry's id, unique per write: stored in every entry, so without next()'s time (the entry has its own). */
  entryId(): string {
    return `${this.instanceId}${(++this.counter).toString(36)}`;
  }

  /** Ops that give each tag and category a new version (an invalidation). */
  bump(tags: readonly string[], categories: readonly string[]): StoreOp[] {
    return [
      ...tags.map((t): StoreOp => ({ op: 'set', key: this.tag(t), value: this.next(), ttlMs: this.ttlMs })),
      ...categories.map((c): StoreOp => ({ op: 'set', key: this.category(c), value: this.next(), ttlMs: this.ttlMs })),
    ];
  }

  /** Records the version keys a read found (their values not null). */
  sawValues(keys: readonly string[], values: readonly (string | null)[]): void {
    values.forEach((v, i) => {
      if (v === null) return;
      if (this.seen.size >= 10_000) this.seen.clear();
      this.seen.add(keys[i]!);
    });
  }

  /**
   * SET NX GET ops for the version keys among `keys` this process has never seen a value of (a tag read for the
   * first time): sent with the read, in its round trip, they create the keys a miss would otherwise create in a
   * second one before computing, and leave existing ones as they are. `at` holds each op's index in `keys`.
   */
  claimsForUnseen(keys: readonly string[]): { at: number[]; ops: StoreOp[] } {
    const at: number[] = [];
    const ops: StoreOp[] = [];
    keys.forEach((key, i) => {
      if (this.seen.has(key)) return;
      at.push(i);
      ops.push({ op: 'setIfAbsent', key, value: this.next(), ttlMs: this.ttlMs });
    });
    return { at, ops };
  }

  /**
   * Missing version keys (never invalidated, expired or evicted) get a fresh unique value (SET NX GET): a miss
   * then stamps real versions, and no old entry can match a version that did not exist when it was written.
   */
  async ensure(gate: StoreGate, keys: readonly string[], current: (string | null)[]): Promise<string[]> {
    const missing: StoreOp[] = [];
    current.forEach((v, i) => {
      if (v === null) missing.push({ op: 'setIfAbsent', key: keys[i]!, value: this.next(), ttlMs: this.ttlMs });
    });
    if (missing.length === 0) return current as string[];
    const results = await gate.timed(gate.store.exec(missing));
    let j = 0;
    return current.map((v) => v ?? String(results[j++]));
  }
}
