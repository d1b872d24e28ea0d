/**
 * Real cached API answers of every resource, for bench:memory and build:json-dictionary: seeds a database of
 * its own (dropped and recreated), then fills entries through the resources themselves with production cache
 * settings (patient data sealed) under a Redis key prefix of its own.
 */
import Redis from 'ioredis';
import postgres from 'postgres';
import type { CachedRaw } from '@/lib/cache';
import { createDb } from '@/lib/db/create-db';
import { migrateDb } from '@/lib/db/migrate';
import { seedDatabase } from '@/drizzle/seed/seed-database';

export interface SampleOptions {
  database: string;
  seed: number;
  patients: number;
  perResource: number;
}

export interface Sample {
  resource: string;
  category: string;
  key: string;
  raw: CachedRaw;
}

const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Fills the entries; `close` removes them from Redis and closes the cache. Call once per process (config is read once). */
export async function sampleAnswers(o: SampleOptions): Promise<{ samples: Sample[]; close(): Promise<void> }> {
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${o.database} with (force)`);
  await admin.unsafe(`create database ${o.database}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${o.database}`;
  const handle = await createDb({ url: url.toString() });
  await migrateDb(handle);
  await seedDatabase(handle, { patients: o.patients, seed: o.seed });
  await handle.close();
  const sql = postgres(url.toString(), { max: 1, onnotice: () => {} });
  const ids = async (table: string) => (await sql.unsafe<{ id: number }[]>(`select id from ${table} order by id limit ${o.perResource}`)).map((row) => row.id);
  const recommendationIds = await ids('recommendations');
  const diagnosisIds = await ids('diagnoses');
  const patientIds = await ids('patients');
  await sql.end();

  // As long as the default prefix (`mizaj`), so MEMORY USAGE counts keys of the production length.
  const prefix = `s${(process.pid % 36 ** 4).toString(36).padStart(4, '0')}`;
  // Production settings (patient data sealed), read by getConfig() on first use below.
  Object.assign(process.env, {
    DATABASE_URL: url.toString(),
    REDIS_URL,
    CACHE_PREFIX: prefix,
    SESSION_SECRET: 'bench-only-session-secret-0123456789abcdef',
    CACHE_ENCRYPTION_KEYS: 'YmVuY2gtb25seS1jYWNoZS1rZXktMDEyMzQ1Njc4OWE=',
    LOG_LEVEL: 'warn',
  });
  const res = await import('@/lib/resources');
  const { getCache } = await import('@/lib/cache');
  await getCache().ready();

  const samples: Sample[] = [];
  const fill = async (resource: { (...a: never[]): Promise<CachedRaw>; key(...a: never[]): string; category: string }, name: string, args: unknown[][]) => {
    for (const a of args) {
      try {
        samples.push({ resource: name, category: resource.category, key: resource.key(...(a as never[])), raw: await resource(...(a as never[])) });
      } catch {
        // An id the seed left without this resource (404 in the API): nothing cached.
      }
    }
  };
  await fill(res.recommendation.entry, 'recommendation', recommendationIds.map((id) => [id]));
  await fill(res.analytics.entry, 'analytics', recommendationIds.map((id) => [id]));
  await fill(res.feedbackSummary.entry, 'feedback summary', recommendationIds.map((id) => [id]));
  await fill(res.diagnosis.entry, 'diagnosis', diagnosisIds.map((id) => [id]));
  await fill(res.prediction.entry, 'predictions', diagnosisIds.map((id) => [id]));
  await fill(res.profile.entry, 'patient profile', patientIds.map((id) => [id]));
  await fill(res.trending.entry, 'trending', [7, 30].flatMap((days) => [5, 10, 20, 50, 100].map((limit) => [days, limit])));

  return {
    samples,
    async close() {
      const redis = new Redis(REDIS_URL);
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
        if (keys.length) await redis.unlink(...keys);
        cursor = next;
      } while (cursor !== '0');
      await redis.quit();
      await getCache().close();
    },
  };
}
