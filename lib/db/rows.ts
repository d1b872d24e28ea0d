import type { SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { prepared } from './prepared';
import type { Db } from './types';

/**
 * Runs raw SQL and returns its rows. postgres-js answers with an array, PGlite with `{ rows }`;
 * services that need SQL the query builder cannot express go through here to stay driver-neutral.
 */
export async function queryRows<T>(db: Db, query: SQL): Promise<T[]> {
  return rowsOf<T>(await db.execute(query));
}

/**
 * queryRows for raw SQL a hot path runs: its `sql.placeholder`s filled per call, the SQL text built once
 * (lib/db/prepared.ts says why), sent as a named statement. postgres.js sends a statement with parameters and
 * no name (what drizzle's query builders send) in two round trips, asking for the parameter types first, and
 * sends nothing after it on that connection until it is answered; a named one is described once per
 * connection, then takes one round trip and pipelines with the statements issued beside it.
 */
export function preparedRows<T>(name: string, query: SQL): (db: Db, values: Record<string, unknown>) => Promise<T[]> {
  const built = new PgDialect().sqlToQuery(query);
  const byDb = prepared((db) => db._.session.prepareQuery(built, undefined, name, false));
  return async (db, values) => rowsOf<T>(await byDb(db).execute(values));
}

function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  if (result && typeof result === 'object' && 'rows' in result && Array.isArray(result.rows)) return result.rows as T[];
  throw new Error('Unexpected result shape from db.execute');
}
