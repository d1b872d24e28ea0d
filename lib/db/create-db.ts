import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { mkdirSync } from 'node:fs';
import * as schema from './schema';
import type { CreateDbOptions, Db, DbHandle } from './types';

/** Opens a database over PostgreSQL (`url`) or embedded PGlite (`pglite`: a directory or 'memory://'). */
export async function createDb(opts: CreateDbOptions): Promise<DbHandle> {
  if ('url' in opts) {
    const client = postgres(opts.url, {
      max: opts.max ?? 10,
      onnotice: () => {},
      // A database that does not answer a connection within 3 s is down: fail (503) rather than hold requests
      // for postgres.js's default 30 s.
      connect_timeout: 3,
      // Name the app in pg_stat_activity so an operator can tell our connections apart.
      connection: { application_name: 'mizaj' },
    });
    const db = drizzlePostgres(client, { schema }) as unknown as Db;
    return { kind: 'postgres', db, client, url: opts.url, close: () => client.end({ timeout: 5 }) };
  }
  if (!opts.pglite.startsWith('memory://')) mkdirSync(opts.pglite, { recursive: true });
  // The migrations create pg_trgm (patient name search); PGlite must have it loaded to allow that.
  const client = await PGlite.create(opts.pglite, { extensions: { pg_trgm } });
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  return {
    kind: 'pglite',
    db,
    client,
    close: async () => {
      if (!client.closed) await client.close();
    },
  };
}
