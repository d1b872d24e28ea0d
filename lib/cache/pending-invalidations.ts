export interface PendingOptions {
  /** More pending tags than this collapse into "every category changed". */
  maxTags: number;
  allCategories: () => readonly string[];
  /** Records tags/categories in the store (versions + bus message); throws when it cannot. */
  write: (tags: readonly string[], categories: readonly string[]) => Promise<void>;
  /** False while the store is known down (the breaker's probe replays then). */
  canWrite: () => boolean;
  /** First retry after this; doubles on failure up to maxDelayMs (the bound on replay after recovery). */
  baseDelayMs: number;
  maxDelayMs: number;
  onReplayed: (tags: readonly string[], categories: readonly string[], refs: readonly string[]) => void;
}

interface Entry {
  tags: readonly string[];
  categories: readonly string[];
}

/**
 * Invalidations the store did not record, kept in memory and replayed: before this instance reads the store
 * again, when the breaker's probe closes it, and on a timer of its own (≤ maxDelayMs apart), so a single
 * failure that never opened the breaker is still replayed with no read on this instance.
 *
 * Each is kept under a reference: a durable write's outbox row id (lib/write-door), so it can be settled when
 * another instance reports the store has it, or a local one. The outbox in PostgreSQL is what survives a
 * restart; this is what keeps this instance from reading the store before it has them.
 */
export class PendingInvalidations {
  private readonly entries = new Map<string, Entry>();
  private seq = 0;
  private flushing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private delay: number;
  private stopped = false;

  constructor(private readonly options: PendingOptions) {
    this.delay = options.baseDelayMs;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Everything pending plus these, to write in one go with a new invalidation; `refs` to pass to recorded(). */
  withPending(tags: readonly string[], categories: readonly string[]): { tags: string[]; categories: string[]; refs: string[] } {
    const all = { tags: new Set(tags), categories: new Set(categories) };
    for (const e of this.entries.values()) {
      for (const t of e.tags) all.tags.add(t);
      for (const c of e.categories) all.categories.add(c);
    }
    return { tags: [...all.tags], categories: [...all.categories], refs: [...this.entries.keys()] };
  }

  /** Marks these as recorded (after a successful write that included them). */
  recorded(refs: readonly string[]): void {
    for (const r of refs) this.entries.delete(r);
    if (this.size === 0) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.delay = this.options.baseDelayMs;
    }
  }

  /** The store has this one: another instance applied it. */
  settle(ref: string): void {
    this.recorded([ref]);
  }

  keep(tags: readonly string[], categories: readonly string[], ref = `local:${++this.seq}`): void {
    const existing = this.entries.get(ref);
    this.entries.set(ref, existing ? { tags: [...existing.tags, ...tags], categories: [...existing.categories, ...categories] } : { tags, categories });
    let total = 0;
    for (const e of this.entries.values()) total += e.tags.length;
    if (total > this.options.maxTags) {
      // Too many to replay one by one: replay as "everything changed", still O(categories).
      this.entries.clear();
      this.entries.set(`local:${++this.seq}`, { tags: [], categories: this.options.allCategories() });
    }
    this.schedule();
  }

  /** Replays what is pending (concurrent callers share one write). Throws when the store cannot take it. */
  flush(): Promise<void> {
    if (this.size === 0) return Promise.resolve();
    this.flushing ??= (async () => {
      const { tags, categories, refs } = this.withPending([], []);
      try {
        await this.options.write(tags, categories);
        this.recorded(refs);
        this.options.onReplayed(tags, categories, refs);
      } finally {
        this.flushing = undefined;
      }
    })();
    return this.flushing;
  }

  private schedule(): void {
    if (this.stopped || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.size === 0) return;
      const attempt = this.options.canWrite() ? this.flush() : Promise.reject(new Error('store unavailable'));
      attempt.then(
        () => (this.delay = this.options.baseDelayMs),
        () => {
          this.delay = Math.min(this.delay * 2, this.options.maxDelayMs);
          this.schedule();
        },
      );
    }, this.delay);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}
