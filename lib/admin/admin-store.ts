import 'server-only';
import type { Cluster, Redis } from 'ioredis';
import { RedisStore, type Cache, type CacheStore } from '@/lib/cache';
import { redisClientOf } from './store-access';

/**
 * Admin jobs walk the whole keyspace (SCAN + UNLINK in batches) while requests keep the cache busy: on the
 * request path's connection and its 200 ms command timeout a batch queued behind a warm's traffic timed out
 * and failed the purge. Jobs get their own connection with a timeout of their own; requests are unaffected.
 */
export const ADMIN_COMMAND_TIMEOUT_MS = 5_000;

const HOLDER = Symbol.for('mizaj.admin-store');
type Holder = { [HOLDER]?: { client: Redis | Cluster; store: RedisStore } };

/** The store admin jobs walk (connected), or undefined to use the cache's own (memory, or no connection). */
export async function adminStoreOf(cache: Cache): Promise<CacheStore | undefined> {
  const client = redisClientOf(cache);
  if (!client) return undefined;
  const holder = globalThis as Holder;
  const held = holder[HOLDER];
  if (held?.client === client) return connected(held.store);
  const backend = cache.store.backend as 'redis' | 'sentinel' | 'cluster';
  const own =
    backend === 'cluster'
      ? (client as Cluster).duplicate(undefined, { redisOptions: { ...(client as Cluster).options.redisOptions, commandTimeout: ADMIN_COMMAND_TIMEOUT_MS } })
      : (client as Redis).duplicate({ commandTimeout: ADMIN_COMMAND_TIMEOUT_MS });
  const store = new RedisStore(own, backend, true);
  void held?.store.close().catch(() => {});
  holder[HOLDER] = { client, store };
  return connected(store);
}

async function connected(store: RedisStore): Promise<CacheStore | undefined> {
  try {
    await store.ready(ADMIN_COMMAND_TIMEOUT_MS);
    return store;
  } catch {
    return undefined;
  }
}
