import type { Db } from '@/lib/db/types';
import { conditions, diagnoses, feedback, healthRecords, patients, recommendations } from '@/lib/db/schema';

/** Fixed "now" for the hand-written fixture: 2025-06-15 12:00 UTC. */
export const NOW = new Date('2025-06-15T12:00:00Z');
export const daysAgo = (d: number) => new Date(NOW.getTime() - d * 86_400_000);

/**
 * A small hand-written dataset whose analytics are computed by hand in the tests:
 * condition 1 (dyspepsia) with recs 1 (ginger, garm_khoshk) and 2 (rose, sard_khoshk); condition 2 with rec 3.
 * Patients 1 (garm_tar, 1980), 2 (sard_tar, 1990), 3 (garm_tar, 1985, "Maryam Karimi").
 */
export async function loadFixture(db: Db) {
  await db.insert(conditions).values([
    { id: 1, code: 'dyspepsia', nameFa: 'سوءهاضمه', nameEn: 'Indigestion', nameAr: 'عسر الهضم' },
    { id: 2, code: 'migraine', nameFa: 'میگرن', nameEn: 'Migraine', nameAr: 'الصداع' },
  ]);
  const rec = (id: number, conditionId: number, remedyCode: string, temperament: 'garm_khoshk' | 'sard_khoshk', score: number) => ({
    id,
    conditionId,
    remedyCode,
    kind: 'herbal' as const,
    nameFa: remedyCode,
    nameEn: remedyCode,
    nameAr: remedyCode,
    dosage: '1 g',
    temperament,
    effectivenessScore: score,
  });
  await db.insert(recommendations).values([rec(1, 1, 'ginger', 'garm_khoshk', 0.4), rec(2, 1, 'rose', 'sard_khoshk', 0.7), rec(3, 2, 'mint', 'garm_khoshk', 0.5)]);
  await db.insert(patients).values([
    { id: 1, name: 'Ali Ahmadi', mizajType: 'garm_tar', birthYear: 1980, sex: 'm' },
    { id: 2, name: 'سارا رضایی', mizajType: 'sard_tar', birthYear: 1990, sex: 'f' },
    { id: 3, name: 'Maryam Karimi', mizajType: 'garm_tar', birthYear: 1985, sex: 'f' },
  ]);
  await db.insert(healthRecords).values([
    { patientId: 1, kind: 'vitals', data: { heartRate: 80 }, createdAt: daysAgo(30) },
    { patientId: 1, kind: 'pulse', data: { speed: 'fast' }, createdAt: daysAgo(3) },
    { patientId: 1, kind: 'lifestyle', data: { sleepHours: 7 }, createdAt: daysAgo(100) },
  ]);
  await db.insert(diagnoses).values([
    { id: 1, patientId: 1, conditionId: 1, notes: 'first', createdAt: daysAgo(200) },
    { id: 2, patientId: 2, conditionId: 1, notes: null, createdAt: daysAgo(60) },
    { id: 3, patientId: 3, conditionId: 1, notes: null, createdAt: daysAgo(20) },
    { id: 4, patientId: 1, conditionId: 2, notes: 'second', createdAt: daysAgo(10) },
  ]);
  const fb = (recommendationId: number, diagnosisId: number, patientId: number, rating: number, adherence: number, at: Date, comment: string | null = null) => ({
    recommendationId,
    diagnosisId,
    patientId,
    rating,
    adherence,
    comment,
    createdAt: at,
  });
  await db.insert(feedback).values([
    // rec 1: ratings 5,4,2,4 ; adherence 90,60,20,75 ; mizaj garm_tar,garm_tar,sard_tar,garm_tar
    fb(1, 1, 1, 5, 90, daysAgo(190), 'great'),
    fb(1, 1, 1, 4, 60, new Date('2024-03-10T00:00:00Z')), // older than 12 months: in totals, not in the trend
    fb(1, 2, 2, 2, 20, daysAgo(50), 'no change'),
    fb(1, 3, 3, 4, 75, daysAgo(5), 'better'),
    // rec 2: one rating
    fb(2, 3, 3, 3, 50, daysAgo(4)),
    // rec 3: ratings on the other condition
    fb(3, 4, 1, 1, 10, daysAgo(2)),
  ]);
  // Explicit ids above; move the sequences on so services can insert.
  for (const t of ['conditions', 'recommendations', 'patients', 'diagnoses', 'feedback', 'health_records']) {
    await db.execute(`select setval(pg_get_serial_sequence('${t}', 'id'), (select coalesce(max(id), 0) + 1 from ${t}), false)`);
  }
}
