import 'server-only';
import { desc } from 'drizzle-orm';
import type { Db } from '@/lib/db/types';
import { adminAudit } from '@/lib/db/schema';

export type AuditEntry = typeof adminAudit.$inferSelect;
export type AuditInput = { actor: string; action: string; target: string; ok: boolean; result?: unknown };

export async function recordAudit(db: Db, entry: AuditInput): Promise<void> {
  await db.insert(adminAudit).values({ ...entry, result: entry.result ?? null });
}

/** Newest first. */
export async function listAudit(db: Db, limit = 50): Promise<AuditEntry[]> {
  return db.select().from(adminAudit).orderBy(desc(adminAudit.createdAt), desc(adminAudit.id)).limit(Math.min(Math.max(1, limit), 500));
}
