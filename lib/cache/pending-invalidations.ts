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
  onReplayed: (tags: readonly string[], categories: readonly string[]) => void;
}

/**
 * Invalidations the store did not record, kept in memory and replayed: before this instance reads the store
 * again, when the breaker's probe closes it, and on a timer of its own (≤ maxDelayMs apart), so a single
 * failure that never opened the breaker is still replayed with no read on this instance.
 *
 * The one place that knows what is unrecorded: a durable source (an outbox) can replace it by implementing
 * keep/flush/size the same way.
 */
export class PendingInvalidations {
  private readonly tags = new Set<string>();
  private readonly categories = new Set<string>();
  private flushing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private delay: number;
  private stopped = false;

  constructor(private readonly options: PendingOptions) {
    this.delay = options.baseDelayMs;
  }

  get size(): number {
    return this.tags.size + this.categories.size;
  }

  /** Everything pending plus these, to write in one go with a new invalidation. */
  withPending(tags: readonly string[], categories: readonly string[]): { tags: string[]; categories: string[] } {
    return { tags: [...new Set([...this.tags, ...tags])], categories: [...new Set([...this.categories, ...categories])] };
  }

  /** Marks these as recorded (after a successful write that included them). */
  recorded(tags: readonly string[], categories: readonly string[]): void {
    for (const t of tags) this.tags.delete(t);
    for (const c of categories) this.categories.delete(c);
    if (this.size === 0) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.delay = this.options.baseDelayMs;
    }
  }

  keep(tags: readonly string[], categories: readonly string[]): void {
    for (const t of tags) this.tags.add(t);
    for (const c of categories) this.categories.add(c);
    if (this.tags.size > this.options.maxTags) {
      // Too many to replay one by one: replay as "everything changed", still O(categories).
      this.tags.clear();
      for (const c of this.options.allCategories()) this.categories.add(c);
    }
    this.schedule();
  }

  /** Replays what is pending (concurrent callers share one write). Throws when the store cannot take it. */
  flush(): Promise<void> {
    if (this.size === 0) return Promise.resolve();
    this.flushing ??= (async () => {
      const tags = [...this.tags];
      const categories = [...this.categories];
      try {
        await this.options.write(tags, categories);
        this.recorded(tags, categories);
        this.options.onReplayed(tags, categories);
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
