/**
 * npm run bench: a cached API answer over HTTP against its peers, all in one run (bench/README.md says how
 * to read it). Peers, each with and without `Accept-Encoding: gzip`:
 *   node:http sending the same bytes | node:http + one Redis GET of them | Next's constant-JSON route handler
 *   | `npm start` HIT | `npm start` with FAST_PATH=off HIT
 * Table 1: every server 1 process pinned to core 0, the load generator pinned to core 1.
 * Table 2 (BENCH_BOTH_CORES=0 skips it): every server 2 processes (node:cluster / WEB_CONCURRENCY=2), unpinned.
 * BENCH_QUICK=1: 1 round of 2 s, to check the script. Writes bench/RESULTS.md between <!-- api:start/end -->.
 */
import { fork, spawn, spawnSync, type ChildProcess, type StdioOptions } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { writeResultsSection } from './results-file';
import { assertFreshBuild, CLK_TCK, machine, servingProcesses, treeTicks } from './api/proc';
import { ensureNextConstBuild, nextConstArgv } from './api/next-const';
import { privateRedis, seededDatabase } from './api/setup';
import { serverArgv } from '../scripts/server-command';

const ROOT = path.resolve(import.meta.dirname, '..');
const OUT = path.join(ROOT, 'bench/out/http');
const QUICK = process.env.BENCH_QUICK === '1';
const ROUNDS = QUICK ? 1 : Math.max(5, Number(process.env.BENCH_ROUNDS ?? 5));
const SECONDS = QUICK ? 2 : Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = 64;
const DB = 'mizaj_bench_http';
const PREFIX = 'mizaj-bench-http';
const PORT_BASE = Number(process.env.BENCH_PORT_BASE ?? 3300); // 3300–3349: this suite's ports
const REDIS_PORT = PORT_BASE + 40;
const ID = 3;
const PATH = `/api/analytics/recommendation/${ID}`;

const builtAt = assertFreshBuild(ROOT);
const info = machine();
const loadAtStart = info.load();
mkdirSync(OUT, { recursive: true });

const children: ChildProcess[] = [];
const stopAll = () => children.forEach((c) => c.exitCode === null && c.kill('SIGTERM'));
process.on('exit', stopAll);

// --- database, API key, private Redis -------------------------------------------------------------------
const { url: DATABASE_URL, key } = await seededDatabase(DB);
const { url: REDIS_URL, process: redisServer, client: redis } = await privateRedis(REDIS_PORT);
children.push(redisServer);

const env: NodeJS.ProcessEnv = {
  ...process.env,
  DATABASE_URL,
  REDIS_URL,
  CACHE_PREFIX: PREFIX,
  SESSION_SECRET: 'bench-only-session-secret-0123456789abcdef',
  CACHE_ENCRYPTION_KEYS: 'YmVuY2gtb25seS1jYWNoZS1rZXktMDEyMzQ1Njc4OWE=',
  LOG_LEVEL: 'warn',
  NODE_ENV: 'production',
  NEXT_TELEMETRY_DISABLED: '1',
  BENCH_BODY_FILE: path.join(OUT, 'body.json'),
  BENCH_GZIP_FILE: path.join(OUT, 'body.json.gz'),
  BENCH_REDIS_KEY: `${PREFIX}-peer`,
};

ensureNextConstBuild(ROOT, env);

// --- servers -----------------------------------------------------------------------------------------------
type Peer = 'bare' | 'redis' | 'next-const' | 'start' | 'start-off';
const PEERS: { peer: Peer; name: string; auth: boolean; xcache: string | null }[] = [
  { peer: 'bare', name: 'node:http, same bytes from memory', auth: false, xcache: null },
  { peer: 'redis', name: 'node:http + 1 Redis GET', auth: false, xcache: null },
  { peer: 'next-const', name: "Next constant-JSON route", auth: false, xcache: null },
  { peer: 'start', name: '`npm start` HIT', auth: true, xcache: 'HIT' },
  { peer: 'start-off', name: '`npm start` FAST_PATH=off HIT', auth: true, xcache: 'HIT' },
];

interface Layout {
  title: string;
  procs: number;
  /** cpu list for servers and for the load generator; null = unpinned */
  serverCpus: string | null;
  loadCpus: string | null;
  portBase: number;
}

function startServer(peer: Peer, port: number, layout: Layout): ChildProcess {
  const script = peer === 'next-const' ? nextConstArgv(ROOT, port) : [path.join(ROOT, 'bench/api/peer-http.mjs')];
  const own = peer === 'start' || peer === 'start-off'; // `npm start` makes its own workers from WEB_CONCURRENCY
  const node = own ? serverArgv(ROOT) : layout.procs === 1 ? script : [path.join(ROOT, 'bench/api/cluster.mjs'), String(layout.procs), ...script];
  const childEnv = { ...env, PORT: String(port), HOST: '127.0.0.1', WEB_CONCURRENCY: String(layout.procs), BENCH_MODE: peer, ...(peer === 'start-off' && { FAST_PATH: 'off' }) };
  // The servers' logs (warn and up) go to a file beside the results: where to look when a row FAILED.
  const stdio: StdioOptions = ['ignore', openSync(path.join(OUT, `${peer}-${layout.procs}.log`), 'w'), 'inherit'];
  const child = layout.serverCpus ? spawn('taskset', ['-c', layout.serverCpus, process.execPath, ...node], { env: childEnv, stdio }) : spawn(process.execPath, node, { env: childEnv, stdio });
  children.push(child);
  return child;
}

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}
function rawGet(port: number, headers: Record<string, string>): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: PATH, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}
async function ready(port: number, headers: Record<string, string>): Promise<void> {
  for (let i = 0; i < 600; i++) {
    try {
      const r = await rawGet(port, headers);
      if (r.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server on ${port} did not start`);
}

// --- the load generator ------------------------------------------------------------------------------------
interface Expect {
  status: number;
  bytes: number;
  xcache: string | null;
  encoding: string | null;
}
interface LoadResult {
  rps: number;
  requests: number;
  p50: number;
  p99: number;
  errors: number;
  checked: number;
  mismatches: number;
  examples: unknown[];
  ticks: number;
}
function startLoad(cpus: string | null): Promise<ChildProcess> {
  const child = fork(path.join(ROOT, 'bench/api/load.mjs'), [], { stdio: 'inherit' });
  children.push(child);
  // -a: every thread of the process (libuv's pool, GC helpers), not only the main one.
  spawnSync('taskset', ['-a', '-pc', cpus ?? `0-${os.cpus().length - 1}`, String(child.pid)], { stdio: 'ignore' });
  return new Promise((resolve) => child.once('message', () => resolve(child)));
}
function load(gen: ChildProcess, job: { url: string; headers: Record<string, string>; seconds: number; connections: number; expect: Expect }): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    gen.once('message', (m: { ok: boolean; result: LoadResult; error: string }) => (m.ok ? resolve(m.result) : reject(new Error(m.error))));
    gen.send(job);
  });
}

// --- one table ---------------------------------------------------------------------------------------------
interface Scenario {
  name: string;
  gzip: boolean;
  peer: Peer;
  port: number;
  headers: Record<string, string>;
  expect: Expect;
  pid: number;
  procs: number;
  rps: number[];
  p50: number[];
  p99: number[];
  requests: number;
  serverTicks: number;
  redisTicks: number;
  loadTicks: number;
  checked: number;
  mismatches: number;
  errors: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const header = (h: Raw['headers'], name: string) => (h[name] === undefined ? null : String(h[name]));

async function runTable(layout: Layout): Promise<Scenario[]> {
  console.log(`\n== ${layout.title}`);
  const auth = { authorization: `Bearer ${key}` };
  const servers = new Map<Peer, ChildProcess>();
  // The product first: its answer is the body every peer sends.
  for (const [i, p] of ['start', 'start-off'].entries()) {
    servers.set(p as Peer, startServer(p as Peer, layout.portBase + 3 + i, layout));
    await ready(layout.portBase + 3 + i, auth);
  }
  await rawGet(layout.portBase + 3, auth); // makes sure the entry is filled (ready() sent the miss)
  const hit = await rawGet(layout.portBase + 3, auth);
  const gz = await rawGet(layout.portBase + 3, { ...auth, 'accept-encoding': 'gzip' });
  if (hit.status !== 200 || header(hit.headers, 'x-cache') !== 'HIT' || header(gz.headers, 'content-encoding') !== 'gzip') throw new Error(`npm start did not answer a gzip-able HIT: ${hit.status} ${header(hit.headers, 'x-cache')} ${header(gz.headers, 'content-encoding')}`);
  if (!gunzipSync(gz.body).equals(hit.body)) throw new Error('npm start: the gzip answer is not the identity answer compressed');
  writeFileSync(env.BENCH_BODY_FILE!, hit.body);
  writeFileSync(env.BENCH_GZIP_FILE!, gz.body);
  await redis.set(`${env.BENCH_REDIS_KEY}:identity`, hit.body);
  await redis.set(`${env.BENCH_REDIS_KEY}:gzip`, gz.body);
  for (const [i, p] of (['bare', 'redis', 'next-const'] as Peer[]).entries()) {
    servers.set(p, startServer(p, layout.portBase + i, layout));
    await ready(layout.portBase + i, {});
  }

  const scenarios: Scenario[] = [];
  for (const [i, def] of PEERS.entries()) {
    for (const gzip of [false, true]) {
      const port = layout.portBase + i;
      const headers = { ...(def.auth && auth), ...(gzip && { 'accept-encoding': 'gzip' }) };
      const first = await rawGet(port, headers);
      const body = header(first.headers, 'content-encoding') === 'gzip' ? gunzipSync(first.body) : first.body;
      if (first.status !== 200 || !body.equals(hit.body)) throw new Error(`${def.name}: not the product's answer (${first.status}, ${body.length} bytes)`);
      if (header(first.headers, 'x-cache') !== def.xcache) throw new Error(`${def.name}: X-Cache ${header(first.headers, 'x-cache')}`);
      const pid = servers.get(def.peer)!.pid!;
      scenarios.push({
        name: def.name,
        gzip,
        peer: def.peer,
        port,
        headers,
        expect: { status: 200, bytes: first.body.length, xcache: def.xcache, encoding: header(first.headers, 'content-encoding') },
        pid,
        procs: 0,
        rps: [],
        p50: [],
        p99: [],
        requests: 0,
        serverTicks: 0,
        redisTicks: 0,
        loadTicks: 0,
        checked: 0,
        mismatches: 0,
        errors: 0,
      });
    }
  }

  const gen = await startLoad(layout.loadCpus);
  const job = (s: Scenario, seconds: number) => ({ url: `http://127.0.0.1:${s.port}${PATH}`, headers: s.headers, seconds, connections: CONNECTIONS, expect: s.expect });
  // Warm-up (JIT, every worker's L1, connections), not recorded.
  for (const s of scenarios) await load(gen, job(s, 1));
  for (const s of scenarios) s.procs = servingProcesses(s.pid);
  for (let round = 0; round < ROUNDS; round++) {
    // Interleaved, and each round starts one scenario later, so a load swing on the shared machine is spread
    // over all scenarios instead of hitting the same one every time.
    const order = scenarios.map((_, i) => scenarios[(i + round) % scenarios.length]!);
    for (const s of order) {
      const server0 = treeTicks(s.pid);
      const redis0 = treeTicks(redisServer.pid!);
      const r = await load(gen, job(s, SECONDS));
      s.serverTicks += treeTicks(s.pid) - server0;
      s.redisTicks += treeTicks(redisServer.pid!) - redis0;
      s.loadTicks += r.ticks;
      s.rps.push(r.rps);
      s.p50.push(r.p50);
      s.p99.push(r.p99);
      s.requests += r.requests;
      s.checked += r.checked;
      s.mismatches += r.mismatches;
      s.errors += r.errors;
      if (r.mismatches) console.log(`  ${s.name}: ${r.mismatches} answers not as expected, e.g. ${JSON.stringify(r.examples)} (its log: bench/out/http/${s.peer}-${layout.procs}.log)`);
      console.log(`  round ${round + 1} ${`${s.name}${s.gzip ? ' gzip' : ''}`.padEnd(40)} ${Math.round(r.rps).toString().padStart(7)} req/s  p99 ${r.p99} ms`);
    }
  }
  gen.kill('SIGTERM');
  for (const c of servers.values()) c.kill('SIGTERM');
  await Promise.all([...servers.values()].map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))));
  return scenarios;
}

// --- report ------------------------------------------------------------------------------------------------
const us = (ticks: number, requests: number) => (requests ? ((ticks * 1e6) / CLK_TCK / requests).toFixed(1) : '—');
/** CPU time over wall time, in cores (1.00 = one core busy the whole time): near 1 for the generator, the row measures it. */
const busy = (ticks: number) => (ticks / CLK_TCK / (ROUNDS * SECONDS)).toFixed(2);
const failed = (s: Scenario) => s.mismatches > 0 || s.errors > 0 || s.checked === 0;

function table(rows: Scenario[]): string {
  const fmt = (x: number) => Math.round(x).toLocaleString('en');
  return [
    '| scenario | Accept-Encoding asked | sent as | bytes | processes | req/s median | min–max | p50 ms | p99 ms | server µs/req | Redis µs/req | generator µs/req | server / generator busy | answers checked | not as expected |',
    '|---|---|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---|---:|---:|',
    ...rows.map(
      (s) =>
        `| ${s.name} | ${s.gzip ? 'gzip' : '—'} | ${s.expect.encoding ?? 'identity'} | ${s.expect.bytes.toLocaleString('en')} | ${s.procs} | ${failed(s) ? 'FAILED' : fmt(median(s.rps))} | ${fmt(Math.min(...s.rps))}–${fmt(Math.max(...s.rps))} | ${median(s.p50)} | ${median(s.p99)} | ${us(s.serverTicks, s.requests)} | ${us(s.redisTicks, s.requests)} | ${us(s.loadTicks, s.requests)} | ${busy(s.serverTicks)} / ${busy(s.loadTicks)} | ${s.checked.toLocaleString('en')} | ${s.mismatches + s.errors} |`,
    ),
  ].join('\n');
}

function ratios(rows: Scenario[]): string {
  const find = (peer: Peer, gzip: boolean) => rows.find((s) => s.peer === peer && s.gzip === gzip)!;
  const line = (label: string, a: Scenario, b: Scenario, target: string) => {
    if (failed(a) || failed(b)) return `- ${label}: — (a scenario failed its checks)`;
    const byRate = median(a.rps) / median(b.rps);
    const byCpu = b.serverTicks / b.requests / (a.serverTicks / a.requests);
    return `- ${label}: **${byRate.toFixed(2)}×** by req/s, ${byCpu.toFixed(2)}× by server CPU per request (target ${target})`;
  };
  return [
    line('`npm start` HIT, gzip ÷ Next constant-JSON, gzip', find('start', true), find('next-const', true), '≥ 10×'),
    line('`npm start` HIT, gzip ÷ node:http + Redis GET, gzip', find('start', true), find('redis', true), '≥ 0.8×'),
    line('`FAST_PATH=off` HIT, gzip ÷ Next constant-JSON, gzip', find('start-off', true), find('next-const', true), '≥ 0.95×'),
    line('`npm start` HIT, identity ÷ node:http + Redis GET, identity', find('start', false), find('redis', false), 'none; for reading'),
  ].join('\n');
}

const layouts: Layout[] = [{ title: 'One core each: servers 1 process on core 0, load generator on core 1', procs: 1, serverCpus: '0', loadCpus: '1', portBase: PORT_BASE }];
if (process.env.BENCH_BOTH_CORES !== '0') layouts.push({ title: 'Both cores: servers 2 processes each, nothing pinned', procs: 2, serverCpus: null, loadCpus: null, portBase: PORT_BASE + 10 });
const results: { layout: Layout; rows: Scenario[] }[] = [];
for (const layout of layouts) results.push({ layout, rows: await runTable(layout) });
redis.disconnect();
stopAll();

const sections = results.map(({ layout, rows }) => [`### ${layout.title}`, '', table(rows), '', 'Ratios, measured in this run:', '', ratios(rows)].join('\n'));
if (layouts.length === 1) sections.push('### Both cores\n\nNot run this time (BENCH_BOTH_CORES=0).');
const section = `<!-- api:start -->
## Cached API answer over HTTP (\`npm run bench\`${QUICK ? ', BENCH_QUICK=1: a check of the script, not a measurement' : ''})

Written by bench/api-hit.bench.ts; bench/README.md says how to read it. Run ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC at ${info.sha}, build of ${builtAt.toISOString().slice(0, 16).replace('T', ' ')} UTC; ${info.cpu}; Node ${info.node}; load average (1/5/15 min) ${loadAtStart} at the start, ${info.load()} at the end. \`GET ${PATH.replace(String(ID), '{id}')}\` (${readFileSync(env.BENCH_BODY_FILE!).length} B JSON, ${readFileSync(env.BENCH_GZIP_FILE!).length} B gzip), autocannon closed loop, ${CONNECTIONS} connections, ${ROUNDS} interleaved round${ROUNDS > 1 ? 's' : ''} of ${SECONDS} s per scenario; private redis-server, unpinned.

${sections.join('\n\n')}
<!-- api:end -->`;
console.log(`\n${section}`);
writeResultsSection('api', section);
process.exit(results.some(({ rows }) => rows.some(failed)) ? 1 : 0);
