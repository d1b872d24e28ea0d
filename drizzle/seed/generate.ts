import type { MizajType } from '@/lib/db/schema';
import { catalog, temperamentOf } from './catalog';
import { temperamentEffect } from './hidden-rule';
import { FAMILY_NAMES, FEMALE_NAMES, MALE_NAMES } from './names';
import { createRng, type Rng } from './prng';

const DAY = 86_400_000;

export type ConditionRow = { id: number; code: string; nameFa: string; nameEn: string; nameAr: string };
export type RecommendationRow = {
  id: number;
  conditionId: number;
  remedyCode: string;
  kind: 'herbal' | 'dietary' | 'lifestyle';
  nameFa: string;
  nameEn: string;
  nameAr: string;
  dosage: string;
  temperament: MizajType;
  effectivenessScore: number;
  updatedAt: Date;
};
export type PatientRow = { id: number; name: string; mizajType: MizajType; birthYear: number; sex: 'f' | 'm'; createdAt: Date };
export type HealthRecordRow = { id: number; patientId: number; kind: string; data: Record<string, unknown>; createdAt: Date };
export type DiagnosisRow = { id: number; patientId: number; conditionId: number; clinicianId: number | null; notes: string | null; createdAt: Date };
export type FeedbackRow = {
  id: number;
  recommendationId: number;
  diagnosisId: number;
  patientId: number;
  rating: number;
  adherence: number;
  sideEffects: string | null;
  comment: string | null;
  createdAt: Date;
};
export type PatientBundle = { patient: PatientRow; healthRecords: HealthRecordRow[]; diagnoses: DiagnosisRow[]; feedback: FeedbackRow[] };

export const CLINICIAN_COUNT = 8;
export const clinicianEmail = (n: number) => `clinician-${n}@demo.mizaj.local`;

/** Conditions in catalog order with ids 1…n. */
export function conditionRows(): ConditionRow[] {
  return catalog.conditions.map((c, i) => ({ id: i + 1, code: c.code, nameFa: c.fa, nameEn: c.en, nameAr: c.ar }));
}

/** One recommendation per (remedy, condition it is for), ids in catalog order. */
export function recommendationRows(now: Date): RecommendationRow[] {
  const conditionId = new Map(conditionRows().map((c) => [c.code, c.id]));
  const rows: RecommendationRow[] = [];
  for (const r of catalog.remedies) {
    for (const code of r.for) {
      const cid = conditionId.get(code);
      if (cid === undefined) throw new Error(`catalog: remedy ${r.code} is for unknown condition ${code}`);
      rows.push({
        id: rows.length + 1,
        conditionId: cid,
        remedyCode: r.code,
        kind: r.kind,
        nameFa: r.fa,
        nameEn: r.en,
        nameAr: r.ar,
        dosage: r.dosage,
        temperament: temperamentOf(r.warmth, r.moisture),
        effectivenessScore: 0,
        updatedAt: now,
      });
    }
  }
  return rows;
}

const MIZAJ_WEIGHTS: readonly (readonly [MizajType, number])[] = [
  ['garm_tar', 25],
  ['garm_khoshk', 22],
  ['sard_tar', 20],
  ['sard_khoshk', 18],
  ['motadel', 15],
];

// Conditions each temperament is more prone to, for realistic-looking (not rule-bearing) case mixes.
const PRONE: Record<MizajType, string[]> = {
  garm_tar: ['acne', 'migraine'],
  garm_khoshk: ['migraine', 'insomnia', 'anxiety'],
  sard_tar: ['common_cold', 'cough', 'joint_pain', 'fatigue'],
  sard_khoshk: ['constipation', 'anxiety', 'dyspepsia'],
  motadel: [],
};

const NOTES = [
  'علائم از چند هفته پیش شروع شده است.',
  'سابقهٔ مشابه در سال گذشته.',
  'همراه با تغییر فصل تشدید می‌شود.',
  'Symptoms worse in the evening.',
  'Follow-up in four weeks.',
  'با رژیم غذایی نامنظم مرتبط است.',
];
const COMMENTS_GOOD = ['خیلی بهتر شدم.', 'بعد از یک هفته اثرش را دیدم.', 'Noticeably better after a week.', 'راضی هستم.', 'Helped a lot.'];
const COMMENTS_MID = ['کمی بهتر شدم.', 'Some improvement.', 'اثر متوسطی داشت.', 'Not sure it made a difference.'];
const COMMENTS_BAD = ['تغییری احساس نکردم.', 'No change.', 'حالم بدتر شد.', 'Stopped after a few days.'];
const SIDE_EFFECTS_WARM = ['سوزش معده', 'تشنگی', 'heartburn', 'گرگرفتگی'];
const SIDE_EFFECTS_COLD = ['نفخ', 'احساس سرما', 'bloating', 'کسالت'];

export type GenerateOptions = { patients: number; seed: number; now: Date; clinicianIds: readonly number[] };

/**
 * Yields every patient with their health records, diagnoses and feedback, drawing from one PRNG stream in a
 * fixed order, so the rows depend only on (seed, patients, now, clinician ids) and never on batch sizes.
 */
export function* generatePatients(opts: GenerateOptions): Generator<PatientBundle> {
  const rng = createRng(opts.seed);
  const now = opts.now.getTime();
  const conditions = conditionRows();
  const recs = recommendationRows(opts.now);
  const recsByCondition = new Map<number, RecommendationRow[]>();
  for (const r of recs) recsByCondition.set(r.conditionId, [...(recsByCondition.get(r.conditionId) ?? []), r]);
  // Each remedy is a little better or worse than others regardless of temperament, as real remedies are.
  const remedyBias = new Map(catalog.remedies.map((r) => [r.code, rng.normal(0, 0.2)]));
  const conditionWeights = (m: MizajType) =>
    conditions.map((c) => [c, PRONE[m].includes(c.code) ? 2.5 : 1] as const);

  let healthRecordId = 0;
  let diagnosisId = 0;
  let feedbackId = 0;

  for (let pid = 1; pid <= opts.patients; pid++) {
    const sex = rng.chance(0.54) ? 'f' : 'm';
    const useLatin = rng.chance(0.35);
    const [gFa, gEn] = rng.pick(sex === 'f' ? FEMALE_NAMES : MALE_NAMES);
    const [fFa, fEn] = rng.pick(FAMILY_NAMES);
    const mizajType = rng.weighted(MIZAJ_WEIGHTS);
    const birthYear = Math.round(Math.min(2008, Math.max(1935, rng.normal(1982, 14))));
    const createdAt = now - rng.int(60, 1100) * DAY - rng.int(0, DAY - 1);
    const patient: PatientRow = {
      id: pid,
      name: useLatin ? `${gEn} ${fEn}` : `${gFa} ${fFa}`,
      mizajType,
      birthYear,
      sex,
      createdAt: new Date(createdAt),
    };

    const healthRecords: HealthRecordRow[] = [];
    const nRecords = rng.int(1, 4);
    for (let i = 0; i < nRecords; i++) {
      healthRecords.push({
        id: ++healthRecordId,
        patientId: pid,
        ...healthRecord(rng, mizajType, birthYear, sex),
        createdAt: new Date(rng.int(createdAt, now - 1)),
      });
    }

    const diagnoses: DiagnosisRow[] = [];
    const feedback: FeedbackRow[] = [];
    const nDiagnoses = rng.weighted([[1, 45], [2, 35], [3, 20]] as const);
    const diagFrom = Math.max(createdAt, now - 540 * DAY);
    for (let i = 0; i < nDiagnoses; i++) {
      const condition = rng.weighted(conditionWeights(mizajType));
      const dAt = rng.int(diagFrom, now - 1);
      const diagnosis: DiagnosisRow = {
        id: ++diagnosisId,
        patientId: pid,
        conditionId: condition.id,
        clinicianId: opts.clinicianIds.length ? rng.pick(opts.clinicianIds) : null,
        notes: rng.chance(0.6) ? rng.pick(NOTES) : null,
        createdAt: new Date(dAt),
      };
      diagnoses.push(diagnosis);

      const candidates = recsByCondition.get(condition.id) ?? [];
      const tried = rng.sample(candidates, rng.weighted([[1, 20], [2, 35], [3, 30], [4, 15]] as const));
      for (const rec of tried) {
        const fAt = dAt + rng.int(5, 60) * DAY + rng.int(0, DAY - 1);
        // Draw every value before deciding whether the feedback exists yet, so `now` does not shift the stream.
        const adherence = clamp(Math.round(rng.normal(rec.kind === 'lifestyle' ? 60 : 74, 18)), 0, 100);
        const effect = temperamentEffect(mizajType, rec.temperament);
        const latent = 3.1 + effect + (remedyBias.get(rec.remedyCode) ?? 0) + (0.5 * (adherence - 70)) / 30 + rng.normal(0, 0.8);
        const rating = clamp(Math.round(latent), 1, 5);
        const hasSideEffect = rng.chance(effect < 0 ? 0.14 : 0.05);
        const sideEffect = rng.pick(rec.temperament.startsWith('garm') ? SIDE_EFFECTS_WARM : SIDE_EFFECTS_COLD);
        const hasComment = rng.chance(0.3);
        const comment = rng.pick(rating >= 4 ? COMMENTS_GOOD : rating === 3 ? COMMENTS_MID : COMMENTS_BAD);
        if (fAt >= now) continue; // the course has not finished yet
        feedback.push({
          id: ++feedbackId,
          recommendationId: rec.id,
          diagnosisId: diagnosis.id,
          patientId: pid,
          rating,
          adherence,
          sideEffects: hasSideEffect ? sideEffect : null,
          comment: hasComment ? comment : null,
          createdAt: new Date(fAt),
        });
      }
    }
    yield { patient, healthRecords, diagnoses, feedback };
  }
}

function healthRecord(rng: Rng, mizaj: MizajType, birthYear: number, sex: 'f' | 'm'): { kind: string; data: Record<string, unknown> } {
  const hot = mizaj.startsWith('garm');
  const cold = mizaj.startsWith('sard');
  const kind = rng.weighted([['vitals', 50], ['pulse', 30], ['lifestyle', 20]] as const);
  if (kind === 'vitals') {
    return {
      kind,
      data: {
        heartRate: Math.round(rng.normal(hot ? 80 : cold ? 68 : 74, 8)),
        systolic: Math.round(rng.normal(118 + Math.max(0, 1990 - birthYear) * 0.4, 10)),
        diastolic: Math.round(rng.normal(77, 7)),
        temperatureC: Math.round(rng.normal(hot ? 36.9 : cold ? 36.5 : 36.7, 0.2) * 10) / 10,
        weightKg: Math.round(rng.normal(sex === 'f' ? 66 : 79, 11)),
      },
    };
  }
  if (kind === 'pulse') {
    return {
      kind,
      data: {
        speed: hot ? rng.pick(['fast', 'fast', 'moderate']) : cold ? rng.pick(['slow', 'slow', 'moderate']) : 'moderate',
        strength: rng.pick(['strong', 'moderate', 'weak']),
        skin: mizaj.endsWith('tar') ? 'soft' : mizaj.endsWith('khoshk') ? 'dry' : 'normal',
      },
    };
  }
  return {
    kind,
    data: {
      sleepHours: Math.round(rng.normal(7, 1.1) * 2) / 2,
      exerciseMinutesPerWeek: Math.max(0, Math.round(rng.normal(120, 80) / 10) * 10),
      diet: rng.pick(['balanced', 'high_meat', 'vegetarian', 'irregular']),
    },
  };
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
