import 'server-only';
import { inArray } from 'drizzle-orm';
import { markApiKeyRevoked } from '@/lib/auth/api-keys';
import { deleteSession } from '@/lib/auth/sessions';
import { createUser as insertUser, markUserDisabled, type NewUser } from '@/lib/auth/users';
import { recommendations } from '@/lib/db/schema';
import { feedbackTags, recommendationTags } from '@/lib/cached-reads/invalidations';
import { tag } from '@/lib/resources/tags';
import { optimizeEffectiveness, submitFeedback, updateRecommendation, type SubmitFeedbackResult } from '@/lib/domain';
import { runWrite, type WriteOptions, type WriteOutcome, type WriteSpec } from './door';

export { createWriteDoor, runWrite, type DoorDeps, type WriteOptions, type WriteOutcome, type WriteSpec } from './door';
export { fingerprint, parseIdempotencyKey, type IdempotentRequest } from './idempotency';
import { assertRecommendationMatches } from './if-match';

/**
 * Every write of the product, each through the write door (door.ts): the change and what it invalidates
 * commit together, so no cache fault can lose the invalidation or fail the write after the fact.
 */

/** Feedback on a recommendation for a diagnosis (the spec, for doors other than the process's: tests). */
export const feedbackWrite = (input: unknown): WriteSpec<SubmitFeedbackResult> => ({
  name: 'feedback.submit',
  run: (tx) => submitFeedback(tx, input),
  invalidates: (r) => ({ tags: feedbackTags(r) }),
});

export function recordFeedback(input: unknown, options?: WriteOptions) {
  return runWrite(feedbackWrite(input), options);
}

/** `ifMatch` is checked against the locked row inside the write's transaction (lib/write-door/if-match.ts). */
export function editRecommendation(id: number, patch: unknown, ifMatch: string, options?: WriteOptions) {
  return runWrite(
    {
      name: 'recommendation.update',
      run: async (tx) => {
        await assertRecommendationMatches(tx, id, ifMatch);
        return updateRecommendation(tx, id, patch);
      },
      invalidates: (r) => ({ tags: recommendationTags(r) }),
    },
    options,
  );
}

export function optimizeScores(conditionId: number | undefined, options?: WriteOptions) {
  let tags: string[] = [];
  return runWrite(
    {
      name: 'predictions.optimize',
      run: async (tx) => {
        const result = await optimizeEffectiveness(tx, conditionId === undefined ? {} : { conditionId });
        if (result.changedIds.length > 0) {
          const changed = await tx
            .select({ id: recommendations.id, conditionId: recommendations.conditionId })
            .from(recommendations)
            .where(inArray(recommendations.id, result.changedIds));
          tags = changed.flatMap(recommendationTags);
        }
        return result;
      },
      invalidates: () => ({ tags }),
    },
    options,
  );
}

/**
 * A cache-only change (an admin's purge): nothing in the data changes, but the invalidation is recorded in
 * the outbox like any write's, so it survives a Redis fault or a restart. Returns how many other live
 * instances confirmed they dropped their copies.
 */
export async function invalidateDurably(change: { tags?: string[]; categories?: string[] }): Promise<number> {
  const out = await runWrite({ name: 'cache.invalidate', run: async () => null, invalidates: () => change });
  return out.replayed ? 0 : out.notified;
}

/** Revokes an API key; its cached identity is dropped everywhere before this returns (or by the outbox). */
export async function revokeApiKey(id: number): Promise<boolean> {
  const out = await runWrite({
    name: 'apikey.revoke',
    // A repeated revoke drops the cached identity again: harmless, and a way to be sure.
    run: (tx) => markApiKeyRevoked(tx, id),
    invalidates: (r) => ({ tags: r.digests.map(tag.credential) }),
  });
  return resultOf(out).revoked;
}

/** Signs out: the session row goes, and with it the session's cached identity on every instance. */
export async function endSession(token: string | undefined): Promise<boolean> {
  const out = await runWrite({
    name: 'session.end',
    run: (tx) => deleteSession(tx, token),
    invalidates: (r) => (r ? { tags: [tag.credential(r.digest)] } : {}),
  });
  return resultOf(out) !== null;
}

/**
 * Disables a user: their sessions end and their cached identities are dropped everywhere in
 * the same write (the outbox), so a running instance refuses their cookie from the moment this returns.
 */
export async function disableUser(email: string): Promise<boolean> {
  const out = await runWrite({
    name: 'user.disable',
    run: (tx) => markUserDisabled(tx, email),
    invalidates: (r) => (r ? { tags: r.digests.map(tag.credential) } : {}),
  });
  return resultOf(out) !== null;
}

export async function createUser(input: NewUser) {
  return resultOf(await runWrite({ name: 'user.create', run: (tx) => insertUser(tx, input), invalidates: () => ({}) }));
}

function resultOf<T>(out: WriteOutcome<T>): T {
  if (out.replayed) throw new Error('a write without an Idempotency-Key cannot be a replay');
  return out.result;
}
