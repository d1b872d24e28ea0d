import { eq, sql } from 'drizzle-orm';
import { prepared } from '@/lib/db/prepared';
import type { Db } from '@/lib/db/types';
import { feedback, recommendations, type MizajType } from '@/lib/db/schema';
import { NotFoundError } from '@/lib/errors';
import { assertId, round } from '../shared/validation';
import { predictionInputs } from './similar-patients';

/** Similar patients used at most (the design's "up to 20"). */
export const MAX_NEIGHBOURS = 20;
/** Prior strength, in weighted ratings: how much evidence it takes to move halfway from the global mean. */
export const PRIOR_WEIGHT = 3;
/** Birth-year distance at which a neighbour's weight halves. */
export const AGE_SCALE_YEARS = 5;
const NEUTRAL_RATING = 3;

export type RemedyPrediction = {
  recommendationId: number;
  remedyCode: string;
  kind: 'herbal' | 'dietary' | 'lifestyle';
  nameFa: string;
  nameEn: string;
  nameAr: string;
  temperament: MizajType;
  /** Expected rating 1..5. */
  predictedRating: number;
  /** The same on the effectiveness scale 0..1: (rating − 1) / 4. */
  predictedEffectiveness: number;
  /** 0..1: share of the estimate that comes from similar patients rather than the global mean. */
  confidence: number;
  /** Ratings from similar patients behind the estimate. */
  n: number;
  globalMean: number | null;
  globalCount: number;
};

export type DiagnosisPrediction = {
  diagnosisId: number;
  patientId: number;
  conditionId: number;
  mizajType: MizajType;
  similarPatients: { count: number; birthYearMin: number | null; birthYearMax: number | null };
  /** Ranked, best first. */
  predictions: RemedyPrediction[];
  /** Every recommendation whose data fed this answer (for cache tags). */
  recommendationIds: number[];
};

/** A recommendation's mean rating over everyone (its prior in a prediction) and how many ratings it has. */
export type RemedyMean = { id: number; n: number; mean: number };

/**
 * The mean rating and count of each recommendation of a condition: the heaviest part of a prediction (every
 * rating of every candidate), and the same for every diagnosis of the condition.
 */
export async function remedyMeans(db: Db, conditionId: number): Promise<RemedyMean[]> {
  assertId(conditionId, 'conditionId');
  return db
    .select({ id: feedback.recommendationId, n: sql<number>`count(*)::int`, mean: sql<number>`avg(${feedback.rating})::float8` })
    .from(feedback)
    .innerJoin(recommendations, eq(recommendations.id, feedback.recommendationId))
    .where(eq(recommendations.conditionId, conditionId))
    .groupBy(feedback.recommendationId);
}

// Prepared once (lib/db/prepared.ts): the candidates of a prediction computed without a cache.
const conditionRecommendations = prepared((db) =>
  db.select().from(recommendations).where(eq(recommendations.conditionId, sql.placeholder('conditionId'))).prepare('condition_recommendations'),
);

/** What a prediction ranks: the recommendations of the diagnosis's condition (any order). */
export type Candidate = Pick<RemedyPrediction, 'remedyCode' | 'kind' | 'nameFa' | 'nameEn' | 'nameAr' | 'temperament'> & { id: number };

/** Where a prediction's per-condition inputs come from: the database by default; the API reads each through its cache entry. */
export type PredictionSources = {
  means?: (conditionId: number) => Promise<RemedyMean[]>;
  candidates?: (conditionId: number) => Promise<Candidate[]>;
  /** Told the diagnosis's condition as soon as it is known, and awaited before `means` and `candidates` are read. */
  condition?: (conditionId: number) => Promise<void>;
};

/**
 * For each candidate recommendation r of the diagnosis's condition:
 *   w_i   = 1 / (1 + |birthYear_i − birthYear| / AGE_SCALE_YEARS)       (similar patient i)
 *   pred  = (Σ w_i·rating_i,r + K·g_r) / (Σ w_i + K),  K = PRIOR_WEIGHT, g_r = r's mean rating over everyone
 *           (3, the scale's midpoint, if r has no feedback yet)
 *   confidence = Σ w_i / (Σ w_i + K),  n = number of ratings behind Σ
 * Ranked by pred, then confidence, then id.
 */
export async function predictForDiagnosis(
  db: Db,
  diagnosisId: number,
  sources: PredictionSources = {},
): Promise<DiagnosisPrediction> {
  const { means = (c) => remedyMeans(db, c), candidates: candidatesOf = (c) => conditionRecommendations(db).execute({ conditionId: c }) } = sources;
  assertId(diagnosisId, 'diagnosisId');
  const target = await predictionInputs(db, diagnosisId, MAX_NEIGHBOURS);
  if (!target) throw new NotFoundError('Diagnosis', diagnosisId);
  const { neighbours, ratings } = target;
  await sources.condition?.(target.conditionId);

  const [candidates, globals] = await Promise.all([candidatesOf(target.conditionId), means(target.conditionId)]);
  const candidateIds = candidates.map((c) => c.id);

  const weightOf = new Map(neighbours.map((n) => [n.patientId, 1 / (1 + n.distance / AGE_SCALE_YEARS)]));
  const acc = new Map<number, { sw: number; swr: number; n: number }>();
  for (const r of ratings) {
    const w = weightOf.get(r.patientId) ?? 0;
    const a = acc.get(r.recommendationId) ?? { sw: 0, swr: 0, n: 0 };
    a.sw += w;
    a.swr += w * r.rating;
    a.n += 1;
    acc.set(r.recommendationId, a);
  }
  const globalOf = new Map(globals.map((g) => [g.id, g]));

  const predictions: RemedyPrediction[] = candidates.map((c) => {
    const g = globalOf.get(c.id);
    const prior = g && g.n > 0 ? g.mean : NEUTRAL_RATING;
    const a = acc.get(c.id) ?? { sw: 0, swr: 0, n: 0 };
    const pred = (a.swr + PRIOR_WEIGHT * prior) / (a.sw + PRIOR_WEIGHT);
    return {
      recommendationId: c.id,
      remedyCode: c.remedyCode,
      kind: c.kind,
      nameFa: c.nameFa,
      nameEn: c.nameEn,
      nameAr: c.nameAr,
      temperament: c.temperament,
      predictedRating: round(pred),
      predictedEffectiveness: round((pred - 1) / 4),
      confidence: round(a.sw / (a.sw + PRIOR_WEIGHT)),
      n: a.n,
      globalMean: g && g.n > 0 ? round(g.mean) : null,
      globalCount: g?.n ?? 0,
    };
  });
  predictions.sort((x, y) => y.predictedRating - x.predictedRating || y.confidence - x.confidence || x.recommendationId - y.recommendationId);

  const years = neighbours.map((n) => n.birthYear);
  return {
    diagnosisId,
    patientId: target.patientId,
    conditionId: target.conditionId,
    mizajType: target.mizajType,
    similarPatients: {
      count: neighbours.length,
      birthYearMin: years.length ? Math.min(...years) : null,
      birthYearMax: years.length ? Math.max(...years) : null,
    },
    predictions,
    recommendationIds: [...candidateIds].sort((a, b) => a - b),
  };
}
