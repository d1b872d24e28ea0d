import 'server-only';
import { createHash } from 'node:crypto';
import { lt, sql } from 'drizzle-orm';
import { preparedRows } from '@/lib/db/rows';
import type { Db } from '@/lib/db/types';
import { idempotencyKeys } from '@/lib/db/schema';
import { IdempotencyKeyInFlightError, IdempotencyKeyReusedError, ValidationError } from '@/lib/errors';

/** How long a key is remembered (the draft leaves it to the server; 24 h covers any client's retry policy). */
export const IDEMPOTENCY_TTL_HOURS = 24;
/** Visible ASCII, as the draft's examples; long enough for a UUID or a ULID with a prefix. */
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** One idempotent request: who sent it, its key, and what it asked for (method, path and body). */
export interface IdempotentRequest {
  /** 'key:<id>' or 'user:<id>': keys are scoped per credential so one client cannot replay another's. */
  credential: string;
  key: string;
  fingerprint: string;
}

/** A stored first answer. */
export interface StoredAnswer {
  status: number;
  body: string;
}

/** Parses the Idempotency-Key header (null when absent); a malformed one is a 400. */
export function parseIdempotencyKey(header: string | null): string | null {
  if (header === null) return null;
  // Structured-field string form ("…") is what the draft specifies; a bare token is accepted too.
  const key = /^".*"$/.test(header) ? header.slice(1, -1) : header;
  if (!KEY_PATTERN.test(key)) {
    throw new ValidationError('Invalid Idempotency-Key header', [{ path: 'headers.idempotency-key', message: 'must be 1–255 visible ASCII characters' }]);
  }
  return key;
}

export function fingerprint(method: string, path: string, body: unknown): string {
  return createHash('sha256').update(`${method}\n${path}\n${JSON.stringify(body ?? null)}`).digest('hex');
}

/**
 * Claims the key inside the write's transaction. Returns the stored answer when this is a retry of a
 * finished request; throws 422 for the same key with another request, 409 while the first one still runs
 * (its uncommitted row holds the key: we wait at most `lock_timeout` for it).
 *
 * Every statement is sent before this returns its promise, as one pipeline (one round trip: a write waits for
 * each on a busy server), the stored answer's row included: what the caller sends next (the write itself, in
 * the same round trip) comes after them, and its failure cannot hide the answer of a retry.
 */
export async function claimIdempotencyKey(tx: Db, req: IdempotentRequest): Promise<StoredAnswer | undefined> {
  // In this order: each execute() sends at once (a query builder handed to Promise.all would be sent a
  // microtask later, after the prepared ones). PostgreSQL runs them in order, so the lock timeout holds for the
  // insert alone; a failed one fails those after it. The row read after the insert is the finished request's
  // when there is one (read committed: the insert waited for it).
  const [, , inserted, [row]] = await Promise.all([
    tx.execute(sql`set local lock_timeout = '250ms'`).execute(),
    forgetExpired(tx, { ...req }),
    claim(tx, { ...req }),
    storedRow(tx, { ...req }),
    tx.execute(sql`set local lock_timeout to default`).execute(),
  ]).catch((error: unknown) => {
    throw isLockTimeout(error) ? new IdempotencyKeyInFlightError() : error;
  });
  if (inserted.length > 0) return undefined;
  if (!row) throw new IdempotencyKeyInFlightError();
  if (row.fingerprint !== req.fingerprint) throw new IdempotencyKeyReusedError();
  return { status: row.status, body: row.body ?? '' };
}

/** Stores the answer in the same transaction as the write: both are committed, or neither. */
export async function storeIdempotentAnswer(tx: Db, req: IdempotentRequest, answer: StoredAnswer): Promise<void> {
  await storeAnswer(tx, { ...req, ...answer });
}

// Named statements built once (preparedRows): one round trip each, and they pipeline.
const sameKey = sql`${idempotencyKeys.credential} = ${sql.placeholder('credential')} and ${idempotencyKeys.key} = ${sql.placeholder('key')}`;

// A key older than the retention is forgotten: its row may still be there until the next prune.
const forgetExpired = preparedRows('idempotency_forget_expired', sql`delete from ${idempotencyKeys} where ${sameKey} and ${idempotencyKeys.createdAt} < ${expiry()}`);

const claim = preparedRows<{ key: string }>(
  'idempotency_claim',
  sql`insert into ${idempotencyKeys} (credential, key, fingerprint, status) values (${sql.placeholder('credential')}, ${sql.placeholder('key')}, ${sql.placeholder('fingerprint')}, 0)
      on conflict do nothing returning key`,
);

const storedRow = preparedRows<{ fingerprint: string; status: number; body: string | null }>(
  'idempotency_stored_row',
  sql`select fingerprint, status, body from ${idempotencyKeys} where ${sameKey}`,
);

const storeAnswer = preparedRows('idempotency_store_answer', sql`update ${idempotencyKeys} set status = ${sql.placeholder('status')}, body = ${sql.placeholder('body')} where ${sameKey}`);

export async function pruneIdempotencyKeys(db: Db): Promise<number> {
  const rows = await db.delete(idempotencyKeys).where(lt(idempotencyKeys.createdAt, expiry())).returning({ key: idempotencyKeys.key });
  return rows.length;
}

function expiry() {
  return sql`now() - make_interval(hours => ${IDEMPOTENCY_TTL_HOURS})`;
}

function isLockTimeout(error: unknown): boolean {
  for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) {
    if ((e as { code?: unknown }).code === '55P03') return true;
  }
  return false;
}
