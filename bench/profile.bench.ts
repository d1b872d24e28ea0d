/**
 * npm run bench:profile: `npm start` (1 worker, pinned to core 0) under --cpu-prof, serving cached HITs
 * (`GET /api/analytics/recommendation/{id}`, API key, Accept-Encoding: gzip) at a fixed 3,000 req/s
 * (autocannon's overallRate, pinned to core 1) for 20 s; writes the top-20 self-time functions of the
 * profile to bench/PROFILE.md. BENCH_PROFILE_RATE / BENCH_PROFILE_SECONDS change the load. BENCH_FAST_PATH=off
 * profiles the same HITs answered by Next's route handler instead (FAST_PATH=off; say BENCH_PROFILE_RATE=500, which
 * that path can hold) and writes bench/PROFILE-next.md. BENCH_PROFILE_PEER=next-const profiles Next's constant-JSON
 * route (bench/next-const, sending the product's answer bytes) the same way, into bench/PROFILE-next-const.md: the
 * profile to set beside PROFILE-next.md. BENCH_PROFILE_WARMUP (default 5 s) of the same load runs before the
 * profiled window, so start-up (module loading, the first compilations) stays out of it.
 */
import { fork, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { assertFreshBuild, CLK_TCK, machine, treeTicks } from './api/proc';
import { cpuProfArgs, profileTimes, type CpuProfile } from './cpu-profile';
import { ensureNextConstBuild, nextConstArgv } from './api/next-const';
import { privateRedis, seededDatabase, serverEnv } from './api/setup';
import { serverArgv } from '../scripts/server-command';

const ROOT = path.resolve(import.meta.dirname, '..');
const OUT = path.join(ROOT, 'bench/out/profile');
const RATE = Number(process.env.BENCH_PROFILE_RATE ?? 3_000);
const SECONDS = Number(process.env.BENCH_PROFILE_SECONDS ?? 20);
const PORT_BASE = Number(process.env.BENCH_PORT_BASE ?? 3300);
const PORT = PORT_BASE + 20;
const PATH = '/api/analytics/recommendation/3';
const TOP = 20;
const WARMUP = Number(process.env.BENCH_PROFILE_WARMUP ?? 5);
const FAST_PATH = process.env.BENCH_FAST_PATH === 'off' ? 'off' : 'on';
const NEXT_CONST = process.env.BENCH_PROFILE_PEER === 'next-const';
const RESULT = path.join(ROOT, NEXT_CONST ? 'bench/PROFILE-next-const.md' : FAST_PATH === 'off' ? 'bench/PROFILE-next.md' : 'bench/PROFILE.md');

const builtAt = assertFreshBuild(ROOT);
const info = machine();
const loadAtStart = info.load();
rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });

const children: ChildProcess[] = [];
process.on('exit', () => children.forEach((c) => c.exitCode === null && c.kill('SIGTERM')));

const { url: DATABASE_URL, key } = await seededDatabase('mizaj_bench_profile');
const redis = await privateRedis(PORT_BASE + 41);
children.push(redis.process);

const productEnv = { ...serverEnv({ databaseUrl: DATABASE_URL, redisUrl: redis.url, prefix: 'mizaj-bench-profile', port: PORT }), FAST_PATH };
// The peer sends the product's answer: the product runs first (not profiled) to make it.
let server = spawn('taskset', ['-c', '0', process.execPath, ...serverArgv(ROOT, NEXT_CONST ? [] : cpuProfArgs(OUT))], { env: productEnv, stdio: ['ignore', 'ignore', 'inherit'] });
children.push(server);
const headers = { authorization: `Bearer ${key}`, 'accept-encoding': 'gzip' };
const target = `http://127.0.0.1:${PORT}${PATH}`;
let first: Response | undefined;
for (let i = 0; i < 600 && !first; i++) {
  first = await fetch(target, { headers }).catch(() => undefined);
  if (!first) await new Promise((r) => setTimeout(r, 100));
}
if (!first) throw new Error('npm start did not start');
await first.arrayBuffer(); // the miss that fills the entry
// Just after start-up a server computes every answer until it has checked its Redis (reads held until the
// store-ready hook has run, lib/cache/store-gate.ts) and heard its own heartbeat back through PostgreSQL (the L1
// lease, lib/write-door/coherence.ts): the first answers can all be MISSes. Ask until one is a HIT.
let check = await fetch(target, { headers: { ...headers } });
for (let i = 0; i < 20 && check.headers.get('x-cache') !== 'HIT'; i++) {
  await check.arrayBuffer();
  await new Promise((r) => setTimeout(r, 100));
  check = await fetch(target, { headers: { ...headers } });
}
if (check.headers.get('x-cache') !== 'HIT') throw new Error(`expected a HIT, got ${check.headers.get('x-cache')}`);
// fetch decompresses: the JSON, which the peer is given to send.
const json = Buffer.from(await check.arrayBuffer());
if (NEXT_CONST) {
  await new Promise((r) => (server.kill('SIGTERM'), server.once('exit', r)));
  ensureNextConstBuild(ROOT, productEnv);
  const bodyFile = path.join(OUT, 'body.json');
  writeFileSync(bodyFile, json);
  server = spawn('taskset', ['-c', '0', process.execPath, ...cpuProfArgs(OUT), ...nextConstArgv(ROOT, PORT)], { env: { ...productEnv, BENCH_BODY_FILE: bodyFile }, stdio: ['ignore', 'ignore', 'inherit'] });
  children.push(server);
  for (let i = 0; i < 600 && !(await fetch(target).then((r) => r.ok, () => false)); i++) await new Promise((r) => setTimeout(r, 100));
}
// The peer's route asks for no API key. The byte count the generator checks is that of the gzip body as sent.
const loadHeaders: Record<string, string> = NEXT_CONST ? { 'accept-encoding': 'gzip' } : headers;
const curlHeaders = Object.entries(loadHeaders).flatMap(([k, v]) => ['-H', `${k}: ${v}`]);
const gzipBytes = Number(spawnSync('curl', ['-s', '-o', '/dev/null', '-w', '%{size_download}', ...curlHeaders, target], { encoding: 'utf8' }).stdout);

const gen = fork(path.join(ROOT, 'bench/api/load.mjs'), [], { stdio: 'inherit' });
children.push(gen);
spawnSync('taskset', ['-a', '-pc', '1', String(gen.pid)], { stdio: 'ignore' });
await new Promise((r) => gen.once('message', r));
interface LoadResult { rps: number; requests: number; p50: number; p99: number; errors: number; checked: number; mismatches: number; ticks: number }
const expect = { status: 200, bytes: gzipBytes, xcache: NEXT_CONST ? null : 'HIT', encoding: 'gzip' };
const load = (seconds: number) =>
  new Promise<LoadResult>((resolve, reject) => {
    gen.once('message', (m: { ok: boolean; result: LoadResult; error: string }) => (m.ok ? resolve(m.result) : reject(new Error(m.error))));
    gen.send({ url: target, headers: loadHeaders, seconds, connections: 64, rate: RATE, expect });
  });
if (WARMUP > 0) await load(WARMUP);
const serverTicks0 = treeTicks(server.pid!);
// V8's profile timestamps are CLOCK_MONOTONIC µs, as hrtime: only samples taken under load are summarised.
const windowStart = Number(process.hrtime.bigint() / 1000n);
const result = await load(SECONDS);
const serverTicks = treeTicks(server.pid!) - serverTicks0;
const windowEnd = Number(process.hrtime.bigint() / 1000n);
gen.kill('SIGTERM');
// The profile is written when the server exits (SIGTERM: it drains and exits 0).
await new Promise((r) => (server.kill('SIGTERM'), server.once('exit', r)));
redis.client.disconnect();
redis.process.kill('SIGTERM');

// --- the profile's self time per function ------------------------------------------------------------------
const file = readdirSync(OUT).find((f) => f.endsWith('.cpuprofile'));
if (!file) throw new Error('no .cpuprofile written');
const profile = JSON.parse(readFileSync(path.join(OUT, file), 'utf8')) as CpuProfile;
// Start-up (module loading) and shutdown left out.
const { self, busy, idle } = profileTimes(profile, ROOT, (at) => at >= windowStart && at <= windowEnd);
const total = busy + idle;
if (total === 0) throw new Error('no profile sample falls in the load window');
const top = [...self].sort((a, b) => b[1] - a[1]).slice(0, TOP);
const ms = (us: number) => (us / 1000).toFixed(0);
const title = NEXT_CONST
  ? "Next's constant-JSON route sending the same answer (`BENCH_PROFILE_PEER=next-const npm run bench:profile`)"
  : `\`npm start\` serving cached HITs${FAST_PATH === 'off' ? " through Next's route handler (`BENCH_FAST_PATH=off npm run bench:profile`)" : ' (`npm run bench:profile`)'}`;
const served = NEXT_CONST ? '`next start bench/next-const`' : `\`npm start\` with WEB_CONCURRENCY=1 and FAST_PATH=${FAST_PATH}`;
const text = `# CPU profile of ${title}

Written by bench/profile.bench.ts. Run ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC at ${info.sha}, build of ${builtAt.toISOString().slice(0, 16).replace('T', ' ')} UTC; ${info.cpu}; Node ${info.node}; load average (1/5/15 min) ${loadAtStart} at the start, ${info.load()} at the end (a busy machine stretches every figure).

\`GET ${PATH.replace('3', '{id}')}\` with ${NEXT_CONST ? 'no API key (the route asks for none)' : 'an API key'} and \`Accept-Encoding: gzip\` (${gzipBytes} B sent), ${served} pinned to core 0 under \`node --cpu-prof\`, autocannon at a fixed ${RATE.toLocaleString('en')} req/s (overallRate) for ${SECONDS} s on core 1 after ${WARMUP} s of the same load left out of the profile: ${result.requests.toLocaleString('en')} requests (${Math.round(result.rps).toLocaleString('en')} req/s achieved), ${result.mismatches + result.errors} not as expected, p50 ${result.p50} ms, p99 ${result.p99} ms; server CPU ${((serverTicks * 1e6) / CLK_TCK / Math.max(1, result.requests)).toFixed(1)} µs per request (/proc, profiler overhead included).

Profile, samples taken while the load ran: ${ms(total)} ms sampled, ${ms(busy)} ms busy (${((100 * busy) / total).toFixed(1)} %), the rest idle. Self time (time in the function itself, not in what it calls), top ${TOP}, as a share of busy time; our code mapped back to its source through the bundle's source map, Next's chunks as built:

| # | function — location | self ms | % of busy |
|---:|---|---:|---:|
${top.map(([name, us], i) => `| ${i + 1} | ${name.replace(/\|/g, '\\|')} | ${ms(us)} | ${((100 * us) / busy).toFixed(1)} |`).join('\n')}
`;
writeFileSync(RESULT, text);
console.log(text);
process.exit(result.mismatches + result.errors > 0 ? 1 : 0);
