/**
 * A throwaway PostgreSQL database per test file, migrated with the project's migrations.
 *
 * ```ts
 * import { useTestDb } from '@/tests/support/test-db';
 * const t = useTestDb();              // registers beforeAll (create + migrate) and afterAll (drop)
 * it('…', async () => { await t.db.select().from(patients); });
 * ```
 * Or without vitest hooks: `const h = await createTestDb(); try { … h.db … } finally { await destroyTestDb(h); }`.
 *
 * The server comes from TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres); the database
 * named in it is only used to CREATE/DROP the test database. Non-local hosts are refused so a test run can
 * never touch a real database.
 */
import { afterAll, beforeAll } from 'vitest';
import postgres from 'postgres';
import { randomBytes } from 'node:crypto';
import { createDb } from '@/lib/db/create-db';
import { migrateDb } from '@/lib/db/migrate';
import type { Db, DbHandle } from '@/lib/db/types';

export type TestDb = DbHandle & { name: string; url: string };

const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]', '']);

/** Throws unless the URL points at this machine (TCP loopback or a unix socket). */
export function assertLocalDatabaseUrl(url: string): URL {
  const parsed = new URL(url);
  const socketHost = parsed.searchParams.get('host');
  const local = socketHost !== null ? socketHost.startsWith('/') : LOCAL_HOSTS.has(parsed.hostname);
  if (!local) throw new Error(`Refusing to run tests against non-local database host "${parsed.hostname || socketHost}"`);
  return parsed;
}

function adminUrl(): URL {
  return assertLocalDatabaseUrl(process.env.TEST_DATABASE_URL || DEFAULT_ADMIN_URL);
}

/** Creates `mizaj_test_<pid>_<random>`, migrates it and returns an open handle (pool of `max` connections). */
export async function createTestDb(opts: { max?: number } = {}): Promise<TestDb> {
  const admin = adminUrl();
  const name = `mizaj_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const adminSql = postgres(admin.toString(), { max: 1, onnotice: () => {} });
  try {
    // CREATE DATABASE copies template1 and fails if another session is in it at that instant; retry briefly.
    for (let attempt = 0; ; attempt++) {
      try {
        await adminSql.unsafe(`create database "${name}"`);
        break;
      } catch (err) {
        if (attempt >= 5 || !/being accessed by other users/.test(String(err))) throw err;
        await new Promise((r) => setTimeout(r, 200 * (attempt + 1)));
      }
    }
  } finally {
    await adminSql.end({ timeout: 5 });
  }
  const url = new URL(admin.toString());
  url.pathname = `/${name}`;
  const handle = await createDb({ url: url.toString(), max: opts.max ?? 5 });
  const testDb = { ...handle, name, url: url.toString() } as TestDb;
  try {
    await migrateDb(handle);
  } catch (err) {
    await destroyTestDb(testDb);
    throw err;
  }
  return testDb;
}

/** Closes the handle and drops its database (FORCE ends any straggling connection). */
export async function destroyTestDb(testDb: TestDb): Promise<void> {
  await testDb.close().catch(() => {});
  const adminSql = postgres(adminUrl().toString(), { max: 1, onnotice: () => {} });
  try {
    await adminSql.unsafe(`drop database if exists "${testDb.name}" with (force)`);
  } finally {
    await adminSql.end({ timeout: 5 });
  }
}

/** Vitest helper: a fresh database for this file, created in beforeAll and dropped in afterAll. */
export function useTestDb(opts: { max?: number } = {}): { readonly db: Db; readonly handle: TestDb } {
  let current: TestDb | undefined;
  beforeAll(async () => {
    current = await createTestDb(opts);
  });
  afterAll(async () => {
    if (current) await destroyTestDb(current);
    current = undefined;
  });
  const get = () => {
    if (!current) throw new Error('useTestDb(): the database is only available inside tests (after beforeAll)');
    return current;
  };
  return {
    get db() {
      return get().db;
    },
    get handle() {
      return get();
    },
  };
}
