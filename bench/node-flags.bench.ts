/**
 * npm run bench:flags — what each node flag of `npm start` does to the server's throughput and CPU per request:
 * the start script's flags (serverArgv), then the same with each flag left out in turn (or the variants in
 * BENCH_FLAGS, a JSON object name → flags), each a `npm start` pinned to core 0 over the same cached HIT
 * (`GET /api/analytics/recommendation/3`, API key, Accept-Encoding: gzip), autocannon closed loop (64
 * connections, 3 s of warm-up then BENCH_SECONDS, default 8) on core 1; variants take turns over BENCH_ROUNDS
 * rounds (default 5), medians compared with the start script's in the same run.
 *
 *   BENCH_FAST_PATH=off|on   which path answers (default off: Next's route handler, where the app allocates most)
 *
 * Writes bench/RESULTS.md between <!-- flags:start --> and <!-- flags:end -->.
 */
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { writeResultsSection } from './results-file';
import { assertFreshBuild, CLK_TCK, machine, treeTicks } from './api/proc';
import { privateRedis, seededDatabase, serverEnv } from './api/setup';
import { serverArgv } from '../scripts/server-command';

const ROOT = path.resolve(import.meta.dirname, '..');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const FAST_PATH = process.env.BENCH_FAST_PATH === 'on' ? 'on' : 'off';
const PORT_BASE = Number(process.env.BENCH_PORT_BASE ?? 3300);
const PORT = PORT_BASE + 30;
const PATH = '/api/analytics/recommendation/3';

assertFreshBuild(ROOT);
const info = machine();
const loadAtStart = info.load();
const startArgv = serverArgv(ROOT);
const bundle = startArgv.at(-1)!;
const startFlags = startArgv.slice(0, -1);
const variants: Record<string, string[]> = process.env.BENCH_FLAGS
  ? (JSON.parse(process.env.BENCH_FLAGS) as Record<string, string[]>)
  : { 'npm start': startFlags, ...Object.fromEntries(startFlags.map((f) => [`without ${f}`, startFlags.filter((x) => x !== f)])) };
const names = Object.keys(variants);

const { url, key } = await seededDatabase('mizaj_bench_flags');
const redis = await privateRedis(PORT + 1);
const target = `http://127.0.0.1:${PORT}${PATH}`;
const autocannon = (secs: number) =>
  spawnSync('taskset', ['-c', '1', process.execPath, path.join(ROOT, 'node_modules/autocannon/autocannon.js'), '-j', '-c', '64', '-d', String(secs), '-H', `authorization=Bearer ${key}`, '-H', 'accept-encoding=gzip', target], { encoding: 'utf8' });

type Run = { rps: number; us: number; bad: number };
const runs = new Map<string, Run[]>(names.map((n) => [n, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const name of names) {
    const server = spawn('taskset', ['-c', '0', process.execPath, ...variants[name]!, bundle], {
      env: { ...serverEnv({ databaseUrl: url, redisUrl: redis.url, prefix: 'mizaj-bench-flags', port: PORT }), FAST_PATH },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    let up = false;
    for (let i = 0; i < 600 && !up; i++) {
      const r = await fetch(target, { headers: { authorization: `Bearer ${key}` } }).catch(() => undefined);
      if (r) up = (await r.arrayBuffer(), r.status === 200);
      else await new Promise((res) => setTimeout(res, 100));
    }
    if (!up) throw new Error(`${name}: the server did not answer ${PATH}`);
    autocannon(3);
    const ticks = treeTicks(server.pid!);
    const r = JSON.parse(autocannon(SECONDS).stdout) as { requests: { average: number; total: number }; non2xx: number; errors: number };
    const us = ((treeTicks(server.pid!) - ticks) * 1e6) / CLK_TCK / Math.max(1, r.requests.total);
    runs.get(name)!.push({ rps: r.requests.average, us, bad: r.non2xx + r.errors });
    console.log(`round ${round + 1}: ${name}: ${Math.round(r.requests.average)} req/s, ${us.toFixed(0)} µs per request`);
    await new Promise((res) => (server.kill('SIGTERM'), server.once('exit', res)));
  }
}
redis.client.disconnect();
redis.process.kill('SIGTERM');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const base = runs.get(names[0]!)!;
const table = [
  `| variant | node flags | req/s median | min–max | server µs/request median | req/s ÷ ${names[0]} | answers not 2xx |`,
  '|---|---|---:|---|---:|---:|---:|',
  ...names.map((n) => {
    const rs = runs.get(n)!;
    const rps = rs.map((r) => r.rps);
    return `| ${n} | ${variants[n]!.map((f) => `\`${f}\``).join(' ') || '(none)'} | ${Math.round(median(rps)).toLocaleString('en')} | ${Math.round(Math.min(...rps)).toLocaleString('en')}–${Math.round(Math.max(...rps)).toLocaleString('en')} | ${median(rs.map((r) => r.us)).toFixed(0)} | ${(median(rps) / median(base.map((r) => r.rps))).toFixed(2)}× | ${rs.reduce((s, r) => s + r.bad, 0)} |`;
  }),
].join('\n');
const section = `<!-- flags:start -->
## What each node flag of \`npm start\` does (\`npm run bench:flags\`)

Written by bench/node-flags.bench.ts. Run ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC at ${info.sha}; ${info.cpu}; Node ${info.node}; load average ${loadAtStart} at the start, ${info.load()} at the end. \`GET ${PATH.replace('3', '{id}')}\` cached (a HIT), API key, \`Accept-Encoding: gzip\`, FAST_PATH=${FAST_PATH}; the server pinned to core 0, autocannon (64 connections, ${SECONDS} s after 3 s of warm-up) on core 1; ${ROUNDS} rounds, variants in turn, a fresh server each time.

${table}
<!-- flags:end -->`;
console.log(`\n${table}`);
writeResultsSection('flags', section);
process.exit(0);
