import 'server-only';
import { getCache } from '@/lib/cache';
import { longestLifetimeSeconds } from '@/lib/cache/categories';
import type { DbHandle } from '@/lib/db/types';
import { PgCoherence } from './coherence';

// On globalThis: Next loads lib/ in more than one bundle per process, and there must be one listener.
const holder = globalThis as typeof globalThis & { __mizajCoherence?: PgCoherence };

/** This process's PostgreSQL coherence, once started (undefined on PGlite or a memory cache: one process). */
export function getCoherence(): PgCoherence | undefined {
  return holder.__mizajCoherence;
}

/**
 * Starts listening for other instances' writes and sweeping the outbox. Only with PostgreSQL and a shared
 * cache store: an embedded database or an in-process cache means a single instance, which needs neither.
 */
export async function startCoherence(handle: DbHandle): Promise<PgCoherence | undefined> {
  const cache = getCache();
  if (holder.__mizajCoherence || handle.kind !== 'postgres' || cache.store.backend === 'memory' || !cache.enabled) return holder.__mizajCoherence;
  const coherence = new PgCoherence({ sql: handle.client, db: handle.db, cache, longestLifetimeSeconds: longestLifetimeSeconds(cache.categories) });
  holder.__mizajCoherence = coherence;
  await coherence.start();
  return coherence;
}
