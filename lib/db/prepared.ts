import type { Db } from './types';

/**
 * A query built once per database handle (drizzle's `.prepare()`, its parameters `sql.placeholder`s) instead
 * of once per call: building a query costs more CPU than its round trip (`npm run bench:db-query`), and the
 * misses of the hot API reads run these. Kept per handle (a transaction gets its own), weakly.
 */
export function prepared<Q>(build: (db: Db) => Q): (db: Db) => Q {
  const byDb = new WeakMap<Db, Q>();
  return (db) => {
    let query = byDb.get(db);
    if (query === undefined) byDb.set(db, (query = build(db)));
    return query;
  };
}
