import { beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { queryRows } from '@/lib/db/rows';
import { seedDatabase } from '@/drizzle/seed/seed-database';
import { optimizeEffectiveness, predictForDiagnosis } from '@/lib/domain';
import { useTestDb } from '@/tests/support/test-db';

// useTestDb() inside describe: eslint's react-hooks rule mistakes a top-level use* call for a React hook.
describe('generated data (3,000 patients, seed 42)', () => {
const t = useTestDb();
beforeAll(async () => {
  await seedDatabase(t.handle, { patients: 3000, seed: 42, now: new Date('2025-06-01T00:00:00Z') });
});

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('predictions on generated data', () => {
  it('rank cooling remedies above heating ones for hot-natured patients', async () => {
    // 12 diagnoses of garm_* patients (every 37th, spread over conditions); deterministic with the fixed seed.
    const diags = await queryRows<{ id: number }>(
      t.db,
      sql`select d.id from diagnoses d join patients p on p.id = d.patient_id
          where p.mizaj_type in ('garm_tar', 'garm_khoshk') and d.id % 37 = 0
            -- conditions offering both cooling and heating remedies (common cold, e.g., has only heating ones)
            and exists (select 1 from recommendations r where r.condition_id = d.condition_id and r.temperament like 'sard%')
            and exists (select 1 from recommendations r where r.condition_id = d.condition_id and r.temperament like 'garm%')
          order by d.id limit 12`,
    );
    expect(diags).toHaveLength(12);
    let topIsCooling = 0;
    const gaps: number[] = [];
    for (const { id } of diags) {
      const p = await predictForDiagnosis(t.db, id);
      expect(p.mizajType.startsWith('garm')).toBe(true);
      expect(p.similarPatients.count).toBe(20);
      const cooling = p.predictions.filter((x) => x.temperament.startsWith('sard')).map((x) => x.predictedRating);
      const heating = p.predictions.filter((x) => x.temperament.startsWith('garm')).map((x) => x.predictedRating);
      // The condition's cooling remedies, on average, beat its heating ones for every diagnosis…
      expect(mean(cooling), `diagnosis ${id}`).toBeGreaterThan(mean(heating));
      gaps.push(mean(cooling) - mean(heating));
      if (p.predictions[0]!.temperament.startsWith('sard')) topIsCooling++;
      expect(p.predictions.every((x) => x.confidence > 0 && x.confidence < 1 && x.n > 0)).toBe(true);
    }
    // …by a clear margin on average (the rule's gap is ~2 rating points, shrinkage and noise eat some)…
    expect(mean(gaps)).toBeGreaterThan(0.5);
    // …and the top-ranked remedy is a cooling one for most of them (chance would be about half).
    expect(topIsCooling).toBeGreaterThanOrEqual(8);
  });

  it('predictions are ranked and cover all the condition recommendations', async () => {
    const [d] = await queryRows<{ id: number; condition_id: number }>(t.db, sql`select id, condition_id from diagnoses order by id limit 1`);
    const p = await predictForDiagnosis(t.db, d!.id);
    const recs = await queryRows<{ id: number }>(t.db, sql`select id from recommendations where condition_id = ${d!.condition_id} order by id`);
    expect(p.recommendationIds).toEqual(recs.map((r) => r.id));
    const ratings = p.predictions.map((x) => x.predictedRating);
    expect(ratings).toEqual([...ratings].sort((a, b) => b - a));
  });

  it('optimize is idempotent on seeded data', async () => {
    expect(await optimizeEffectiveness(t.db)).toEqual({ changedIds: [] });
    await t.db.execute(sql`update recommendations set effectiveness_score = 0 where id in (3, 5)`);
    expect(await optimizeEffectiveness(t.db)).toEqual({ changedIds: [3, 5] });
  });
});
});
