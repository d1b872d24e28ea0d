import 'server-only';
import type { Cluster, Redis } from 'ioredis';
import type { Cache } from '@/lib/cache';

/**
 * The cache's store seen through its shape rather than `instanceof`: Next bundles lib/cache once per
 * entry (instrumentation, routes, pages), so the singleton's RedisStore/MemoryStore may come from another
 * copy of the module than the class this file would import, and `instanceof` would say no.
 */
export function redisClientOf(cache: Cache): Redis | Cluster | undefined {
  const store = cache.store as typeof cache.store & { client?: Redis | Cluster };
  return store.backend !== 'memory' && store.client ? store.client : undefined;
}

type RedisStoreShape = { masters?: () => Promise<Redis[]>; nodeInfos?: () => Promise<{ address: string; fields: Record<string, string> }[]> };

/** Redis masters to walk: every primary in Cluster (once the slot map is known), the one server otherwise. */
export async function mastersOf(cache: Cache): Promise<Redis[]> {
  const store = cache.store as typeof cache.store & RedisStoreShape;
  if (store.backend === 'memory' || !store.masters) return [];
  return store.masters();
}

/** INFO per master with its address (empty for the memory store). */
export async function nodeInfosOf(cache: Cache): Promise<{ address: string; fields: Record<string, string> }[]> {
  const store = cache.store as typeof cache.store & RedisStoreShape;
  if (store.backend === 'memory' || !store.nodeInfos) return [];
  return store.nodeInfos();
}

/** The embedded memory store's own accounting (bytes held, bound), or undefined for Redis. */
export function memoryStoreOf(cache: Cache): { bytes: number; maxBytes: number } | undefined {
  const store = cache.store as typeof cache.store & { bytes?: number; maxBytes?: number };
  return store.backend === 'memory' && typeof store.bytes === 'number' ? { bytes: store.bytes, maxBytes: store.maxBytes ?? 0 } : undefined;
}
