import { beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { queryRows } from '@/lib/db/rows';
import { seedDatabase } from '@/drizzle/seed/seed-database';
import { getFeedbackSummary, getRecommendationAnalytics } from '@/lib/domain';
import { lastMonths } from '@/lib/domain/shared/months';
import { useTestDb } from '@/tests/support/test-db';

const NOW = new Date('2025-06-01T00:00:00Z');
const BUCKET = sql`case when f.adherence < 25 then '0-24' when f.adherence < 50 then '25-49' when f.adherence < 75 then '50-74' else '75-100' end`;

// useTestDb() inside describe: eslint's react-hooks rule mistakes a top-level use* call for a React hook.
describe('analytics on generated data (2,000 patients, seed 7)', () => {
  const t = useTestDb();
  beforeAll(async () => {
    await seedDatabase(t.handle, { patients: 2000, seed: 7, now: NOW });
  });

  it('equal what aggregating every rating of the recommendation gives (one GROUPING SETS pass)', async () => {
    const recs = await queryRows<{ id: number }>(t.db, sql`select id from recommendations order by id`);
    const { start } = lastMonths(NOW, 12);
    for (const { id } of recs) {
      const groups = await queryRows<{ g: number; rating: number | null; mizaj: string | null; month: string | null; bucket: string | null; n: number; mean: number; adherence: number }>(
        t.db,
        sql`select grouping(f.rating, f.mizaj_type, x.month, x.bucket)::int as g, f.rating::int as rating, f.mizaj_type as mizaj, x.month, x.bucket,
                   count(*)::int as n, avg(f.rating)::float8 as mean, avg(f.adherence)::float8 as adherence
            from feedback f cross join lateral (
              select case when f.created_at >= ${start.toISOString()}::timestamptz then to_char(f.created_at at time zone 'UTC', 'YYYY-MM') end as month,
                     ${BUCKET} as bucket) x
            where f.recommendation_id = ${id}
            group by grouping sets ((), (f.rating), (f.mizaj_type), (x.month), (x.bucket))`,
      );
      const a = await getRecommendationAnalytics(t.db, id, { now: NOW });
      const total = groups.find((r) => r.g === 0b1111)!;
      const r3 = (x: number) => Math.round(x * 1000) / 1000;
      expect(a.count, `recommendation ${id}`).toBe(total.n);
      expect(a.meanRating).toBe(r3(total.mean));
      expect(a.adherence.mean).toBe(Math.round(total.adherence * 10) / 10);
      expect(a.histogram).toEqual([1, 2, 3, 4, 5].map((r) => groups.find((x) => x.g === 0b0111 && x.rating === r)?.n ?? 0));
      for (const m of a.byMizaj) {
        const g = groups.find((x) => x.g === 0b1011 && x.mizaj === m.mizajType);
        expect(m).toEqual({ mizajType: m.mizajType, count: g?.n ?? 0, meanRating: g ? r3(g.mean) : null });
      }
      for (const m of a.monthly) {
        const g = groups.find((x) => x.g === 0b1101 && x.month === m.month);
        expect(m).toEqual({ month: m.month, count: g?.n ?? 0, meanRating: g ? r3(g.mean) : null });
      }
      expect(a.adherence.buckets.map((b) => b.count)).toEqual(a.adherence.buckets.map((b) => groups.find((x) => x.g === 0b1110 && x.bucket === b.bucket)?.n ?? 0));
    }
    expect(recs.length).toBeGreaterThan(50);
  });

  it('feedback summaries count what counting every rating of the recommendation gives', async () => {
    const recs = await queryRows<{ id: number }>(t.db, sql`select id from recommendations order by id`);
    for (const { id } of recs) {
      const counts = await queryRows<{ rating: number; n: number }>(t.db, sql`select rating::int as rating, count(*)::int as n from feedback where recommendation_id = ${id} group by rating`);
      const s = await getFeedbackSummary(t.db, id);
      const n = counts.reduce((a, c) => a + c.n, 0);
      expect(s.histogram, `recommendation ${id}`).toEqual([1, 2, 3, 4, 5].map((r) => counts.find((c) => c.rating === r)?.n ?? 0));
      expect(s.count).toBe(n);
      expect(s.meanRating).toBe(n ? Math.round((1000 * counts.reduce((a, c) => a + c.rating * c.n, 0)) / n) / 1000 : null);
    }
    expect(recs.length).toBeGreaterThan(50);
  });

  it('feedback_stats stays equal to its definition through every kind of write', async () => {
    const table = () => queryRows(t.db, sql`select recommendation_id, dimension, value, n, rating_sum::int as r, adherence_sum::int as a from feedback_stats order by 1, 2, 3`);
    // Spelled out per dimension here, not through the migration's feedback_stats_keys: a wrong key there shows.
    const definition = () =>
      queryRows(
        t.db,
        sql`select * from (
              select recommendation_id, 'total' as dimension, '' as value, count(*)::int as n, sum(rating)::int as r, sum(adherence)::int as a from feedback f group by 1
              union all select recommendation_id, 'rating', rating::text, count(*)::int, sum(rating)::int, sum(adherence)::int from feedback f group by 1, 3
              union all select recommendation_id, 'mizaj', coalesce(mizaj_type, ''), count(*)::int, sum(rating)::int, sum(adherence)::int from feedback f group by 1, 3
              union all select recommendation_id, 'month', to_char(created_at at time zone 'UTC', 'YYYY-MM'), count(*)::int, sum(rating)::int, sum(adherence)::int from feedback f group by 1, 3
              union all select recommendation_id, 'bucket', ${BUCKET}, count(*)::int, sum(rating)::int, sum(adherence)::int from feedback f group by 1, 3
            ) d order by 1, 2, 3`,
      );
    const same = async (after: string) => expect(await table(), after).toEqual(await definition());
    await same('the seed');
    const [d] = await queryRows<{ id: number; patient_id: number; rec: number }>(
      t.db,
      sql`select d.id, d.patient_id, (select r.id from recommendations r where r.condition_id = d.condition_id order by r.id limit 1) as rec from diagnoses d order by d.id limit 1`,
    );
    await t.db.execute(sql`insert into feedback (recommendation_id, diagnosis_id, patient_id, rating, adherence, created_at) values
      (${d!.rec}, ${d!.id}, ${d!.patient_id}, 5, 10, '2031-01-15T00:00:00Z'), (${d!.rec}, ${d!.id}, ${d!.patient_id}, 1, 99, '2031-02-15T00:00:00Z')`);
    await same('new ratings, in months no one rated before');
    await t.db.execute(sql`update feedback set rating = 6 - rating, adherence = 100 - adherence, created_at = created_at - interval '40 days' where id % 17 = 0`);
    await same('ratings, adherence and dates corrected');
    await t.db.execute(sql`update feedback set recommendation_id = ${d!.rec} where id % 29 = 0`);
    await same('ratings moved to another recommendation');
    await t.db.execute(sql`update feedback set patient_id = ${d!.patient_id} where id % 31 = 0`);
    await same("ratings moved to another patient (their mizaj copied again)");
    await t.db.execute(sql`delete from feedback where created_at >= '2031-02-01T00:00:00Z' or id % 13 = 0`);
    await same('ratings deleted, a month emptied');
    await t.db.execute(sql`delete from patients where id in (select patient_id from feedback order by id limit 25)`);
    await same('patients deleted with their ratings');
  });
});
