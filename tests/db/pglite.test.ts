import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { is, sql } from 'drizzle-orm';
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core';
import * as schema from '@/lib/db/schema';
import { createDb } from '@/lib/db/create-db';
import { migrateDb } from '@/lib/db/migrate';
import { queryRows } from '@/lib/db/rows';
import type { DbHandle } from '@/lib/db/types';
import { seedDatabase } from '@/drizzle/seed/seed-database';
import { getCounts, getRecommendationAnalytics, listRecommendationsForCondition, predictForDiagnosis, searchPatients, submitFeedback } from '@/lib/domain';

describe('embedded PGlite', () => {
  let h: DbHandle;
  beforeAll(async () => {
    h = await createDb({ pglite: 'memory://' });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('runs the same migrations (twice: the second is a no-op)', async () => {
    expect(h.kind).toBe('pglite');
    await migrateDb(h);
    await migrateDb(h);
    const tables = await queryRows<{ name: string }>(h.db, sql`select tablename as name from pg_tables where schemaname = 'public' order by 1`);
    // Every table of the drizzle schema exists, and nothing else.
    const expected = Object.values(schema)
      .filter((v) => is(v, PgTable))
      .map((t) => getTableConfig(t as PgTable).name)
      .sort();
    expect(tables.map((t) => t.name)).toEqual(expected);
  });

  it('seeds and serves the services', async () => {
    const r = await seedDatabase(h, { patients: 120, seed: 3, now: new Date('2025-06-01T00:00:00Z') });
    expect(r.patients).toBe(120);
    expect(await getCounts(h.db)).toMatchObject({ patients: 120, recommendations: 83, diagnoses: r.diagnoses, feedback: r.feedback });
    const recs = await listRecommendationsForCondition(h.db, 1);
    expect(recs.length).toBeGreaterThan(3);
    const analytics = await getRecommendationAnalytics(h.db, recs[0]!.id);
    expect(analytics.count).toBeGreaterThan(0);
    // The seed's COPY went through the trigger that copies each rating patient's mizaj onto the row.
    expect(analytics.byMizaj.reduce((n, m) => n + m.count, 0)).toBe(analytics.count);
    const found = await searchPatients(h.db, { q: 'a', pageSize: 5 });
    expect(found.items.length).toBeGreaterThan(0);
    const [d] = await queryRows<{ id: number; rec: number }>(
      h.db,
      sql`select d.id, (select r.id from recommendations r where r.condition_id = d.condition_id order by r.id limit 1) as rec from diagnoses d order by d.id limit 1`,
    );
    expect((await predictForDiagnosis(h.db, d!.id)).predictions.length).toBeGreaterThan(0);
    const s = await submitFeedback(h.db, { recommendationId: d!.rec, diagnosisId: d!.id, rating: 4, adherence: 50 });
    expect(s.feedbackId).toBe(r.feedback + 1);
  });
});
