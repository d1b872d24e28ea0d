import { Breaker, type BreakerOptions } from './breaker';
import type { CacheEvents } from './events';
import { within } from './factory';
import type { CacheStats } from './stats';
import type { CacheLogger, CacheStore } from './types';

export interface StoreGateOptions {
  store: CacheStore;
  prefix: string;
  /** Timeout for stores without their own (Redis has `commandTimeout`). */
  timeoutMs: number;
  breaker: BreakerOptions;
  /** Run by the breaker's probe after a successful PING, before it closes (replays pending invalidations). */
  onProbe: () => Promise<void>;
  stats: CacheStats;
  events: CacheEvents;
  logger: CacheLogger;
}

/** Longest a store-ready hook keeps reads off the store after a (re)connect. */
const READY_HOOK_TIMEOUT_MS = 3_000;

/**
 * Every call to the shared store goes through here: whether to try at all (breaker, connection), a timeout
 * for stores that can hang, and failure accounting (counted per category, emitted, logged once per
 * breaker state change).
 */
export class StoreGate {
  readonly store: CacheStore;
  readonly breaker: Breaker;
  private closed = false;
  /** Set while store-ready hooks run after a (re)connect: the store may hold data older than they re-apply. */
  private held: Promise<void> | undefined;
  private readonly readyHooks: (() => Promise<void>)[] = [];

  constructor(private readonly o: StoreGateOptions) {
    this.store = o.store;
    this.breaker = new Breaker(
      o.breaker,
      async () => {
        await this.timed(this.store.ping());
        await o.onProbe();
      },
      (from, to, reason) => {
        const line = { cache: o.prefix, backend: this.store.backend, from, to, reason };
        // One line when the store is lost and one when it is back; probes in between log at debug only.
        if (to === 'open' && from === 'closed') o.logger.error(line, 'cache store unreachable: circuit open, reads go to L1/fn');
        else if (to === 'closed') o.logger.info(line, 'cache store back: circuit closed');
        else o.logger.debug(line, 'cache store probe');
        o.events.emit('breaker', { from, to, reason });
      },
    );
  }

  /** Whether to talk to the store now; never waits for a connection. */
  usable(category?: string): boolean {
    if (this.closed || !this.breaker.allows()) return false;
    if (!this.store.available()) {
      this.breaker.failure(new Error('not connected'));
      if (category) this.o.stats.of(category).errors++;
      return false;
    }
    return true;
  }

  /** Whether to read from the store now: usable, and not held by a store-ready hook. */
  readable(category?: string): boolean {
    return this.held === undefined && this.usable(category);
  }

  /**
   * For a read the store is not `readable` for: when only store-ready hooks hold it back, waits for them up to the
   * store timeout, then says whether it is readable. They normally take a few queries, and a value computed
   * instead cannot be stored (its versions are unknown): it would live in this process's L1 only and be computed
   * again when that copy expires, while the store held the entry all along (an instance just started or
   * reconnected, the moment its first requests come in).
   */
  async readableAfterHold(category?: string): Promise<boolean> {
    const held = this.held;
    if (held === undefined) return false;
    await within(held, this.o.timeoutMs);
    return this.readable(category);
  }

  /** Keeps reads off the store until `until` settles (writes go on: the hooks need them). */
  holdReads(until: Promise<void>): void {
    const held: Promise<void> = until.finally(() => {
      if (this.held === held) this.held = undefined;
    });
    this.held = held;
  }

  /**
   * Runs `hook` each time the store (re)connects (the store calls runReadyHooks), before reads go to the
   * store again; reads wait for them up to the timeout (readableAfterHold), then go to L1/fn; writes go on.
   */
  onReady(hook: () => Promise<void>): void {
    this.readyHooks.push(hook);
    if (this.store.available()) this.runReadyHooks();
  }

  runReadyHooks(): void {
    if (this.readyHooks.length === 0 || this.closed) return;
    const run = async () => {
      for (const hook of this.readyHooks) {
        const outcome = await within(hook(), READY_HOOK_TIMEOUT_MS);
        // The store is read again anyway: a hook that cannot finish must not turn the cache off for good.
        if (!outcome.done || 'error' in outcome) {
          // The class and code only: a driver's message can quote the failed SQL with its parameters.
          const error = outcome.done ? (outcome as { error: unknown }).error : undefined;
          const err = !outcome.done ? `timed out after ${READY_HOOK_TIMEOUT_MS} ms` : `${error instanceof Error ? error.name : typeof error} ${String((error as { code?: unknown })?.code ?? '')}`.trim();
          this.o.logger.warn({ cache: this.o.prefix, err }, 'cache store-ready hook failed');
        }
      }
    };
    this.holdReads(run());
  }

  success(): void {
    this.breaker.success();
  }

  failure(error: unknown, category: string | undefined, op: string): void {
    this.breaker.failure(error);
    if (category) this.o.stats.of(category).errors++;
    const message = error instanceof Error ? error.message : String(error);
    this.o.logger.debug({ cache: this.o.prefix, op, err: message }, 'cache store call failed');
    this.o.events.emit('error', { category, op, message });
  }

  /**
   * A timeout that measures Redis, not this process. A command is written to the socket at the end of the event
   * loop's turn (ioredis's auto-pipelining flushes on setImmediate), and its reply is read in a later turn's I/O
   * phase, while timers run before that. After one long turn (a process overloaded for a moment) a plain timer
   * would count a reply that came in time as a timeout, open the breaker and send requests to the database just
   * when the process can least afford it. So a timer that fired late (the process was busy) allows one more
   * period, and the last one gives up only after one more pass over pending I/O (setImmediate runs after it).
   */
  timed<T>(p: Promise<T>): Promise<T> {
    if (!this.store.canHang) return p;
    const ms = this.o.timeoutMs;
    let timer: NodeJS.Timeout | undefined;
    let immediate: NodeJS.Immediate | undefined;
    const timeout = new Promise<never>((_, reject) => {
      const giveUp = () => (immediate = setImmediate(() => reject(new Error(`cache store timed out after ${ms} ms`))));
      const due = performance.now() + ms;
      timer = setTimeout(() => {
        if (performance.now() - due > ms / 10) timer = setTimeout(giveUp, ms);
        else giveUp();
      }, ms);
    });
    return Promise.race([p, timeout]).finally(() => {
      clearTimeout(timer);
      clearImmediate(immediate);
    });
  }

  close(): void {
    this.closed = true;
    this.breaker.stop();
  }
}
