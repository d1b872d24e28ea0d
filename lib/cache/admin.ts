import type { Cluster, Redis } from 'ioredis';
import { assertCategory, categoryOfKey } from './keys';
import { purgeKeys, reclaimDead, type PurgeOptions, type PurgeReport } from './reclaim';
import type { StoreGate } from './store-gate';
import { MemoryStore } from './stores/memory-store';
import { RedisStore, type NodeInfo } from './stores/redis-store';
import type { Backend, CacheStore } from './types';
import type { VersionKeys } from './versions';

export type { NodeInfo } from './stores/redis-store';

/** One batch of a keyspace scan: the keys one master returned, each with its category (undefined: bookkeeping). */
export interface ScannedBatch {
  /** Index of the master that holds these keys (pass it to `measure`). */
  node: number;
  keys: { key: string; category: string | undefined }[];
}

export interface KeySize {
  key: string;
  /** MEMORY USAGE (Redis) or the memory store's own estimate. */
  bytes: number;
  /** PTTL; -1 when the key has no expiry. */
  ttlMs: number;
}

export interface AdminOptions {
  prefix: string;
  store: CacheStore;
  gate: StoreGate;
  versions: VersionKeys;
  now: () => number;
  /** Invalidates a category (O(1)) before its keys are freed. */
  invalidateCategory: (category: string) => Promise<unknown>;
}

/**
 * Admin jobs walk the whole keyspace (SCAN + UNLINK in batches) while requests keep the cache busy: on the
 * request path's connection and its 200 ms command timeout a batch queued behind a warm's traffic timed out
 * and failed the purge. Jobs get their own connection with a timeout of their own; requests are unaffected.
 */
export const ADMIN_COMMAND_TIMEOUT_MS = 5_000;
const PIPELINE = 200;

/**
 * What operators and the dashboard may do with the cache's store, and nothing else: scan the keyspace by
 * category, measure keys, read INFO, purge a category, reclaim dead entries, and hold a lease. lib/admin goes
 * through here instead of reaching into keys, stores or the Redis client.
 */
export class CacheAdmin {
  readonly backend: Backend;
  private jobStore: RedisStore | undefined;

  constructor(private readonly o: AdminOptions) {
    this.backend = o.store.backend;
  }

  /** Whether the store is connected now (never waits). */
  connected(): boolean {
    return this.o.store.available();
  }

  /** Redis INFO fields (summed over Cluster masters as each figure means); empty for the memory store. */
  info(): Promise<Record<string, string>> {
    return this.o.gate.timed(this.o.store.info());
  }

  /** INFO per master with its address (empty for the memory store). */
  async nodes(): Promise<NodeInfo[]> {
    const store = this.o.store;
    return store instanceof RedisStore ? store.nodeInfos() : [];
  }

  /** Raw INFO sections of the first master (Cluster: it speaks for the rest), or null for the memory store. */
  async infoSections(...sections: string[]): Promise<string[] | null> {
    const node = (await this.masters())[0];
    return node ? Promise.all(sections.map((s) => node.info(s))) : null;
  }

  /** The memory store's own accounting (bytes held, bound); undefined for Redis. */
  memory(): { bytes: number; maxBytes: number } | undefined {
    const store = this.o.store;
    return store instanceof MemoryStore ? { bytes: store.bytes, maxBytes: store.maxBytes } : undefined;
  }

  /** ONE SCAN pass (never KEYS) over every master of this cache's keys, each key with its category. */
  async *scan(options: { count?: number; signal?: AbortSignal } = {}): AsyncIterable<ScannedBatch> {
    const { prefix } = this.o;
    const count = options.count ?? 1000;
    const classify = (keys: string[]) => keys.map((key) => ({ key, category: categoryOfKey(prefix, key) }));
    const masters = await this.masters();
    if (masters.length === 0) {
      for await (const keys of this.o.store.scan(`${prefix}:*`, { count, signal: options.signal })) yield { node: 0, keys: classify(keys) };
      return;
    }
    for (let node = 0; node < masters.length; node++) {
      let cursor = '0';
      do {
        options.signal?.throwIfAborted();
        const [next, keys] = await masters[node]!.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', count);
        cursor = next;
        yield { node, keys: classify(keys) };
      } while (cursor !== '0');
    }
  }

  /** Size and TTL of keys one master holds (pipelined); a key gone since the scan is left out. */
  async measure(node: number, keys: readonly string[], signal?: AbortSignal): Promise<KeySize[]> {
    const out: KeySize[] = [];
    const master = (await this.masters())[node];
    if (!master) {
      // Embedded memory store: what its LRU accounts.
      const store = this.o.store;
      const values = await store.mgetBuffer(keys);
      const ttls = await Promise.all(keys.map((k) => store.pttl(k)));
      keys.forEach((key, i) => {
        if (values[i] != null && ttls[i] !== -2) out.push({ key, bytes: values[i]!.length + 2 * key.length + 64, ttlMs: ttls[i]! });
      });
      return out;
    }
    for (let i = 0; i < keys.length; i += PIPELINE) {
      signal?.throwIfAborted();
      const chunk = keys.slice(i, i + PIPELINE);
      const p = master.pipeline();
      for (const key of chunk) p.call('MEMORY', 'USAGE', key).pttl(key);
      const replies = (await p.exec()) ?? [];
      chunk.forEach((key, j) => {
        const [e1, bytes] = replies[2 * j] ?? [];
        const [e2, ttl] = replies[2 * j + 1] ?? [];
        if (e1 || e2 || bytes === null || Number(ttl) === -2) return;
        out.push({ key, bytes: Number(bytes), ttlMs: Number(ttl) });
      });
    }
    return out;
  }

  /**
   * Invalidates a category (O(1)) and then frees its memory: SCAN + UNLINK in bounded batches on every
   * master, on the admin connection, reporting progress, stoppable with an AbortSignal.
   */
  async purge(category: string, options: Omit<PurgeOptions, 'store'> = {}): Promise<PurgeReport> {
    await this.o.invalidateCategory(category);
    const pattern = `${this.o.prefix}:${assertCategory(category)}:*`;
    return purgeKeys(this.o.store, pattern, { ...options, store: await this.adminStore() });
  }

  /** Frees entries made dead by tag/category invalidations (reads each batch's headers; bounded, abortable). */
  reclaim(options: Omit<PurgeOptions, 'store'> & { category?: string } = {}): Promise<PurgeReport> {
    const { prefix, store, versions, now } = this.o;
    const pattern = options.category ? `${prefix}:${assertCategory(options.category)}:*` : `${prefix}:*`;
    return reclaimDead(store, prefix, pattern, (tag) => versions.tag(tag), (c) => versions.category(c), now, options);
  }

  /**
   * A lease only one instance holds at a time (`{prefix}:~{name}`): SET NX PX takes a free one, the holder
   * renews it with PEXPIRE; another takes over at most ttlMs after the holder stops renewing. The memory store
   * is per process: every process holds its own.
   */
  async lease(name: string, owner: string, ttlMs: number): Promise<boolean> {
    const store = this.o.store;
    if (!(store instanceof RedisStore)) return true;
    if (!store.available()) throw new Error('Redis not connected');
    const client: Redis | Cluster = store.client;
    const key = `${this.o.prefix}:~${name}`;
    if ((await client.set(key, owner, 'PX', ttlMs, 'NX')) === 'OK') return true;
    if ((await client.get(key)) !== owner) return false;
    return (await client.pexpire(key, ttlMs)) === 1;
  }

  private async masters(): Promise<Redis[]> {
    const store = this.o.store;
    return store instanceof RedisStore ? store.masters() : [];
  }

  /** The store admin jobs walk: its own connection with a longer timeout, or undefined to use the cache's own. */
  private async adminStore(): Promise<CacheStore | undefined> {
    const store = this.o.store;
    if (!(store instanceof RedisStore)) return undefined;
    if (!this.jobStore) {
      const client = store.client;
      const own =
        store.backend === 'cluster'
          ? (client as Cluster).duplicate(undefined, { redisOptions: { ...(client as Cluster).options.redisOptions, commandTimeout: ADMIN_COMMAND_TIMEOUT_MS } })
          : (client as Redis).duplicate({ commandTimeout: ADMIN_COMMAND_TIMEOUT_MS });
      this.jobStore = new RedisStore(own, store.backend, true);
    }
    try {
      await this.jobStore.ready(ADMIN_COMMAND_TIMEOUT_MS);
      return this.jobStore;
    } catch {
      return undefined;
    }
  }

  async close(): Promise<void> {
    const jobs = this.jobStore;
    this.jobStore = undefined;
    await jobs?.close().catch(() => {});
  }
}
