import 'server-only';
import { and, asc, inArray, isNotNull, isNull, lt, sql } from 'drizzle-orm';
import type { Db } from '@/lib/db/types';
import { cacheOutbox } from '@/lib/db/schema';
import { COHERENCE_CHANNEL, encodeMessage } from './messages';

/** What a write drops from the cache. */
export interface Invalidation {
  tags: string[];
  categories: string[];
}

export interface OutboxRow extends Invalidation {
  id: number;
}

/**
 * Records an invalidation in the write's transaction and announces it: NOTIFY is delivered on commit, so
 * every instance hears of it exactly when the data becomes visible, and never for a rolled-back write.
 */
export async function recordInvalidation(tx: Db, change: Invalidation, origin: { prefix: string; from: string }): Promise<number> {
  const [row] = await tx.insert(cacheOutbox).values({ tags: change.tags, categories: change.categories }).returning({ id: cacheOutbox.id });
  if (!row) throw new Error('insert into cache_outbox returned no row');
  const payload = encodeMessage({ t: 'inv', p: origin.prefix, from: origin.from, ref: String(row.id), ...change });
  await tx.execute(sql`select pg_notify(${COHERENCE_CHANNEL}, ${payload})`);
  return row.id;
}

/** Rows no instance has applied yet, oldest first (commit order), older than `minAgeMs`. */
export async function unappliedRows(db: Db, opts: { minAgeMs: number; limit: number }): Promise<OutboxRow[]> {
  return db
    .select({ id: cacheOutbox.id, tags: cacheOutbox.tags, categories: cacheOutbox.categories })
    .from(cacheOutbox)
    .where(and(isNull(cacheOutbox.appliedAt), lt(cacheOutbox.createdAt, sql`now() - make_interval(secs => ${opts.minAgeMs / 1000})`)))
    .orderBy(asc(cacheOutbox.id))
    .limit(opts.limit);
}

/** Rows written in the last `seconds`, applied or not: what a Redis that lost data may be missing. */
export async function recentRows(db: Db, opts: { seconds: number; limit: number }): Promise<OutboxRow[]> {
  return db
    .select({ id: cacheOutbox.id, tags: cacheOutbox.tags, categories: cacheOutbox.categories })
    .from(cacheOutbox)
    .where(sql`${cacheOutbox.createdAt} > now() - make_interval(secs => ${opts.seconds})`)
    .orderBy(asc(cacheOutbox.id))
    .limit(opts.limit);
}

export async function rowsById(db: Db, ids: number[]): Promise<OutboxRow[]> {
  if (ids.length === 0) return [];
  return db
    .select({ id: cacheOutbox.id, tags: cacheOutbox.tags, categories: cacheOutbox.categories })
    .from(cacheOutbox)
    .where(inArray(cacheOutbox.id, ids));
}

export async function markApplied(db: Db, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  await db.update(cacheOutbox).set({ appliedAt: sql`now()` }).where(and(inArray(cacheOutbox.id, ids), isNull(cacheOutbox.appliedAt)));
}

/** Drops applied rows older than `keepSeconds` (the longest an entry they invalidated could still live). */
export async function pruneOutbox(db: Db, keepSeconds: number): Promise<number> {
  const rows = await db
    .delete(cacheOutbox)
    .where(and(isNotNull(cacheOutbox.appliedAt), sql`${cacheOutbox.createdAt} < now() - make_interval(secs => ${keepSeconds})`))
    .returning({ id: cacheOutbox.id });
  return rows.length;
}
