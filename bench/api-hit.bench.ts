/**
 * npm run bench: a cached API answer over HTTP, 64 connections, one run, as ratios against a baseline
 * measured in the same run (node:http + one Redis GET of the same bytes):
 *   - the fast path alone (node:http + route table + cached auth + one Redis round trip)
 *   - the production server (`npm start`: fast path in front of Next)       — needs `npm run build`
 *   - the same server with FAST_PATH=off, i.e. Next's router + route handler — needs `npm run build`
 */
import { fork, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import autocannon from 'autocannon';
import postgres from 'postgres';
import { createApiKey } from '@/lib/auth/api-keys';
import { createDb } from '@/lib/db/create-db';
import { migrateDb } from '@/lib/db/migrate';
import { seedDatabase } from '@/drizzle/seed/seed-database';

const ROOT = path.resolve(import.meta.dirname, '..');
const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const DB = 'mizaj_bench_api';
const DURATION = Number(process.env.BENCH_SECONDS ?? 8);
const ID = 3;
const PATH = `/api/analytics/recommendation/${ID}`;

const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
await admin.unsafe(`drop database if exists ${DB} with (force)`);
await admin.unsafe(`create database ${DB}`);
await admin.end();
const url = new URL(ADMIN_URL);
url.pathname = `/${DB}`;
const handle = await createDb({ url: url.toString() });
await migrateDb(handle);
await seedDatabase(handle, { patients: 300, seed: 5 });
const { key } = await createApiKey(handle.db, { name: 'bench', scopes: ['read'] });
await handle.close();

const env = {
  ...process.env,
  DATABASE_URL: url.toString(),
  REDIS_URL,
  CACHE_PREFIX: 'mizaj-bench-api',
  SESSION_SECRET: 'bench-only-session-secret-0123456789abcdef',
  CACHE_ENCRYPTION_KEYS: 'YmVuY2gtb25seS1jYWNoZS1rZXktMDEyMzQ1Njc4OWE=',
  BENCH_ID: String(ID),
  LOG_LEVEL: 'warn',
};
const children: ChildProcess[] = [];
const stopAll = () => children.forEach((c) => c.kill('SIGTERM'));
process.on('exit', stopAll);

function startTs(file: string, port: number, extra: Record<string, string> = {}): Promise<void> {
  const child = fork(path.join(ROOT, file), [], { env: { ...env, PORT: String(port), ...extra }, execArgv: ['--import', 'tsx', '--conditions=react-server'], stdio: 'inherit' });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`${file} exited with ${code}`)));
  });
}

async function startProduction(port: number, extra: Record<string, string>): Promise<void> {
  const child = spawn(process.execPath, [path.join(ROOT, '.next/mizaj-server.mjs')], { env: { ...env, NODE_ENV: 'production', HOST: '127.0.0.1', PORT: String(port), ...extra }, stdio: 'ignore' });
  children.push(child);
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/api/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('production server did not start');
}

async function measure(name: string, port: number, headers: Record<string, string>) {
  const target = `http://127.0.0.1:${port}${PATH}`;
  const first = await fetch(target, { headers }); // prime (a miss through Next fills the entry)
  await first.arrayBuffer();
  const check = await fetch(target, { headers });
  const xcache = check.headers.get('x-cache');
  await check.arrayBuffer();
  const result = WRK ? runWrk(target, headers) : await runAutocannon(target, headers);
  console.log(`${name.padEnd(42)} ${Math.round(result.rps).toString().padStart(7)} req/s  p50 ${result.p50} ms  p99 ${result.p99} ms${result.bad ? `  (${result.bad} non-2xx/errors!)` : ''}`);
  return { name, xcache, ...result };
}

type Load = { rps: number; p50: number; p99: number; bad: number };

/** Debian's wrk when installed: a C client leaves more of the 2 cores to the server than autocannon. */
const WRK = spawnSync('wrk', ['--version']).error === undefined;

function runWrk(target: string, headers: Record<string, string>): Load {
  const args = ['-t1', '-c64', `-d${DURATION}s`, '--latency', ...Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]), target];
  const out = spawnSync('wrk', args, { encoding: 'utf8' }).stdout;
  const ms = (label: string) => {
    const m = new RegExp(`\\s${label}\\s+([\\d.]+)(us|ms|s)`).exec(out);
    return m ? Number(m[1]) * (m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1) : NaN;
  };
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0),
    p50: Math.round(ms('50%') * 100) / 100,
    p99: Math.round(ms('99%') * 100) / 100,
    bad: Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0) + Number(/Socket errors: connect (\d+)/.exec(out)?.[1] ?? 0),
  };
}

async function runAutocannon(target: string, headers: Record<string, string>): Promise<Load> {
  const r = await autocannon({ url: target, connections: 64, duration: DURATION, headers });
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, bad: r.non2xx + r.errors };
}

const auth = { authorization: `Bearer ${key}` };
const rows = [];
await startTs('bench/api/fast-path-server.ts', 4101);
// The baseline serves the very bytes the fast path serves: read them from Redis by the fast path's key.
process.env.CACHE_PREFIX = env.CACHE_PREFIX;
const { analytics } = await import('@/lib/resources/analytics');
await startTs('bench/api/baseline-server.ts', 4100, { BENCH_KEY: analytics.entry.key(ID) });
rows.push(await measure('baseline: node:http + 1 Redis GET', 4100, {}));
rows.push(await measure('fast path (node:http, auth, tags checked)', 4101, auth));
const built = existsSync(path.join(ROOT, '.next/mizaj-server.mjs')) && existsSync(path.join(ROOT, '.next/BUILD_ID'));
if (built) {
  await startProduction(4102, {});
  rows.push(await measure('npm start (fast path in front of Next)', 4102, auth));
  await startProduction(4103, { FAST_PATH: 'off' });
  rows.push(await measure('Next route handler (FAST_PATH=off)', 4103, auth));
} else {
  console.log('(no production build: run `npm run build` to also measure the server and Next’s route handler)');
}
stopAll();

const base = rows[0]!.rps;
const table = [
  '| scenario | req/s | × baseline | p50 ms | p99 ms | X-Cache |',
  '|---|---:|---:|---:|---:|---|',
  ...rows.map((r) => `| ${r.name} | ${Math.round(r.rps).toLocaleString('en')} | ${(r.rps / base).toFixed(2)} | ${r.p50} | ${r.p99} | ${r.xcache ?? '—'} |`),
].join('\n');
console.log(`\n${table}`);
const fast = rows.find((r) => r.name.startsWith('npm start'));
const next = rows.find((r) => r.name.startsWith('Next'));
if (fast && next) console.log(`\nfast path vs Next route handler: ${(fast.rps / next.rps).toFixed(1)}×`);

const file = path.join(ROOT, 'bench/RESULTS.md');
const section = `<!-- api:start -->
## Cached API hit over HTTP (\`npm run bench\`)

${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, 2 cores shared by the load generator (${WRK ? 'wrk -t1' : 'autocannon'}, 64 connections, ${DURATION} s each) and the server, load average ${(await import('node:os')).loadavg()[0]!.toFixed(2)}, Node ${process.version}. \`GET ${PATH.replace(String(ID), '{id}')}\` with an API key, ~2 KB body.

${table}
${fast && next ? `\nFast path vs Next's route handler: **${(fast.rps / next.rps).toFixed(1)}×**.\n` : ''}<!-- api:end -->`;
const current = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmark results\n';
writeFileSync(file, current.includes('<!-- api:start -->') ? current.replace(/<!-- api:start -->[\s\S]*<!-- api:end -->/, section) : `${current.trimEnd()}\n\n${section}\n`);
process.exit(rows.some((r) => r.bad > 0) ? 1 : 0);
