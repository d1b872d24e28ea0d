import 'server-only';
import { getCache, type Cache } from '@/lib/cache';
import { getDbHandle } from '@/lib/db/client';
import { transaction, type TransactionEnd } from '@/lib/db/transaction';
import type { Db, DbHandle } from '@/lib/db/types';
import { ServiceUnavailableError } from '@/lib/errors';
import type { PgCoherence } from './coherence';
import { getCoherence } from './coherence-process';
import { claimIdempotencyKey, storeIdempotentAnswer, type IdempotentRequest, type StoredAnswer } from './idempotency';
import { writeLog } from './log';
import { recordInvalidation, type Invalidation } from './outbox';

/** One write: what it changes (in a transaction) and what that makes stale in the cache. */
export interface WriteSpec<T> {
  /** For logs, e.g. 'feedback.submit'. */
  name: string;
  run(tx: Db): Promise<T>;
  /** Tags and categories the committed result makes stale; recorded in the same transaction. */
  invalidates(result: T): Partial<Invalidation>;
}

export interface WriteOptions {
  /** Retries with the same key get the first answer, which is stored with the write. */
  idempotency?: { request: IdempotentRequest; status: number };
}

/** `notified`: other live instances that confirmed they dropped what the write replaced. */
export type WriteOutcome<T> = { replayed: false; result: T; body: string; notified: number } | { replayed: true; answer: StoredAnswer };

/** What the transaction committed: the write's result, its answer body and what it invalidates. */
type Committed<T> = { result: T; body: string; change: Invalidation };

/** A retry of a finished request: thrown out of the transaction to roll its write back. */
class Replay {
  constructor(readonly answer: StoredAnswer) {}
}

/** Longest a write waits for the database to begin its transaction; then 503, nothing written. */
const BEGIN_DEADLINE_MS = 3_000;

/** Above this many tags a write invalidates whole categories instead (still one outbox row, O(categories)). */
const MAX_TAGS_PER_WRITE = 1_000;

/** What a door writes through: the database, the cache and (with PostgreSQL and Redis) the coherence channel. */
export interface DoorDeps {
  db: DbHandle;
  cache: Cache;
  coherence: PgCoherence | undefined;
}

/**
 * The one door every write goes through. In ONE PostgreSQL transaction: the change, the outbox row saying
 * what it invalidates (announced to every instance on commit) and the Idempotency-Key answer. After the
 * commit the invalidation is applied to Redis and the live instances confirm they dropped their copies
 * before this returns. A cache fault never fails the write: the outbox row is applied by whichever instance
 * can, before anyone reads Redis again. Errors before the commit mean nothing was written.
 */
export function createWriteDoor(deps: () => Promise<DoorDeps>) {
  return async function runWrite<T>(spec: WriteSpec<T>, options: WriteOptions = {}): Promise<WriteOutcome<T>> {
    const { db, cache, coherence } = await deps();
    let began = false;
    let abandoned = false;
    const committed = transaction(db, async (tx): Promise<TransactionEnd<Committed<T>>> => {
      // Given up on while waiting for a connection: the caller got its 503, so this must write nothing.
      if (abandoned) throw new ServiceUnavailableError('The database is unavailable; nothing was written');
      began = true;
      const idem = options.idempotency;
      // The claim and the write go out together (one round trip). A retry's write is rolled back, its first
      // answer replayed; a claim that fails fails the transaction, and the write's error is the claim's.
      const claimed = idem && claimIdempotencyKey(tx, idem.request);
      // Observed below, unless the write throws before that.
      claimed?.catch(() => {});
      const running = spec.run(tx);
      if (claimed) {
        const [claim] = await Promise.allSettled([claimed, running]);
        if (claim.status === 'rejected') throw claim.reason;
        if (claim.value) throw new Replay(claim.value);
      }
      const result = await running;
      const change = normalize(spec.invalidates(result), Object.keys(cache.categories));
      const body = JSON.stringify(result);
      return {
        value: { result, body, change },
        // Sent with the COMMIT: the outbox row and the stored answer cost no round trip of their own.
        last: (last) => [
          change.tags.length + change.categories.length > 0 ? recordInvalidation(last, change, { prefix: cache.prefix, from: cache.instanceId }) : Promise.resolve(undefined),
          ...(idem ? [storeIdempotentAnswer(last, idem.request, { status: idem.status, body })] : []),
        ],
      };
    });
    // Abandoned, the transaction rejects later, after the caller's answer: that rejection is expected.
    committed.catch(() => {});
    // A write waits at most BEGIN_DEADLINE_MS for the database; once begun it runs to its commit.
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        if (began) return;
        abandoned = true;
        reject(new ServiceUnavailableError('The database is unavailable; nothing was written'));
      }, BEGIN_DEADLINE_MS);
    });
    const ended = await Promise.race([committed, deadline])
      .finally(() => clearTimeout(timer))
      .catch((error: unknown) => {
        if (error instanceof Replay) return error;
        throw error;
      });
    if (ended instanceof Replay) return { replayed: true, answer: ended.answer };
    const { value, last } = ended;
    const id = last[0] as number | undefined;
    const notified = id === undefined ? 0 : await propagate({ cache, coherence }, id, value.change, spec.name);
    return { replayed: false, result: value.result, body: value.body, notified };
  };
}

/** The process's door: its database (migrated on first use), its cache and its coherence channel. */
export const runWrite = createWriteDoor(async () => {
  const handle = await getDbHandle().catch((error: unknown) => {
    throw new ServiceUnavailableError(`database unavailable: ${error instanceof Error ? error.message : String(error)}`);
  });
  return { db: handle, cache: getCache(), coherence: getCoherence() };
});

/** After commit: apply to Redis (or ask the others to), and wait until live instances dropped their L1 copies. */
async function propagate({ cache, coherence }: Omit<DoorDeps, 'db'>, id: number, change: Invalidation, name: string): Promise<number> {
  const ref = String(id);
  const peers = coherence?.expectAcks(ref).length ?? 0;
  let applied = false;
  try {
    await cache.apply({ ...change, ref });
    applied = true;
  } catch {
    // Counted by the cache and logged once per breaker state change; the outbox row keeps it.
  }
  if (!coherence) return 0;
  if (applied) {
    void coherence.applied([id]).catch((error: unknown) => writeLog.debug({ err: String(error), write: name }, 'outbox: could not mark row applied'));
  } else {
    await coherence.askForHelp([ref]);
  }
  const silent = await coherence.awaitAcks(ref, { storeMissed: !applied });
  return peers - silent.length;
}

function normalize(change: Partial<Invalidation>, allCategories: string[]): Invalidation {
  const tags = [...new Set(change.tags ?? [])];
  const categories = [...new Set(change.categories ?? [])];
  if (tags.length > MAX_TAGS_PER_WRITE) return { tags: [], categories: allCategories };
  return { tags, categories };
}
