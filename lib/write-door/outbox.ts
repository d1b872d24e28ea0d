import 'server-only';
import { and, asc, inArray, isNotNull, isNull, lt, sql } from 'drizzle-orm';
import { preparedRows } from '@/lib/db/rows';
import type { Db } from '@/lib/db/types';
import { cacheOutbox } from '@/lib/db/schema';
import { COHERENCE_CHANNEL, encodeInvalidation } from './messages';

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
 * every instance hears of it exactly when the data becomes visible, and never for a rolled-back write. One
 * statement (one round trip: what a write waits for on a busy server), the row's id written into the message
 * by the database.
 */
export async function recordInvalidation(tx: Db, change: Invalidation, origin: { prefix: string; from: string }): Promise<number> {
  const [before, after] = encodeInvalidation({ t: 'inv', p: origin.prefix, from: origin.from, ...change });
  const [row] = await insertOutboxRow(tx, {
    tags: cacheOutbox.tags.mapToDriverValue(change.tags),
    categories: cacheOutbox.categories.mapToDriverValue(change.categories),
    channel: COHERENCE_CHANNEL,
    before,
    after,
  });
  if (!row) throw new Error('insert into cache_outbox returned no row');
  // bigserial: postgres-js hands int8 over as text.
  return Number(row.id);
}

const insertOutboxRow = preparedRows<{ id: number | string }>(
  'outbox_insert',
  sql`with inserted as (insert into ${cacheOutbox} (tags, categories) values (${sql.placeholder('tags')}::text[], ${sql.placeholder('categories')}::text[]) returning id)
      select id, pg_notify(${sql.placeholder('channel')}, ${sql.placeholder('before')}::text || id::text || ${sql.placeholder('after')}::text) from inserted`,
);

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

/** Runs after every write (off its answer's path, on a pool connection): a named statement, the ids as one array. */
export async function markApplied(db: Db, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  await markRowsApplied(db, { ids: `{${ids.join(',')}}` });
}

const markRowsApplied = preparedRows(
  'outbox_mark_applied',
  sql`update ${cacheOutbox} set applied_at = now() where ${cacheOutbox.id} = any(${sql.placeholder('ids')}::bigint[]) and ${cacheOutbox.appliedAt} is null`,
);

/** Drops applied rows older than `keepSeconds` (the longest an entry they invalidated could still live). */
export async function pruneOutbox(db: Db, keepSeconds: number): Promise<number> {
  const rows = await db
    .delete(cacheOutbox)
    .where(and(isNotNull(cacheOutbox.appliedAt), sql`${cacheOutbox.createdAt} < now() - make_interval(secs => ${keepSeconds})`))
    .returning({ id: cacheOutbox.id });
  return rows.length;
}
