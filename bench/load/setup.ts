// Database, identities and id spaces for the load suite (bench/load.bench.ts).
import postgres from 'postgres';
import { createApiKey } from '@/lib/auth/api-keys';
import { createSession } from '@/lib/auth/sessions';
import { SESSION_COOKIE } from '@/lib/auth/session-cookie';
import { createDb } from '@/lib/db/create-db';
import { migrateDb } from '@/lib/db/migrate';
import { seedDatabase } from '@/drizzle/seed/seed-database';

/** A new database `db` in the run's own cluster, migrated and seeded; its URL. */
export async function seededDatabase(adminUrl: string, db: string, patients: number, seed: number, log: (m: string) => void): Promise<string> {
  const url = new URL(adminUrl);
  url.pathname = `/${db}`;
  log(`database ${db}: seeding ${patients} patients (seed ${seed}) …`);
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${db}`);
  } finally {
    await admin.end();
  }
  const handle = await createDb({ url: url.toString() });
  try {
    await migrateDb(handle);
    const result = await seedDatabase(handle, { patients, seed, log });
    log(`seeded in ${(result.ms / 1000).toFixed(1)} s`);
  } finally {
    await handle.close();
  }
  return url.toString();
}

export type Identities = { keys: string[]; adminCookie: string };

/** 20 API keys (read + write: the mix also submits feedback) and an admin session for stats and purges. */
export async function makeIdentities(url: string, count: number): Promise<Identities> {
  const handle = await createDb({ url });
  try {
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    await sql`delete from api_keys where name like 'bench-load-%'`;
    // '!' is never a valid password hash: this admin exists for a session minted here and cannot sign in.
    await sql`insert into users (email, name, role, password_hash) values ('bench-load-admin@bench.invalid', 'Bench load admin', 'admin', '!') on conflict (email) do nothing`;
    const [admin] = await sql<{ id: number }[]>`select id from users where email = 'bench-load-admin@bench.invalid'`;
    await sql`delete from sessions where user_id = ${admin!.id}`;
    await sql.end();
    const keys: string[] = [];
    for (let i = 0; i < count; i++) keys.push((await createApiKey(handle.db, { name: `bench-load-${i}`, scopes: ['read', 'write'] })).key);
    const { token } = await createSession(handle.db, admin!.id);
    return { keys, adminCookie: `${SESSION_COOKIE}=${token}` };
  } finally {
    await handle.close();
  }
}

export type IdSpaces = {
  patients: number[];
  recommendations: number[];
  diagnoses: number[];
  conditionOf: number[];
  recsByCondition: Record<string, number[]>;
};

export async function idSpaces(url: string): Promise<IdSpaces> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const patients = (await sql<{ id: number }[]>`select id from patients order by id`).map((r) => r.id);
    const recs = await sql<{ id: number; c: number }[]>`select id, condition_id as c from recommendations order by id`;
    const diags = await sql<{ id: number; c: number }[]>`select id, condition_id as c from diagnoses order by id`;
    const recsByCondition: Record<string, number[]> = {};
    for (const r of recs) (recsByCondition[r.c] ??= []).push(r.id);
    const withRecs = diags.filter((d) => recsByCondition[d.c]);
    return {
      patients,
      recommendations: recs.map((r) => r.id),
      diagnoses: withRecs.map((d) => d.id),
      conditionOf: withRecs.map((d) => d.c),
      recsByCondition,
    };
  } finally {
    await sql.end();
  }
}
