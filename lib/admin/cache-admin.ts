import 'server-only';
import { CATEGORY_NAMES, getCache, type CategoryName, type PurgeProgress, type WarmProgress } from '@/lib/cache';
import { getDb } from '@/lib/db/client';
import type { Db } from '@/lib/db/types';
import { registerWarmers } from '@/lib/cached-reads/warmers';
import { invalidateDurably } from '@/lib/write-door';
import { recordAudit } from './audit';

/**
 * Cache administration shared by the API (POST /api/cache/*) and the dashboard's server actions: each
 * action runs, then leaves an audit row with its outcome, whether it succeeded or not.
 */

export type Actor = { label: string };

export const isCategory = (c: string): c is CategoryName => (CATEGORY_NAMES as readonly string[]).includes(c);

async function audited<T>(db: Db, actor: Actor, action: string, target: string, run: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    const result = await run();
    await recordAudit(db, { actor: actor.label, action, target, ok: true, result: { ...result, ms: Math.round(performance.now() - started) } });
    return result;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await recordAudit(db, { actor: actor.label, action, target, ok: false, result: { error: message, ms: Math.round(performance.now() - started) } }).catch(() => {});
    throw error;
  }
}

/** Drops every entry of a category (O(1), recorded in the outbox like a write's) and frees its keys in batches; stoppable. */
export function purgeCategory(db: Db, actor: Actor, category: CategoryName, opts: { signal?: AbortSignal; onProgress?: (p: PurgeProgress) => void } = {}) {
  return audited(db, actor, 'purge-category', category, async () => {
    await invalidateDurably({ categories: [category] });
    const report = await getCache().admin.purge(category, opts);
    return { keysDeleted: report.deleted, scanned: report.scanned, aborted: report.aborted };
  });
}

/** Drops every entry carrying the tag (O(1), recorded in the outbox); memory is reclaimed by expiry or a later reclaim pass. */
export async function purgeTag(actor: Actor, tag: string) {
  return audited(await getDb(), actor, 'purge-tag', tag, async () => {
    return { receivers: await invalidateDurably({ tags: [tag] }) };
  });
}

/** Fills a category's hot set through the same cached functions the reads use. */
export function warmCategory(db: Db, actor: Actor, category: CategoryName, opts: { signal?: AbortSignal; onProgress?: (p: WarmProgress) => void } = {}) {
  return audited(db, actor, 'warm', category, async () => {
    registerWarmers();
    const report = await getCache().warm(category, opts);
    return { warmed: report.done, total: report.total, failed: report.failed, aborted: report.aborted };
  });
}
