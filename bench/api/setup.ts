// What the HTTP benchmarks (`npm run bench`, `npm run bench:profile`) start from: a database of their own
// with the seed and an API key, and a private redis-server (its CPU, read from /proc, is theirs alone).
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import { createApiKey } from '@/lib/auth/api-keys';
import { createDb } from '@/lib/db/create-db';
import { migrateDb } from '@/lib/db/migrate';
import { seedDatabase } from '@/drizzle/seed/seed-database';

const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Recreates the database, seeds `patients` patients (300) and returns its URL and a read API key. */
export async function seededDatabase(name: string, patients = 300): Promise<{ url: string; key: string }> {
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${name} with (force)`);
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const handle = await createDb({ url: url.toString() });
  await migrateDb(handle);
  await seedDatabase(handle, { patients, seed: 5 });
  const { key } = await createApiKey(handle.db, { name: 'bench', scopes: ['read'] });
  await handle.close();
  return { url: url.toString(), key };
}

export function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

/** A redis-server of our own on `port` (refuses a taken port), with a client connected to it. */
export async function privateRedis(port: number, cpus?: string): Promise<{ url: string; process: ChildProcess; client: Redis }> {
  if (await listening(port)) throw new Error(`port ${port} is taken: set BENCH_PORT_BASE`);
  const argv = ['redis-server', '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  const child = cpus ? spawn('taskset', ['-c', cpus, ...argv], { stdio: 'ignore' }) : spawn(argv[0]!, argv.slice(1), { stdio: 'ignore' });
  for (let i = 0; i < 200 && !(await listening(port)); i++) await new Promise((r) => setTimeout(r, 25));
  const url = `redis://127.0.0.1:${port}`;
  const client = new Redis(url);
  if (Number(/process_id:(\d+)/.exec(await client.info('server'))?.[1]) !== child.pid) {
    child.kill('SIGTERM');
    client.disconnect();
    throw new Error('the redis-server answering is not ours');
  }
  return { url, process: child, client };
}

/** The environment of one production server process (`.next/mizaj-server.mjs`) a benchmark starts on its own database and Redis. */
export function serverEnv(o: { databaseUrl: string; redisUrl: string; prefix: string; port: number }): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_ENV: 'production',
    DATABASE_URL: o.databaseUrl,
    REDIS_URL: o.redisUrl,
    CACHE_PREFIX: o.prefix,
    SESSION_SECRET: 'bench-only-session-secret-0123456789abcdef',
    CACHE_ENCRYPTION_KEYS: 'YmVuY2gtb25seS1jYWNoZS1rZXktMDEyMzQ1Njc4OWE=',
    LOG_LEVEL: 'warn',
    PORT: String(o.port),
    HOST: '127.0.0.1',
    WEB_CONCURRENCY: '1',
    NEXT_TELEMETRY_DISABLED: '1',
  };
}
