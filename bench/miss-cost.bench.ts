/**
 * npm run bench:miss — what a cache MISS costs the server, by route, against a HIT of the same answers in the
 * same run. `npm start` (1 process, pinned to core 0) over a database of its own (BENCH_MISS_PATIENTS, default 3,000, seed 5) and
 * a redis-server of its own; this process asks each distinct id of a route once (every answer a MISS: computed,
 * packed, stored), then the same ids 5 times more in the same order (HITs: from L1 while a route's entries fit in it; when they do not, the
 * ordered scan misses L1 every time and each HIT is read from Redis), 4 requests in flight (BENCH_MISS_IN_FLIGHT), and reads the server's
 * CPU time (utime + stime, /proc) around each phase. Who answered a MISS: the fast path, or Next's route
 * handler after the soft wait (Next streams its answers chunked; the fast path sends Content-Length).
 *
 *   BENCH_MISS_PROFILE=<dir>   the server runs under node --cpu-prof and writes its profile there on exit
 *   BENCH_FAST_PATH=off        the server runs with FAST_PATH=off
 *   BENCH_MISS_IN_FLIGHT=<n>   requests in flight (default 4)
 *
 * Writes bench/RESULTS.md between <!-- miss:start --> and <!-- miss:end -->.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import path from 'node:path';
import postgres from 'postgres';
import { writeResultsSection } from './results-file';
import { assertFreshBuild, CLK_TCK, machine, treeTicks } from './api/proc';
import { privateRedis, seededDatabase, serverEnv } from './api/setup';
import { serverArgv } from '../scripts/server-command';
import { cpuProfArgs } from './cpu-profile';

const ROOT = path.resolve(import.meta.dirname, '..');
const PORT_BASE = Number(process.env.BENCH_PORT_BASE ?? 3300);
const PORT = PORT_BASE + 25;
const IN_FLIGHT = Number(process.env.BENCH_MISS_IN_FLIGHT ?? 4);

assertFreshBuild(ROOT);
const info = machine();
const children: ChildProcess[] = [];
process.on('exit', () => children.forEach((c) => c.exitCode === null && c.kill('SIGTERM')));

const PATIENTS = Number(process.env.BENCH_MISS_PATIENTS ?? 3000);
const { url: DATABASE_URL, key } = await seededDatabase('mizaj_bench_miss', PATIENTS);
const redis = await privateRedis(PORT_BASE + 43, '1');
children.push(redis.process);

const sql = postgres(DATABASE_URL, { max: 1, onnotice: () => {} });
const ids = async (q: string) => (await sql.unsafe<{ id: number }[]>(q)).map((r) => r.id);
const patients = await ids('select id from patients order by id');
const diagnoses = await ids('select d.id from diagnoses d where exists (select 1 from recommendations r where r.condition_id = d.condition_id) order by d.id');
await sql.end();

// The routes keyed by patient or diagnosis: thousands of ids, so a phase lasts seconds and /proc's 10 ms clock
// ticks do not matter. (Recommendation-keyed routes have under a hundred ids in the seed.)
const ALL_ROUTES: { name: string; paths: string[] }[] = [
  { name: 'profile', paths: patients.map((id) => `/api/patients/${id}/profile`) },
  { name: 'predictions', paths: diagnoses.map((id) => `/api/predictions/diagnosis/${id}/predict`) },
];
// For a profile of one route's misses alone: BENCH_MISS_ROUTES=predictions BENCH_MISS_HIT_PASSES=0 (printed, not written).
const only = process.env.BENCH_MISS_ROUTES?.split(',');
const ROUTES = only ? ALL_ROUTES.filter((r) => only.includes(r.name)) : ALL_ROUTES;
const HIT_PASSES = Number(process.env.BENCH_MISS_HIT_PASSES ?? 5);
const PARTIAL = ROUTES.length < ALL_ROUTES.length || HIT_PASSES !== 5;

const profileArgs = cpuProfArgs(process.env.BENCH_MISS_PROFILE);
const server = spawn('taskset', ['-c', '0', process.execPath, ...serverArgv(ROOT, profileArgs)], {
  env: { ...serverEnv({ databaseUrl: DATABASE_URL, redisUrl: redis.url, prefix: 'mizaj-bench-miss', port: PORT }), ...(process.env.BENCH_FAST_PATH === 'off' && { FAST_PATH: 'off' }) },
  stdio: ['ignore', 'ignore', 'inherit'],
});
children.push(server);

const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
type Answer = { status: number; cache: string; byNext: boolean };
function get(p: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const r = request(`http://127.0.0.1:${PORT}${p}`, { agent, headers: { authorization: `Bearer ${key}`, 'accept-encoding': 'gzip' } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, cache: String(res.headers['x-cache'] ?? '-'), byNext: res.headers['content-length'] === undefined }));
    });
    r.on('error', reject);
    r.end();
  });
}

for (let i = 0; ; i++) {
  const ok = await get('/api/health').then((a) => a.status === 200, () => false);
  if (ok) break;
  if (i > 600) throw new Error('npm start did not start');
  await new Promise((r) => setTimeout(r, 100));
}
// JIT and connections: a route nobody measures, missed and hit a few times.
for (let i = 0; i < 50; i++) await get('/api/trending');

async function phase(paths: string[]): Promise<{ usPerRequest: number; answers: Answer[] }> {
  const answers: Answer[] = [];
  let next = 0;
  const before = treeTicks(server.pid!);
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < paths.length) answers.push(await get(paths[next++]!));
    }),
  );
  const ticks = treeTicks(server.pid!) - before;
  return { usPerRequest: ((ticks / CLK_TCK) * 1e6) / paths.length, answers };
}

const mix = (answers: Answer[]) => {
  const counts = new Map<string, number>();
  for (const a of answers) {
    const k = `${a.status} ${a.cache}${a.byNext ? ' via Next' : ''}`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => `${k} ×${n}`).join(', ');
};

const loadAtStart = info.load();
const rows: string[] = [];
for (const r of ROUTES) {
  const miss = await phase(r.paths);
  if (HIT_PASSES === 0) {
    rows.push(`| ${r.name} | ${r.paths.length} | ${miss.usPerRequest.toFixed(0)} | — | — | ${mix(miss.answers)} | — |`);
    continue;
  }
  const hit = await phase(Array.from({ length: HIT_PASSES }, () => r.paths).flat());
  rows.push(`| ${r.name} | ${r.paths.length} | ${miss.usPerRequest.toFixed(0)} | ${hit.usPerRequest.toFixed(0)} | ${(miss.usPerRequest / hit.usPerRequest).toFixed(1)}× | ${mix(miss.answers)} | ${mix(hit.answers)} |`);
}
const fastPath = process.env.BENCH_FAST_PATH === 'off' ? 'off' : 'on';
const table = ['| route | ids | MISS µs CPU/request | HIT µs CPU/request | MISS ÷ HIT | MISS answers | HIT answers |', '|---|---:|---:|---:|---:|---|---|', ...rows].join('\n');
console.log(table);
const section = `<!-- miss:start -->
## What a MISS costs the server (\`npm run bench:miss\`)

${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, git ${info.sha}, ${info.cpu}, Node ${info.node}, load average ${loadAtStart} at start, ${info.load()} at end; FAST_PATH=${fastPath}${process.env.BENCH_MISS_PROFILE ? ', under --cpu-prof' : ''}.
\`npm start\` (1 process, cpu 0) over ${PATIENTS.toLocaleString('en')} seeded patients; every id asked once (each a MISS: queried, packed, sealed, stored), then ${HIT_PASSES} times more in the same order (HITs: from L1 while a route's entries fit in it; when they do not, the ordered scan misses L1 every time and each HIT is read from Redis: opened, inflated, gzipped), ${IN_FLIGHT} requests in flight, \`Accept-Encoding: gzip\`. Server CPU from /proc (utime + stime) over each phase ÷ its requests. "via Next": answered by the route handler after the soft wait.

${table}
<!-- miss:end -->`;
if (!PARTIAL) writeResultsSection('miss', section);
server.kill('SIGTERM');
await new Promise((r) => server.once('exit', r));
process.exit(0);
