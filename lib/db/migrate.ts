import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import path from 'node:path';
import postgres from 'postgres';
import type { DbHandle } from './types';

// Resolved from the working directory, not from this file: Next bundles server code elsewhere.
export const migrationsFolder = () => path.join(process.cwd(), 'drizzle', 'migrations');

// Arbitrary constant so several app instances starting together migrate one at a time.
const MIGRATION_LOCK_KEY = 7_102_024;

/** Applies pending drizzle-kit migrations; safe to call on an up-to-date database. */
export async function migrateDb(handle: DbHandle): Promise<void> {
  const folder = migrationsFolder();
  if (handle.kind === 'pglite') {
    await migratePglite(drizzlePglite(handle.client), { migrationsFolder: folder });
    return;
  }
  // An advisory lock is per session, so the lock and the migration share a one-connection client.
  const conn = postgres(handle.url, { max: 1, onnotice: () => {} });
  try {
    await conn`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
    await migratePostgres(drizzlePostgres(conn), { migrationsFolder: folder });
  } finally {
    // Ending the session releases the lock too, even if the unlock never ran.
    await conn.end({ timeout: 5 });
  }
}
