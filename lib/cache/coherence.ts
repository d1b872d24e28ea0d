import { Redis, type Cluster } from 'ioredis';
import { RedisBus } from './bus';
import type { CacheEvents } from './events';
import { busChannel } from './keys';
import type { L1Cache, L1Entry } from './l1';
import { RedisStore } from './stores/redis-store';
import type { CacheLogger, CacheStore, StoreOp } from './types';

export interface CoherenceOptions {
  l1: L1Cache | undefined;
  store: CacheStore;
  /** Subscribe to the bus (needs a RedisStore). */
  bus: boolean;
  prefix: string;
  instanceId: string;
  events: CacheEvents;
  logger: CacheLogger;
  /** A bus message that carries an outbox reference: the store has that invalidation now. */
  onSettled: (ref: string) => void;
}

/** A coherence channel besides the Redis bus (the app's PostgreSQL notifications): L1 is trusted only while its lease holds. */
export interface ExternalCoherence {
  leaseValid(): boolean;
}

/**
 * Keeps this process's L1 coherent with every other instance: what invalidates it (local invalidations, bus
 * messages about tags, categories and rewritten keys), what it announces, and when L1 may be trusted at all
 * (only while the bus is subscribed). Another invalidation source (e.g. database notifications) would call
 * `invalidate` too, and a way to trust L1 without the bus would go in `usable`.
 */
export class L1Coherence {
  readonly l1: L1Cache | undefined;
  readonly bus: RedisBus | undefined;
  /** Bumped by every invalidation seen here (local or remote): a read started before one is never shared after it. */
  generation = 0;
  /** While attached, L1 is trusted on its lease, whatever the state of the Redis bus. */
  external: ExternalCoherence | undefined;

  constructor(o: CoherenceOptions) {
    this.l1 = o.l1;
    if (!o.bus) return;
    if (!(o.store instanceof RedisStore)) throw new Error('the cache bus needs a RedisStore');
    this.bus = new RedisBus(
      duplicateForSubscribe(o.store.client),
      busChannel(o.prefix),
      o.instanceId,
      {
        onMessage: (m) => {
          this.invalidate(m.tags, m.categories, m.keys, m.ids);
          if (m.ref) o.onSettled(m.ref);
          if (m.tags.length + m.categories.length > 0) o.events.emit('invalidate', { tags: m.tags, categories: m.categories, source: 'bus', refs: m.ref ? [m.ref] : [] });
        },
        onDisconnect: () => {
          // With a second channel attached, L1 stays trusted on its lease (usable()) while the bus is down, so
          // dropping it here would only turn every read of every instance into a computation at the moment
          // Redis is lost (chaos scenario 1). What the bus misses meanwhile is covered by the drop on reconnect.
          if (this.external) {
            o.logger.warn({ cache: o.prefix }, 'cache bus disconnected; L1 kept on the coherence lease');
          } else {
            this.l1?.clear();
            o.logger.warn({ cache: o.prefix }, 'cache bus disconnected; L1 bypassed until it is back');
          }
          o.events.emit('bus', { state: 'disconnected' });
        },
        onReconnect: () => {
          this.l1?.clear();
          o.logger.info({ cache: o.prefix }, 'cache bus reconnected; L1 dropped (messages may have been missed)');
          o.events.emit('bus', { state: 'reconnected' });
        },
      },
      o.logger,
    );
  }

  /** L1 is trusted only while no invalidation can be missed. */
  usable(): boolean {
    if (this.l1 === undefined) return false;
    if (this.external) return this.external.leaseValid();
    return this.bus === undefined || this.bus.connected();
  }

  /** Local generation to remember before a store read or fn whose result may go into L1. */
  snapshot(): number {
    return this.l1?.snapshot() ?? 0;
  }

  get(key: string): L1Entry | undefined {
    return this.usable() ? this.l1!.get(key) : undefined;
  }

  set(key: string, entry: L1Entry, now: number): void {
    if (this.usable()) this.l1!.set(key, entry, now);
  }

  /** `ids[i]`: the entry now stored under keys[i] (a copy with that id stays); absent for removals. */
  invalidate(tags: readonly string[], categories: readonly string[], keys?: readonly string[], ids?: readonly (string | null)[]): void {
    this.generation++;
    this.l1?.invalidate(tags, categories, keys, ids);
  }

  /** The bus message for a store batch (sent in the same round trip as the writes it announces). */
  announce(tags: readonly string[], categories: readonly string[], keys?: readonly string[], ids?: readonly (string | null)[], ref?: string): StoreOp | undefined {
    return this.bus && { op: 'publish', channel: this.bus.channel, message: this.bus.message(tags, categories, keys, ids, ref) };
  }

  async close(): Promise<void> {
    await this.bus?.close();
  }
}

function duplicateForSubscribe(client: Redis | Cluster): Redis | Cluster {
  // The subscriber may queue its SUBSCRIBE until connected; we resubscribe ourselves to know when it is live.
  if (client instanceof Redis) return client.duplicate({ enableOfflineQueue: true, autoResubscribe: false });
  return client.duplicate(undefined, { redisOptions: { ...client.options.redisOptions, enableOfflineQueue: true, autoResubscribe: false } });
}
