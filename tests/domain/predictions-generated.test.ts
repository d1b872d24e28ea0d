import { beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { queryRows } from '@/lib/db/rows';
import { seedDatabase } from '@/drizzle/seed/seed-database';
import { optimizeEffectiveness, predictForDiagnosis } from '@/lib/domain';
import { predictionInputs } from '@/lib/domain/predictions/similar-patients';
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

  // The cached prediction adds its condition's tag there (lib/resources/prediction.ts): its version must be read
  // before the data it covers.
  it('tells its condition, and waits on that, before reading the condition’s candidates and priors', async () => {
    const [d] = await queryRows<{ id: number; condition_id: number }>(t.db, sql`select id, condition_id from diagnoses order by id limit 1`);
    const events: string[] = [];
    let release!: () => void;
    const told = new Promise<void>((r) => (release = r));
    const p = predictForDiagnosis(t.db, d!.id, {
      condition: (c) => {
        events.push(`condition ${c}`);
        return told.then(() => void events.push('released'));
      },
      candidates: async (c) => (events.push(`candidates ${c}`), []),
      means: async (c) => (events.push(`means ${c}`), []),
    });
    await expect.poll(() => events).toEqual([`condition ${d!.condition_id}`]);
    release();
    await p;
    expect(events).toEqual([`condition ${d!.condition_id}`, 'released', `candidates ${d!.condition_id}`, `means ${d!.condition_id}`]);
  });

  it('similar patients are the nearest raters of the condition with the same mizaj, as a walk over every patient finds them', async () => {
    const diags = await queryRows<{ id: number }>(t.db, sql`select id from diagnoses where id % 23 = 0 order by id limit 150`);
    expect(diags).toHaveLength(150);
    for (const { id } of diags) {
      const inputs = await predictionInputs(t.db, id, 20);
      // The definition, over every patient: same mizaj, another patient, a diagnosis of the condition with feedback.
      const nearest = await queryRows<{ patientId: number; birthYear: number; distance: number }>(
        t.db,
        sql`with t as (select d.patient_id, d.condition_id, p.mizaj_type, p.birth_year from diagnoses d join patients p on p.id = d.patient_id where d.id = ${id})
            select p.id as "patientId", p.birth_year::int as "birthYear", abs(p.birth_year - t.birth_year)::int as distance
            from t join patients p on p.mizaj_type = t.mizaj_type and p.id <> t.patient_id
            where exists (select 1 from diagnoses d join feedback f on f.diagnosis_id = d.id where d.patient_id = p.id and d.condition_id = t.condition_id)
            order by distance, p.id limit 20`,
      );
      expect(inputs!.neighbours, `diagnosis ${id}`).toEqual(nearest);
    }
  });

  it('optimize is idempotent on seeded data', async () => {
    expect(await optimizeEffectiveness(t.db)).toEqual({ changedIds: [] });
    await t.db.execute(sql`update recommendations set effectiveness_score = 0 where id in (3, 5)`);
    expect(await optimizeEffectiveness(t.db)).toEqual({ changedIds: [3, 5] });
  });

  // Last: it changes the data the tests above read.
  it('condition_raters stays equal to its definition through every kind of write', async () => {
    const table = () => queryRows(t.db, sql`select condition_id, mizaj_type, birth_year, patient_id from condition_raters order by 1, 2, 3, 4`);
    const definition = () =>
      queryRows(
        t.db,
        sql`select distinct d.condition_id, p.mizaj_type, p.birth_year, d.patient_id
            from diagnoses d join patients p on p.id = d.patient_id
            where exists (select 1 from feedback f where f.diagnosis_id = d.id) order by 1, 2, 3, 4`,
      );
    const same = async (after: string) => expect(await table(), after).toEqual(await definition());
    await same('the seed');
    const [unrated] = await queryRows<{ id: number; patient_id: number }>(
      t.db,
      sql`select d.id, d.patient_id from diagnoses d where not exists (select 1 from feedback f where f.diagnosis_id = d.id)
            and not exists (select 1 from diagnoses d2 join feedback f on f.diagnosis_id = d2.id where d2.patient_id = d.patient_id and d2.condition_id = d.condition_id)
          order by d.id limit 1`,
    );
    const [rec] = await queryRows<{ id: number }>(t.db, sql`select r.id from recommendations r join diagnoses d on d.condition_id = r.condition_id where d.id = ${unrated!.id} limit 1`);
    const before = (await table()).length;
    await t.db.execute(sql`insert into feedback (recommendation_id, diagnosis_id, patient_id, rating, adherence) values (${rec!.id}, ${unrated!.id}, ${unrated!.patient_id}, 4, 80)`);
    expect((await table()).length).toBe(before + 1);
    await same('a new rating');
    await t.db.execute(sql`update patients set birth_year = birth_year - 7, mizaj_type = 'motadel' where id in (select patient_id from feedback order by id limit 40)`);
    await same("patients' birth years and mizaj corrected");
    await t.db.execute(sql`update feedback set diagnosis_id = ${unrated!.id} where id in (select id from feedback where diagnosis_id <> ${unrated!.id} order by id desc limit 5)`);
    await same('ratings moved to another diagnosis');
    await t.db.execute(sql`delete from feedback where id in (select id from feedback order by id limit 300)`);
    await same('ratings deleted');
    await t.db.execute(sql`update diagnoses set condition_id = case when condition_id = 1 then 2 else 1 end where id in (select diagnosis_id from feedback order by id desc limit 30)`);
    await same('diagnoses moved to another condition');
    await t.db.execute(sql`delete from diagnoses where id in (select diagnosis_id from feedback order by id desc limit 30)`);
    await same('diagnoses deleted with their ratings');
    await t.db.execute(sql`delete from patients where id in (select patient_id from feedback order by id limit 20)`);
    await same('patients deleted');
  });
});
});
