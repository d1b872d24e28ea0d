/** Example bodies for the OpenAPI document (the document test validates each against its schema). */

const names = { nameFa: 'زنجبیل', nameEn: 'Ginger', nameAr: 'زنجبيل' };

export const recommendation = {
  id: 7,
  conditionId: 3,
  remedyCode: 'ginger',
  kind: 'herbal',
  ...names,
  dosage: '1 g twice a day after meals',
  temperament: 'garm_khoshk',
  effectivenessScore: 0.71,
  updatedAt: '2026-11-20T08:30:00.000Z',
};

export const analytics = {
  recommendationId: 7,
  count: 42,
  meanRating: 3.9,
  histogram: [1, 3, 8, 17, 13],
  byMizaj: [{ mizajType: 'sard_tar', count: 20, meanRating: 4.3 }],
  monthly: [{ month: '2026-11', count: 9, meanRating: 4.1 }],
  adherence: { mean: 78.5, buckets: [{ bucket: '75-100', count: 25 }] },
};

export const feedbackSummary = {
  recommendationId: 7,
  count: 42,
  meanRating: 3.9,
  histogram: [1, 3, 8, 17, 13],
  recentComments: [{ id: 1234, rating: 4, comment: 'Sleeps better', createdAt: '2026-11-19T17:02:11.000Z' }],
  recentCommentsNext: null,
};

export const prediction = {
  diagnosisId: 12,
  patientId: 3,
  conditionId: 3,
  mizajType: 'sard_tar',
  similarPatients: { count: 20, birthYearMin: 1978, birthYearMax: 1991 },
  predictions: [
    {
      recommendationId: 7,
      remedyCode: 'ginger',
      kind: 'herbal',
      ...names,
      temperament: 'garm_khoshk',
      predictedRating: 4.2,
      predictedEffectiveness: 0.8,
      confidence: 0.67,
      n: 14,
      globalMean: 3.9,
      globalCount: 42,
    },
  ],
  recommendationIds: [7, 8, 9],
};

export const trending = [{ recommendationId: 7, remedyCode: 'ginger', conditionId: 3, ...names, temperament: 'garm_khoshk', count: 11, meanRating: 4.1 }];

export const profile = {
  patient: { id: 3, name: 'Sara Karimi', mizajType: 'sard_tar', birthYear: 1984, sex: 'f', createdAt: '2025-02-01T09:00:00.000Z' },
  healthRecords: [
    { id: 51, patientId: 3, kind: 'pulse', data: { speed: 'slow', strength: 'moderate', skin: 'soft' }, createdAt: '2026-11-02T10:00:00.000Z' },
    { id: 50, patientId: 3, kind: 'vitals', data: { heartRate: 66, systolic: 121, diastolic: 78, temperatureC: 36.5, weightKg: 64 }, createdAt: '2026-10-01T10:00:00.000Z' },
  ],
  healthRecordsNext: null,
  diagnoses: [
    {
      id: 12,
      conditionId: 3,
      conditionCode: 'dyspepsia',
      conditionNameFa: 'سوءهاضمه',
      conditionNameEn: 'Indigestion',
      conditionNameAr: 'عسر الهضم',
      clinicianId: 2,
      notes: 'Worse after cold food',
      createdAt: '2026-11-02T10:05:00.000Z',
    },
  ],
  diagnosesNext: null,
};

export const feedback = { feedbackId: 1234, recommendationId: 7, diagnosisId: 12, patientId: 3, conditionId: 3, createdAt: '2026-11-20T08:31:00.000Z' };

export const cacheHealth = {
  enabled: true,
  backend: 'redis',
  reachable: true,
  latencyMs: 0.31,
  breaker: 'closed',
  bus: 'connected',
  l1: { enabled: true, entries: 120, bytes: 480000, maxBytes: 16777216 },
  pendingInvalidations: 0,
  instanceId: 'f3a1c2',
};

const counters = { hitsL1: 90, hitsL2: 30, misses: 20, staleServed: 2, sets: 20, invalidations: 3, errors: 0, oversize: 0, bypass: 0, refreshes: 2, refreshErrors: 0, fnErrors: 0 };
const category = { ...counters, hits: 122, hitRate: 0.859, fnTime: { count: 22, sumMs: 310.5, p95Ms: 50, buckets: [{ le: 50, count: 21 }, { le: null, count: 22 }] } };

export const cacheStats = { since: 1795700000000, categories: { analytics: category }, totals: category, tagInvalidations: 3 };
