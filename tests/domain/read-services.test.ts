import { beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { diagnoses, healthRecords, patients, recommendations } from '@/lib/db/schema';
import { NotFoundError, ValidationError } from '@/lib/errors';
import {
  getCounts,
  getFeedbackSummary,
  SUMMARY_COMMENTS,
  listFeedbackCommentsOrThrow,
  listHealthRecordsOrThrow,
  listPatientDiagnosesOrThrow,
  getPatientProfileOrThrow,
  PROFILE_PAGE,
  getRecommendationAnalytics,
  getRecommendationOrThrow,
  getTrending,
  listRecommendationsForCondition,
  listTopRecommendations,
  optimizeEffectiveness,
  predictForDiagnosis,
  searchPatients,
  updateRecommendation,
} from '@/lib/domain';
import { useTestDb } from '@/tests/support/test-db';
import { loadFixture, NOW } from './fixture';

// useTestDb() inside describe: eslint's react-hooks rule mistakes a top-level use* call for a React hook.
describe('read services on the hand-written fixture', () => {
const t = useTestDb();
beforeAll(async () => {
  await loadFixture(t.db);
});

describe('analytics on the hand-written fixture', () => {
  it('matches a hand computation for recommendation 1', async () => {
    const a = await getRecommendationAnalytics(t.db, 1, { now: NOW });
    // ratings 5, 4, 2, 4
    expect(a.count).toBe(4);
    expect(a.meanRating).toBe(3.75);
    expect(a.histogram).toEqual([0, 1, 0, 2, 1]);
    // garm_tar: 5, 4, 4 → 13/3 ; sard_tar: 2
    expect(a.byMizaj).toEqual([
      { mizajType: 'garm_tar', count: 3, meanRating: 4.333 },
      { mizajType: 'garm_khoshk', count: 0, meanRating: null },
      { mizajType: 'sard_tar', count: 1, meanRating: 2 },
      { mizajType: 'sard_khoshk', count: 0, meanRating: null },
      { mizajType: 'motadel', count: 0, meanRating: null },
    ]);
    // 12 months 2024-07 … 2025-06; the March 2024 rating is outside the window.
    expect(a.monthly).toHaveLength(12);
    expect(a.monthly[0]).toEqual({ month: '2024-07', count: 0, meanRating: null });
    expect(a.monthly.filter((m) => m.count > 0)).toEqual([
      { month: '2024-12', count: 1, meanRating: 5 },
      { month: '2025-04', count: 1, meanRating: 2 },
      { month: '2025-06', count: 1, meanRating: 4 },
    ]);
    // adherence 90, 60, 20, 75
    expect(a.adherence.mean).toBe(61.3);
    expect(a.adherence.buckets).toEqual([
      { bucket: '0-24', count: 1 },
      { bucket: '25-49', count: 0 },
      { bucket: '50-74', count: 1 },
      { bucket: '75-100', count: 2 },
    ]);
  });

  it('is empty but well-formed for a recommendation without feedback, and 404s for an unknown one', async () => {
    await t.db.insert(recommendations).values({
      id: 50, conditionId: 2, remedyCode: 'lettuce', kind: 'dietary', nameFa: 'کاهو', nameEn: 'Lettuce', nameAr: 'خس', dosage: '-', temperament: 'sard_tar',
    });
    const a = await getRecommendationAnalytics(t.db, 50, { now: NOW });
    expect(a).toMatchObject({ count: 0, meanRating: null, histogram: [0, 0, 0, 0, 0], adherence: { mean: null } });
    await t.db.delete(recommendations).where(eq(recommendations.id, 50));
    await expect(getRecommendationAnalytics(t.db, 999)).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('feedback summary', () => {
  it('counts, averages and lists recent comments without personal data', async () => {
    const s = await getFeedbackSummary(t.db, 1);
    expect(s).toMatchObject({ recommendationId: 1, count: 4, meanRating: 3.75, histogram: [0, 1, 0, 2, 1] });
    expect(s.recentComments.map((c) => c.comment)).toEqual(['better', 'no change', 'great']);
    expect(Object.keys(s.recentComments[0]!).sort()).toEqual(['comment', 'createdAt', 'id', 'rating']);
    expect(s.recentCommentsNext).toBeNull();
    // Paged one at a time, the cursor walks the same comments in the same order and ends with null.
    const walked: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listFeedbackCommentsOrThrow(t.db, 1, { limit: 1, ...(cursor && { cursor }) });
      walked.push(...page.items.map((c) => c.comment));
      cursor = page.next ?? undefined;
    } while (cursor);
    expect(walked).toEqual(['better', 'no change', 'great']);
    await expect(listFeedbackCommentsOrThrow(t.db, 1, { limit: 1, cursor: 'not-a-cursor' })).rejects.toBeInstanceOf(ValidationError);
    await expect(getFeedbackSummary(t.db, 12345)).rejects.toBeInstanceOf(NotFoundError);
    // Its one statement gives, byte for byte, the comment list's first page, for every recommendation.
    for (const { id } of await t.db.select({ id: recommendations.id }).from(recommendations)) {
      const summary = await getFeedbackSummary(t.db, id);
      const page = await listFeedbackCommentsOrThrow(t.db, id, { limit: SUMMARY_COMMENTS });
      expect({ items: summary.recentComments, next: summary.recentCommentsNext }).toEqual(page);
      expect(JSON.stringify(summary.recentComments)).toBe(JSON.stringify(page.items));
    }
  });
});

describe('recommendations', () => {
  it('gets by id, lists a condition best first, lists the top ones', async () => {
    expect((await getRecommendationOrThrow(t.db, 2)).remedyCode).toBe('rose');
    await expect(getRecommendationOrThrow(t.db, 404)).rejects.toBeInstanceOf(NotFoundError);
    await expect(getRecommendationOrThrow(t.db, -1)).rejects.toBeInstanceOf(ValidationError);
    expect((await listRecommendationsForCondition(t.db, 1)).map((r) => r.id)).toEqual([2, 1]);
    await expect(listRecommendationsForCondition(t.db, 77)).rejects.toBeInstanceOf(NotFoundError);
    expect((await listTopRecommendations(t.db, 2)).map((r) => r.id)).toEqual([2, 3]);
  });

  it('updates validated fields and bumps updated_at', async () => {
    const before = await getRecommendationOrThrow(t.db, 3);
    const after = await updateRecommendation(t.db, 3, { effectivenessScore: 0.9, dosage: ' 2 g twice a day ' });
    expect(after).toMatchObject({ id: 3, effectivenessScore: 0.9, dosage: '2 g twice a day' });
    expect(after.updatedAt.getTime()).toBeGreaterThan(before.updatedAt.getTime());
    expect((await getRecommendationOrThrow(t.db, 3)).effectivenessScore).toBeCloseTo(0.9);

    const err = await updateRecommendation(t.db, 3, { effectivenessScore: 1.5, nameEn: '' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).issues.map((i) => i.path).sort()).toEqual(['effectivenessScore', 'nameEn']);
    await expect(updateRecommendation(t.db, 3, {})).rejects.toBeInstanceOf(ValidationError);
    await expect(updateRecommendation(t.db, 3, { temperament: 'motadel' })).rejects.toBeInstanceOf(ValidationError);
    await expect(updateRecommendation(t.db, 999, { dosage: 'x' })).rejects.toBeInstanceOf(NotFoundError);
    expect((await getRecommendationOrThrow(t.db, 3)).effectivenessScore).toBeCloseTo(0.9);
  });
});

describe('trending', () => {
  it('ranks by recent feedback count, then mean', async () => {
    const week = await getTrending(t.db, { days: 7, limit: 10, now: NOW });
    expect(week.map((r) => [r.recommendationId, r.count, r.meanRating])).toEqual([[1, 1, 4], [2, 1, 3], [3, 1, 1]]);
    expect((await getTrending(t.db, { days: 7, limit: 2, now: NOW })).map((r) => r.recommendationId)).toEqual([1, 2]);
    // 30 days still excludes the rating 50 days ago.
    expect((await getTrending(t.db, { days: 30, limit: 10, now: NOW })).find((r) => r.recommendationId === 1)?.count).toBe(1);
    await expect(getTrending(t.db, { days: 9 as 7 })).rejects.toBeInstanceOf(ValidationError);
  });
});

describe('patients', () => {
  it('returns a profile with newest records and diagnoses with condition names', async () => {
    const p = await getPatientProfileOrThrow(t.db, 1);
    expect(p.patient.name).toBe('Ali Ahmadi');
    expect(p.healthRecords.map((r) => r.kind)).toEqual(['pulse', 'vitals', 'lifestyle']);
    expect(p.healthRecordsNext).toBeNull();
    const first = await listHealthRecordsOrThrow(t.db, 1, { limit: 2 });
    expect(first.items.map((r) => r.kind)).toEqual(['pulse', 'vitals']);
    expect((await listHealthRecordsOrThrow(t.db, 1, { limit: 2, cursor: first.next! })).items.map((r) => r.kind)).toEqual(['lifestyle']);
    expect((await listPatientDiagnosesOrThrow(t.db, 1, { limit: 1 })).next).not.toBeNull();
    expect(p.diagnoses.map((d) => [d.id, d.conditionCode, d.conditionNameEn])).toEqual([[4, 'migraine', 'Migraine'], [1, 'dyspepsia', 'Indigestion']]);
    await expect(getPatientProfileOrThrow(t.db, 99)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("reads a profile in one statement that gives, byte for byte, the patient and the list operations' first pages", async () => {
    // Enough rows for a next page of each list, some with one timestamp (ties go by id), a null note and JSON data.
    const [p] = await t.db.insert(patients).values({ name: 'Ziba Tie', mizajType: 'garm_tar', birthYear: 1990, sex: 'f' }).returning();
    const at = (i: number) => new Date(Date.UTC(2026, 0, 1 + (i % 4), 12, 0, 0, 123));
    await t.db.insert(healthRecords).values(Array.from({ length: 13 }, (_, i) => ({ patientId: p!.id, kind: `k${i}`, data: { i, nested: { b: [1, 'x'], a: null } }, createdAt: at(i) })));
    await t.db.insert(diagnoses).values(Array.from({ length: 23 }, (_, i) => ({ patientId: p!.id, conditionId: 1 + (i % 2), notes: i % 3 ? `n${i}` : null, createdAt: at(i) })));
    try {
      for (const id of [1, 2, 3, p!.id]) {
        const [patient] = await t.db.select().from(patients).where(eq(patients.id, id));
        const records = await listHealthRecordsOrThrow(t.db, id, { limit: PROFILE_PAGE.records });
        const diags = await listPatientDiagnosesOrThrow(t.db, id, { limit: PROFILE_PAGE.diagnoses });
        const expected = { patient, healthRecords: records.items, healthRecordsNext: records.next, diagnoses: diags.items, diagnosesNext: diags.next };
        const profile = await getPatientProfileOrThrow(t.db, id);
        expect(profile).toEqual(expected);
        expect(JSON.stringify(profile)).toBe(JSON.stringify(expected));
      }
      expect((await getPatientProfileOrThrow(t.db, p!.id)).healthRecordsNext).not.toBeNull();
    } finally {
      // The other tests count the fixture's patients.
      await t.db.delete(patients).where(eq(patients.id, p!.id));
    }
  });

  it('searches by name substring, id and mizaj, paged', async () => {
    expect((await searchPatients(t.db, { q: 'karim' })).items.map((p) => p.id)).toEqual([3]);
    expect((await searchPatients(t.db, { q: 'رضا' })).items.map((p) => p.id)).toEqual([2]);
    expect((await searchPatients(t.db, { q: '2' })).items.map((p) => p.id)).toEqual([2]);
    expect((await searchPatients(t.db, { q: '%' })).total).toBe(0);
    const hot = await searchPatients(t.db, { mizajType: 'garm_tar', pageSize: 1, page: 2 });
    expect(hot).toMatchObject({ total: 2, page: 2, pageSize: 1 });
    expect(hot.items.map((p) => p.id)).toEqual([3]);
    expect((await searchPatients(t.db)).total).toBe(3);
    await expect(searchPatients(t.db, { mizajType: 'hot' as 'motadel' })).rejects.toBeInstanceOf(ValidationError);
  });

  it('counts rows', async () => {
    expect(await getCounts(t.db)).toEqual({ patients: 3, recommendations: 3, diagnoses: 4, feedback: 6 });
  });
});

describe('predictions on the fixture', () => {
  it('weights similar patients and shrinks toward the global mean exactly as documented', async () => {
    // Diagnosis 3: patient 3 (garm_tar, 1985), dyspepsia. Only patient 1 (garm_tar, 1980) is similar:
    // w = 1 / (1 + 5/5) = 0.5, ratings on rec 1: 5 and 4 → Σw = 1, Σw·r = 4.5; global mean of rec 1 = 3.75.
    // pred = (4.5 + 3·3.75) / (1 + 3) = 3.9375, confidence = 1/4. Rec 2: no neighbour data → its global mean 3.
    const p = await predictForDiagnosis(t.db, 3);
    expect(p).toMatchObject({ diagnosisId: 3, patientId: 3, conditionId: 1, mizajType: 'garm_tar', recommendationIds: [1, 2] });
    expect(p.similarPatients).toEqual({ count: 1, birthYearMin: 1980, birthYearMax: 1980 });
    expect(p.predictions.map((x) => [x.recommendationId, x.predictedRating, x.confidence, x.n])).toEqual([
      [1, 3.938, 0.25, 2],
      [2, 3, 0, 0],
    ]);
    expect(p.predictions[0]!.predictedEffectiveness).toBeCloseTo((3.9375 - 1) / 4, 3);
    await expect(predictForDiagnosis(t.db, 999)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('optimize stores smoothed scores and reports only what changed', async () => {
    // C = 19/6; rec 1: (15 + 10C)/14 ; rec 2: (3 + 10C)/11 ; rec 3: (1 + 10C)/11 ; score = (mean − 1)/4
    const C = 19 / 6;
    const expected = { 1: ((15 + 10 * C) / 14 - 1) / 4, 2: ((3 + 10 * C) / 11 - 1) / 4, 3: ((1 + 10 * C) / 11 - 1) / 4 };
    expect(await optimizeEffectiveness(t.db, { conditionId: 2 })).toEqual({ changedIds: [3] });
    expect(await optimizeEffectiveness(t.db)).toEqual({ changedIds: [1, 2] });
    expect(await optimizeEffectiveness(t.db)).toEqual({ changedIds: [] });
    for (const [id, score] of Object.entries(expected)) {
      expect((await getRecommendationOrThrow(t.db, Number(id))).effectivenessScore).toBeCloseTo(score, 3);
    }
  });
});
});
