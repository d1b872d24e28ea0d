import { sql } from 'drizzle-orm';
import type { Db } from '@/lib/db/types';
import { queryRows } from '@/lib/db/rows';

export type Counts = { patients: number; recommendations: number; diagnoses: number; feedback: number };

/** Exact row counts in one round trip (index-only scans on the primary keys once vacuumed). */
export async function getCounts(db: Db): Promise<Counts> {
  const [row] = await queryRows<Counts>(
    db,
    sql`select (select count(*) from patients)::int as patients,
               (select count(*) from recommendations)::int as recommendations,
               (select count(*) from diagnoses)::int as diagnoses,
               (select count(*) from feedback)::int as feedback`,
  );
  if (!row) throw new Error('count query returned no row');
  return row;
}
