import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '@/lib/db/types';
import { recommendations } from '@/lib/db/schema';
import { NotFoundError } from '@/lib/errors';
import { assertId, parseOrThrow, realNumber, storableText } from '../shared/validation';
import type { Recommendation } from './get-recommendation';

const text = (max: number) => storableText().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

/**
 * What a clinician or admin may change. effectivenessScore is on a 0..1 scale, the same scale
 * optimizeEffectiveness writes ((smoothed mean rating − 1) / 4); a manual value holds until the next optimize.
 */
export const recommendationPatchSchema = z
  .object({
    effectivenessScore: realNumber().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1').describe('Effectiveness 0..1; holds until the next optimize'),
    dosage: text(500).describe('Typical dosage, free text'),
    nameFa: text(200).describe('Name in Persian'),
    nameEn: text(200).describe('Name in English'),
    nameAr: text(200).describe('Name in Arabic'),
  })
  .partial()
  .strict()
  .refine((p) => Object.keys(p).length > 0, { message: 'at least one field must be given' });

export type RecommendationPatch = z.input<typeof recommendationPatchSchema>;

/** Applies a validated patch, bumps updated_at and returns the new row. */
export async function updateRecommendation(db: Db, id: number, patch: unknown): Promise<Recommendation> {
  assertId(id);
  const values = parseOrThrow(recommendationPatchSchema, patch, 'recommendation update');
  const [row] = await db
    .update(recommendations)
    .set({ ...values, updatedAt: new Date() })
    .where(eq(recommendations.id, id))
    .returning();
  if (!row) throw new NotFoundError('Recommendation', id);
  return row;
}
