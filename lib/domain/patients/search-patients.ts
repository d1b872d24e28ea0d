import { and, asc, eq, ilike, or, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '@/lib/db/types';
import { MIZAJ_TYPES, patients } from '@/lib/db/schema';
import { parseOrThrow, storableText } from '../shared/validation';

export const searchPatientsSchema = z.object({
  q: storableText().trim().max(100).optional(),
  mizajType: z.enum(MIZAJ_TYPES).optional(),
  page: z.number().int().min(1).default(1),
  pageSize: z.number().int().min(1).max(100).default(20),
});

export type SearchPatientsInput = z.input<typeof searchPatientsSchema>;
export type SearchPatientsResult = {
  items: (typeof patients.$inferSelect)[];
  total: number;
  page: number;
  pageSize: number;
};

// ILIKE treats % _ and \ specially; a user typing them means the characters themselves.
const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * Patients whose name contains `q` (case-insensitive, served by the trigram index for q of 3+ characters)
 * or whose id is `q` when it is a number; optionally of one mizaj type. Ordered by id.
 */
export async function searchPatients(db: Db, input: SearchPatientsInput = {}): Promise<SearchPatientsResult> {
  const { q, mizajType, page, pageSize } = parseOrThrow(searchPatientsSchema, input, 'patient search');
  const filters: SQL[] = [];
  if (q) {
    const byName = ilike(patients.name, `%${escapeLike(q)}%`);
    filters.push(/^\d{1,9}$/.test(q) ? (or(byName, eq(patients.id, Number(q))) as SQL) : byName);
  }
  if (mizajType) filters.push(eq(patients.mizajType, mizajType));
  const where = filters.length ? and(...filters) : undefined;
  const [items, [countRow]] = await Promise.all([
    db
      .select()
      .from(patients)
      .where(where)
      .orderBy(asc(patients.id))
      .limit(pageSize)
      .offset((page - 1) * pageSize),
    db.select({ n: sql<number>`count(*)::int` }).from(patients).where(where),
  ]);
  return { items, total: countRow?.n ?? 0, page, pageSize };
}
