import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { createApiKey } from '@/lib/auth/api-keys';
import { createDb } from '@/lib/db/create-db';
import { migrateDb } from '@/lib/db/migrate';
import { seedDatabase } from '@/drizzle/seed/seed-database';
import { ROOT, SERVER_BUNDLE } from './app-instance';
import { OwnPostgres } from './own-postgres';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A stopped cluster's data dir holding database `mizaj`, migrated and seeded; each scenario runs on a copy. */
    chaosTemplate: string;
    /** A read+write API key valid in that database. */
    chaosApiKey: string;
  }
}

const SEED = { patients: 300, seed: 9, now: new Date('2026-11-20T00:00:00Z') };

/**
 * Once per suite: the production build (if there is none) and a seeded PostgreSQL cluster of our own,
 * stopped, whose data directory each scenario copies (a copy starts in well under a second; initdb +
 * migrate + seed take several).
 */
export default async function setup(project: TestProject) {
  if (!existsSync(SERVER_BUNDLE)) {
    console.log('chaos: no production build; running npm run build');
    execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  }
  const pg = await OwnPostgres.create();
  try {
    await pg.start();
    const admin = postgres(pg.url(), { max: 1, onnotice: () => {} });
    await admin.unsafe('create database mizaj');
    await admin.end();
    const handle = await createDb({ url: pg.url('mizaj'), max: 4 });
    let key: string;
    try {
      await migrateDb(handle);
      // The stampede scenario counts computations where they cost: statements run in PostgreSQL.
      await handle.db.execute(sql`create extension pg_stat_statements`);
      await seedDatabase(handle, SEED);
      key = (await createApiKey(handle.db, { name: 'chaos', scopes: ['read', 'write'] })).key;
    } finally {
      await handle.close();
    }
    await pg.stop();
    project.provide('chaosTemplate', pg.dataDir);
    project.provide('chaosApiKey', key);
  } catch (err) {
    await pg.destroy();
    throw err;
  }
  return () => pg.destroy();
}
