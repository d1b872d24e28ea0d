import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { queryRows } from '@/lib/db/rows';
import type { Db } from '@/lib/db/types';
import { seedDatabase } from '@/drizzle/seed/seed-database';
import { generatePatients, recommendationRows } from '@/drizzle/seed/generate';
import { temperamentEffect } from '@/drizzle/seed/hidden-rule';
import { createRng } from '@/drizzle/seed/prng';
import { createTestDb, destroyTestDb, useTestDb, type TestDb } from '@/tests/support/test-db';

const NOW = new Date('2025-06-01T00:00:00Z');
const OPTS = { patients: 300, seed: 7, now: NOW, chunkSize: 64 };

/** md5 over every generated table's rows in id order (timestamps and json as text). */
async function fingerprint(db: Db): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const table of ['conditions', 'recommendations', 'patients', 'health_records', 'diagnoses', 'feedback']) {
    // updated_at of recommendations is the wall clock of the optimize run, not generated data.
    const row_ = table === 'recommendations' ? `(t.id, t.condition_id, t.remedy_code, t.name_en, t.temperament, t.effectiveness_score)::text` : 't::text';
    const [row] = await queryRows<{ h: string | null }>(
      db,
      sql.raw(`select md5(string_agg(${row_}, E'\\n' order by t.id)) as h from ${table} t`),
    );
    out[table] = row?.h ?? '';
  }
  return out;
}

describe('demo data generator', () => {
  const a = useTestDb();
  let b: TestDb;
  beforeAll(async () => {
    b = await createTestDb();
  });
  afterAll(async () => {
    if (b) await destroyTestDb(b);
  });

  it('gives the same rows for the same seed, whatever the batch size', async () => {
    const ra = await seedDatabase(a.handle, OPTS);
    const rb = await seedDatabase(b, { ...OPTS, chunkSize: 1000 });
    expect(ra.skipped).toBe(false);
    expect(ra.patients).toBe(300);
    expect(ra.feedback).toBeGreaterThan(300);
    expect({ ...rb, ms: 0 }).toEqual({ ...ra, ms: 0 });
    const fa = await fingerprint(a.db);
    expect(Object.values(fa).every((h) => /^[0-9a-f]{32}$/.test(h))).toBe(true);
    expect(await fingerprint(b.db)).toEqual(fa);
  });

  it('gives different rows for another seed, and --reset replaces the data', async () => {
    const before = await fingerprint(b.db);
    const again = await seedDatabase(b, { ...OPTS, seed: 8 });
    expect(again.skipped).toBe(true);
    expect(await fingerprint(b.db)).toEqual(before);

    await seedDatabase(b, { ...OPTS, seed: 8, reset: true });
    const other = await fingerprint(b.db);
    expect(other.patients).not.toBe(before.patients);
    expect(other.feedback).not.toBe(before.feedback);

    await seedDatabase(b, { ...OPTS, reset: true });
    const back = await fingerprint(b.db);
    // Same seed again after a reset: identical patients, diagnoses and feedback.
    for (const t of ['patients', 'health_records', 'diagnoses', 'feedback'] as const) expect(back[t]).toBe(before[t]);
  });

  it('loads the catalog, clinicians that cannot log in, and initial effectiveness scores', async () => {
    const [c] = await queryRows<{ conditions: number; recs: number; scored: number; clinicians: number; bad: number }>(
      a.db,
      sql`select (select count(*) from conditions)::int as conditions,
                 (select count(*) from recommendations)::int as recs,
                 (select count(*) from recommendations where effectiveness_score > 0 and effectiveness_score < 1)::int as scored,
                 (select count(*) from users where email like 'clinician-%@demo.mizaj.local' and password_hash = '!' and role = 'clinician')::int as clinicians,
                 (select count(*) from diagnoses d join feedback f on f.diagnosis_id = d.id
                    join recommendations r on r.id = f.recommendation_id
                    where r.condition_id <> d.condition_id or f.patient_id <> d.patient_id or f.created_at > ${NOW.toISOString()}::timestamptz)::int as bad`,
    );
    expect(c).toEqual({ conditions: 12, recs: 83, scored: 83, clinicians: 8, bad: 0 });
    const [names] = await queryRows<{ fa: number; en: number }>(
      a.db,
      sql`select count(*) filter (where name ~ '[آ-ی]')::int as fa, count(*) filter (where name ~ '^[A-Za-z ]+$')::int as en from patients`,
    );
    expect(names!.fa + names!.en).toBe(300);
    expect(names!.en).toBeGreaterThan(50);
    expect(names!.fa).toBeGreaterThan(100);
  });

  it('follows the hidden rule: opposing remedies rate higher', () => {
    const temperament = new Map(recommendationRows(NOW).map((r) => [r.id, r.temperament]));
    const sums = { opposing: [0, 0], sharing: [0, 0], balanced: [0, 0] };
    for (const bundle of generatePatients({ patients: 3000, seed: 1, now: NOW, clinicianIds: [1] })) {
      for (const f of bundle.feedback) {
        const effect = temperamentEffect(bundle.patient.mizajType, temperament.get(f.recommendationId)!);
        const bucket = bundle.patient.mizajType === 'motadel' ? sums.balanced : effect > 0 ? sums.opposing : effect < 0 ? sums.sharing : null;
        if (bucket) {
          bucket[0]! += f.rating;
          bucket[1]! += 1;
        }
      }
    }
    const mean = ([s, n]: number[]) => s! / n!;
    expect(mean(sums.opposing) - mean(sums.sharing)).toBeGreaterThan(1);
    // Balanced patients sit in between: no temperament effect.
    expect(mean(sums.balanced)).toBeGreaterThan(mean(sums.sharing));
    expect(mean(sums.balanced)).toBeLessThan(mean(sums.opposing));
  });

  it('has a PRNG that repeats per seed and differs across seeds', () => {
    const seq = (s: number) => Array.from({ length: 5 }, createRng(s).next);
    expect(seq(1)).toEqual(seq(1));
    expect(seq(1)).not.toEqual(seq(2));
  });
});
