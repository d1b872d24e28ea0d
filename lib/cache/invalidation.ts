import { ServiceUnavailableError } from '@/lib/errors';
import type { BreakerOptions } from './breaker';
import type { L1Coherence } from './coherence';
import type { CacheEvents } from './events';
import { PendingInvalidations } from './pending-invalidations';
import type { CacheStats } from './stats';
import type { StoreGate } from './store-gate';
import type { CacheLogger } from './types';
import type { VersionKeys } from './versions';

export interface InvalidationReport {
  tags: readonly string[];
  categories: readonly string[];
  /** Other instances subscribed to the bus when the message was published. */
  receivers: number;
  ms: number;
}

export interface InvalidatorOptions {
  gate: StoreGate;
  versions: VersionKeys;
  coherence: L1Coherence;
  stats: CacheStats;
  events: CacheEvents;
  logger: CacheLogger;
  prefix: string;
  enabled: boolean;
  breaker: BreakerOptions;
  maxPendingTags: number;
  allCategories: () => readonly string[];
}

const NOT_RECORDED = 'cache store unavailable: invalidation not recorded (kept for replay)';

/**
 * Hard invalidation of tags and categories: this instance's L1 at once, then one new version per tag and
 * category plus one bus message in a single round trip. What Redis could not record is kept and replayed
 * (PendingInvalidations) and the caller gets a 503.
 */
export class Invalidator {
  readonly pending: PendingInvalidations;

  constructor(private readonly o: InvalidatorOptions) {
    this.pending = new PendingInvalidations({
      maxTags: o.maxPendingTags,
      allCategories: o.allCategories,
      canWrite: () => o.gate.usable(),
      write: async (tags, categories) => {
        try {
          await this.write(tags, categories);
          o.gate.success();
        } catch (error) {
          o.gate.failure(error, undefined, 'replay');
          throw error;
        }
      },
      // Same cadence as the breaker, so an unrecorded invalidation is replayed ≤ maxCooldownMs after Redis is back.
      baseDelayMs: o.breaker.cooldownMs ?? 1_000,
      maxDelayMs: o.breaker.maxCooldownMs ?? 15_000,
      onReplayed: (tags, categories, refs) => {
        o.logger.info({ cache: o.prefix, tags: tags.length, categories: categories.length }, 'cache replayed invalidations kept during the outage');
        o.events.emit('invalidate', { tags, categories, source: 'replay', refs });
      },
    });
  }

  /** `ref`: the outbox row this invalidation comes from (a durable write), announced with it on the bus. */
  async invalidate(tags: readonly string[], categories: readonly string[], ref?: string): Promise<InvalidationReport> {
    const { gate, stats } = this.o;
    const started = performance.now();
    // Local L1 first, so this instance is correct even if the store write below fails.
    this.o.coherence.invalidate(tags, categories);
    for (const c of categories) stats.of(c).invalidations++;
    stats.tagInvalidations += tags.length;
    if (!this.o.enabled) return { tags, categories, receivers: 0, ms: 0 };
    if (!gate.usable()) {
      this.pending.keep(tags, categories, ref);
      throw new ServiceUnavailableError(NOT_RECORDED);
    }
    const all = this.pending.withPending(tags, categories);
    let receivers: number;
    try {
      receivers = await this.write(all.tags, all.categories, ref);
      gate.success();
    } catch (error) {
      gate.failure(error, categories[0], 'invalidate');
      this.pending.keep(tags, categories, ref);
      throw new ServiceUnavailableError(NOT_RECORDED);
    }
    const refs = ref ? [...all.refs, ref] : all.refs;
    this.pending.recorded(refs);
    this.o.events.emit('invalidate', { tags, categories, source: 'local', refs });
    return { tags, categories, receivers, ms: Math.round((performance.now() - started) * 100) / 100 };
  }

  /** New versions + the bus message, one round trip; resolves to the number of buses that got the message. */
  private async write(tags: readonly string[], categories: readonly string[], ref?: string): Promise<number> {
    const ops = this.o.versions.bump(tags, categories);
    const message = this.o.coherence.announce(tags, categories, undefined, undefined, ref);
    if (message) ops.push(message);
    const results = await this.o.gate.timed(this.o.gate.store.exec(ops));
    return message ? Number(results[results.length - 1] ?? 0) : 0;
  }

  /**
   * An invalidation another instance recorded: drops this instance's L1 entries at once and keeps it pending
   * (applied to the store before this instance reads it again) until `pending.settle(ref)` says the store has it.
   */
  defer(ref: string, tags: readonly string[], categories: readonly string[]): void {
    this.o.coherence.invalidate(tags, categories);
    if (this.o.enabled && this.o.gate.store.backend !== 'memory') this.pending.keep(tags, categories, ref);
    this.o.events.emit('invalidate', { tags, categories, source: 'remote', refs: [ref] });
  }

  /** Applies every pending invalidation to the store now; false if the store could not take them. */
  async replay(): Promise<boolean> {
    if (this.pending.size === 0) return true;
    if (!this.o.gate.usable()) return false;
    try {
      await this.pending.flush();
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Refuses a write up front (503) while the store is known down or an earlier invalidation is still
   * unrecorded, so a write is not committed whose invalidation cannot be recorded.
   */
  assertWritable(): void {
    const { enabled, gate } = this.o;
    if (enabled && gate.store.backend !== 'memory' && (this.pending.size > 0 || !gate.usable())) {
      throw new ServiceUnavailableError('cache store unavailable: writes are paused so no stale data is served');
    }
  }

  stop(): void {
    this.pending.stop();
  }
}
