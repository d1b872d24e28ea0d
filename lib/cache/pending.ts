/** One invalidation this instance must apply to the store before it reads the store again. */
export interface PendingInvalidation {
  tags: readonly string[];
  categories: readonly string[];
}

/**
 * Invalidations not yet known to be in the store, keyed by a reference: the outbox row id of a durable write
 * (settled when any instance reports it applied) or a local one. Past `maxTags` they collapse into one
 * "every category changed" entry, still O(categories) to apply.
 */
export class PendingInvalidations {
  private readonly entries = new Map<string, PendingInvalidation>();
  private seq = 0;

  constructor(
    private readonly allCategories: () => readonly string[],
    private readonly maxTags: number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  add(tags: readonly string[], categories: readonly string[], ref = `local:${++this.seq}`): void {
    const existing = this.entries.get(ref);
    this.entries.set(ref, existing ? { tags: [...existing.tags, ...tags], categories: [...existing.categories, ...categories] } : { tags, categories });
    let total = 0;
    for (const e of this.entries.values()) total += e.tags.length;
    if (total > this.maxTags) {
      this.entries.clear();
      this.entries.set(`local:${++this.seq}`, { tags: [], categories: this.allCategories() });
    }
  }

  /** The store has this one (another instance applied it). */
  settle(ref: string): void {
    this.entries.delete(ref);
  }

  /** Everything pending now, merged, with the refs it covers (to settle once applied). */
  snapshot(): PendingInvalidation & { refs: string[] } {
    const tags = new Set<string>();
    const categories = new Set<string>();
    for (const e of this.entries.values()) {
      for (const t of e.tags) tags.add(t);
      for (const c of e.categories) categories.add(c);
    }
    return { tags: [...tags], categories: [...categories], refs: [...this.entries.keys()] };
  }

  settleAll(refs: readonly string[]): void {
    for (const r of refs) this.entries.delete(r);
  }
}
