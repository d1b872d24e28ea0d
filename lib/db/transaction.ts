import type { PgDialect } from 'drizzle-orm/pg-core';
import { PostgresJsSession, PostgresJsTransaction } from 'drizzle-orm/postgres-js';
import type { ReservedSql } from 'postgres';
import type { Db, DbHandle } from './types';

/** What a transaction's body hands back: its value, and the statements to send with the COMMIT. */
export interface TransactionEnd<T> {
  value: T;
  /** Issued by the transaction, not by the body: their answers are not waited for before the COMMIT goes out. */
  last?: (tx: Db) => Promise<unknown>[];
}

/**
 * A transaction in as few round trips as its statements allow. drizzle's (postgres.js `begin`) waits for BEGIN before
 * the first statement and for the last statement before COMMIT: four round trips for a write of two dependent
 * statements, each of them time that the rows it locked stay locked (a feedback locks its recommendation's
 * statistics rows, which every feedback on that remedy updates). Here BEGIN goes out with the first statement and
 * COMMIT with the `last` ones, on one connection, in order: PostgreSQL runs them as one transaction, and a
 * statement that fails makes the COMMIT a ROLLBACK. Embedded PGlite has no round trips: drizzle's transaction.
 *
 * Returns the value and the results of `last`, in order. Throws what failed first; then nothing was committed.
 */
export async function transaction<T>(handle: DbHandle, body: (tx: Db) => Promise<TransactionEnd<T>>): Promise<{ value: T; last: unknown[] }> {
  if (handle.kind === 'pglite') {
    return handle.db.transaction(async (tx) => {
      const end = await body(tx);
      return { value: end.value, last: await Promise.all(end.last?.(tx) ?? []) };
    });
  }
  const conn = await handle.client.reserve();
  const link = watchConnection(conn);
  // Everything sent, answered before a ROLLBACK would be.
  const sent: Promise<unknown>[] = [link.begin];
  try {
    const tx = transactionOver(handle.db, conn);
    const end = await body(tx);
    const last = end.last?.(tx) ?? [];
    sent.push(...last);
    // Every statement issued above reaches the connection's queue within microtasks (postgres.js and drizzle
    // wait for nothing else before they hand one over); a tick runs only once the microtask queue is empty, so
    // COMMIT is queued after them.
    await new Promise<void>((resolve) => process.nextTick(resolve));
    const commit = conn.unsafe('commit').execute();
    sent.push(commit);
    const [results, done] = await Promise.all([Promise.all(last), commit]);
    // A failed statement rejects above; a COMMIT answered ROLLBACK without one would be a bug of ours.
    if (done.command !== 'COMMIT') throw new Error(`transaction ended with ${done.command}, not COMMIT`);
    return { value: end.value, last: results };
  } catch (error) {
    // Whatever was sent has been answered before the ROLLBACK (one connection, in order), and after it the
    // connection is out of any transaction: it can go back to the pool. (A closed one rolled back on its own,
    // and refuses it.)
    await Promise.allSettled(sent);
    await conn.unsafe('rollback').catch(() => {});
    throw error;
  } finally {
    link.done();
  }
}

/**
 * BEGIN on a reserved connection, and what postgres.js (3.4.9) does not do for one when it closes
 * (porsager/postgres#1208): a statement issued on it afterwards is written to no socket, an uncaught exception
 * that leaves the statement unanswered, and `release()` would hand it back to the pool as open, where the next
 * query hangs. So once it closed, statements are refused here, and it is not released (the pool reconnects it).
 * The close is heard through the hook postgres.js's own `begin` uses: the connection's `onclose`.
 */
function watchConnection(conn: ReservedSql) {
  let connection: { onclose: ((error: unknown) => void) | null } | undefined;
  let closedBy: unknown;
  const link = {
    closed: false,
    begin: conn.unsafe('begin', [], {
      onexecute: (c: NonNullable<typeof connection>) => {
        connection = c;
        c.onclose = (error) => {
          link.closed = true;
          closedBy = error;
        };
        // Truthy: the connection takes the statements that follow at once (pipelined).
        return true;
      },
    } as never).execute() as Promise<unknown>,
    done() {
      if (connection) connection.onclose = null;
      if (!link.closed) conn.release();
    },
  };
  link.begin.catch(() => {});
  const unsafe = conn.unsafe;
  conn.unsafe = ((...args: Parameters<typeof unsafe>) => {
    if (!link.closed) return unsafe(...args);
    const refused = Promise.reject(closedBy instanceof Error ? closedBy : new Error('the database connection closed during the transaction'));
    return Object.assign(refused, { values: () => refused, execute: () => refused });
  }) as typeof unsafe;
  return link;
}

type DrizzleInternals = { dialect: PgDialect; session: { schema: unknown; options: unknown } };

/**
 * A drizzle transaction over one reserved connection: what drizzle's own `transaction` builds over `begin`'s.
 * No write nests a transaction in its own; one that tried would be told so rather than run outside this one.
 */
function transactionOver(db: Db, conn: ReservedSql): Db {
  const { dialect, session } = db as unknown as DrizzleInternals;
  const unsupported = () => {
    throw new Error('a nested transaction (savepoint) is not supported inside a pipelined transaction');
  };
  const over = new PostgresJsSession(Object.assign(conn, { savepoint: unsupported, prepare: unsupported }), dialect, session.schema as never, session.options as never);
  return new PostgresJsTransaction(dialect, over as never, session.schema as never) as unknown as Db;
}
