import 'server-only';
import { getConfig } from '@/lib/config';
import { createDb } from './create-db';
import { migrateDb } from './migrate';
import type { DbHandle } from './types';

export { createDb } from './create-db';
export { migrateDb } from './migrate';
export type { Db, DbHandle, DbKind, CreateDbOptions } from './types';

// Kept on globalThis so Next's dev reloads reuse one pool instead of leaking connections.
const holder = globalThis as typeof globalThis & { __mizajDb?: Promise<DbHandle> };

/** Opens the configured database and migrates it; concurrent first callers share one promise. */
export function getDbHandle(): Promise<DbHandle> {
  holder.__mizajDb ??= (async () => {
    const config = getConfig();
    const handle = await createDb(config.DATABASE_URL ? { url: config.DATABASE_URL } : { pglite: config.PGLITE_DIR });
    try {
      await migrateDb(handle);
    } catch (err) {
      await handle.close().catch(() => {});
      throw err;
    }
    return handle;
  })().catch((err: unknown) => {
    // Let the next caller retry (e.g. the database was still starting).
    holder.__mizajDb = undefined;
    throw err;
  });
  return holder.__mizajDb;
}

/** The process's database, migrated on first use. */
export async function getDb() {
  return (await getDbHandle()).db;
}

/** Closes the process database (scripts and tests); a later getDb() opens it again. */
export async function closeDb(): Promise<void> {
  const pending = holder.__mizajDb;
  holder.__mizajDb = undefined;
  if (pending) await (await pending.catch(() => undefined))?.close();
}
