import type { SQL } from 'drizzle-orm';
import type { Db } from './types';

/**
 * Runs raw SQL and returns its rows. postgres-js answers with an array, PGlite with `{ rows }`;
 * services that need SQL the query builder cannot express go through here to stay driver-neutral.
 */
export async function queryRows<T>(db: Db, query: SQL): Promise<T[]> {
  const result: unknown = await db.execute(query);
  if (Array.isArray(result)) return result as T[];
  if (result && typeof result === 'object' && 'rows' in result && Array.isArray(result.rows)) return result.rows as T[];
  throw new Error('Unexpected result shape from db.execute');
}
