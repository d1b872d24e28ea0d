import 'server-only';
import { eq } from 'drizzle-orm';
import { recommendations } from '@/lib/db/schema';
import type { Db } from '@/lib/db/types';
import { NotFoundError, PreconditionFailedError } from '@/lib/errors';
import { ifMatchHits, representationEtag } from '@/lib/etag';

/**
 * Lost-update guard for PUT /api/recommendations/{id}, run inside the write's transaction: the row is locked
 * (FOR UPDATE) and its current representation's ETag — the same bytes GET sends — compared with If-Match, so
 * of two writers holding the same ETag exactly one wins and the other gets 412.
 */
export async function assertRecommendationMatches(tx: Db, id: number, ifMatch: string): Promise<void> {
  const [row] = await tx.select().from(recommendations).where(eq(recommendations.id, id)).for('update');
  if (!row) throw new NotFoundError('Recommendation', id);
  if (!ifMatchHits(ifMatch, representationEtag(row))) throw new PreconditionFailedError();
}
