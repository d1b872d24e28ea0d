/**
 * npm run bench:fast-path — the CPU of our own code per cached answer, called in this process without HTTP or Next:
 * `GET /api/analytics/recommendation/3` with an API key and `Accept-Encoding: gzip`.
 *
 * - the fast path (`serveFromCache`) answering into a response object that only counts: from L1, and with the entry
 *   read from Redis (its L1 copy dropped before each call; the identity stays in L1, as for a hot key), 16 in flight;
 * - a bare ioredis GET of the same stored entry, 16 in flight: the floor of a Redis read from this process;
 * - Next's route handler for the path (app/api/[...path]: the catch-all dispatch, the route wrapper, the cached
 *   answer) called as Next calls it, on one reused Request, from L1.
 *
 * Each row is measured twice: first as is, then with an AsyncLocalStorage active, as in `npm start`, where Next's
 * makes Node 20 run promise hooks on every promise in the process. Against `npm run bench`'s server CPU per HIT,
 * the rest of that figure is node:http (parsing, the answer's headers, the socket) and Next. Prints; writes nothing.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { seededDatabase, privateRedis } from './api/setup';

const ROUNDS = 5;
const IN_FLIGHT = 16;
const PREFIX = 'mizaj-bench-fast-path';
const PATH = '/api/analytics/recommendation/3';

const { url, key } = await seededDatabase('mizaj_bench_fast_path');
const redis = await privateRedis(Number(process.env.BENCH_PORT_BASE ?? 3300) + 45);
process.on('exit', () => redis.process.kill('SIGTERM'));
Object.assign(process.env, {
  DATABASE_URL: url,
  REDIS_URL: redis.url,
  CACHE_PREFIX: PREFIX,
  CACHE_ENCRYPTION_KEYS: 'YmVuY2gtb25seS1jYWNoZS1rZXktMDEyMzQ1Njc4OWE=',
  SESSION_SECRET: 'bench-only-session-secret-0123456789abcdef',
  LOG_LEVEL: 'warn',
});
const { serveFromCache } = await import('@/lib/json-api/fast-path');
const { resourceRoutes } = await import('@/lib/json-api/resource-routes');
const { getCache } = await import('@/lib/cache');

const headers = { host: '127.0.0.1', authorization: `Bearer ${key}`, 'accept-encoding': 'gzip' };
const req = { method: 'GET', url: PATH, headers } as never;
let answered = 0;
const res = {
  writeHead() {
    return this;
  },
  end() {
    answered++;
  },
} as never;

// The first calls go to Redis and the database and fill L1 (the identity and the entry); then every call is an L1 HIT.
for (let i = 0; i < 20 && serveFromCache(req, res) !== true; i++) await new Promise((r) => setTimeout(r, 50));
if (serveFromCache(req, res) !== true) throw new Error('no synchronous L1 HIT: the fast path did not answer from L1');

// The L1 is the cache's own; only this benchmark reaches into it, to make every call read the entry from Redis.
const l1 = (getCache() as unknown as { coherence: { l1: { invalidate(tags: string[], categories: string[], keys: string[]): void } } }).coherence.l1;
// The entry's key, the same in L1 and in Redis.
const entryKey = [...(l1 as unknown as { lru: Map<string, unknown> }).lru.keys()].find((k) => k.includes(':analytics:'));
if (!entryKey || (await redis.client.exists(entryKey)) !== 1) throw new Error('the entry is not in L1 and Redis');

const request = new Request(`http://127.0.0.1${PATH}`, { headers });
const nextCtx = { params: Promise.resolve({ path: PATH.split('/').slice(2) }) };

type Row = { name: string; calls: number; run: (calls: number) => void | Promise<void> };
const ROWS: Row[] = [
  {
    name: 'fast path, L1 HIT',
    calls: 200_000,
    run(calls) {
      for (let i = 0; i < calls; i++) if (serveFromCache(req, res) !== true) throw new Error('not an L1 HIT');
    },
  },
  {
    name: 'fast path, entry read from Redis',
    calls: 20_000,
    run: (calls) =>
      inFlight(calls, async () => {
        l1.invalidate([], [], [entryKey]);
        const served = serveFromCache(req, res);
        if (served === true) throw new Error('answered from L1: the entry was not dropped from it');
        if ((await served) !== true) throw new Error('not answered');
      }),
  },
  {
    name: 'bare ioredis GET of the entry',
    calls: 20_000,
    run: (calls) =>
      inFlight(calls, async () => {
        if ((await redis.client.getBuffer(entryKey)) === null) throw new Error('no entry');
      }),
  },
  {
    name: 'route handler (no Next), L1 HIT',
    calls: 50_000,
    run: (calls) =>
      inFlight(calls, async () => {
        const r = await resourceRoutes.GET(request, nextCtx);
        if (r.headers.get('x-cache') !== 'HIT') throw new Error(`route handler answered ${r.status} ${r.headers.get('x-cache')}`);
      }),
  },
];

async function inFlight(calls: number, one: () => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next++ < calls) await one();
    }),
  );
}

async function measure(row: Row): Promise<number[]> {
  await row.run(Math.min(row.calls, 5_000)); // warm-up: JIT, connections
  const perCall: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const cpu = process.cpuUsage();
    await row.run(row.calls);
    const used = process.cpuUsage(cpu);
    perCall.push((used.user + used.system) / row.calls);
  }
  return perCall.sort((a, b) => a - b);
}

const fmt = (p: number[]) => `${p[Math.floor(ROUNDS / 2)]!.toFixed(2)} µs (${p[0]!.toFixed(2)}–${p[ROUNDS - 1]!.toFixed(2)})`;
const plain = new Map<string, number[]>();
for (const row of ROWS) plain.set(row.name, await measure(row));
// As in npm start: Next's AsyncLocalStorage makes Node 20 run promise hooks for every promise of the process.
const als = new AsyncLocalStorage<object>();
const withHooks = new Map<string, number[]>();
await als.run({}, async () => {
  for (const row of ROWS) withHooks.set(row.name, await measure(row));
});
if (answered === 0) throw new Error('nothing answered');

console.log(`CPU per call, median of ${ROUNDS} rounds (min–max); Redis rows ${IN_FLIGHT} in flight; ${PATH}, Accept-Encoding: gzip\n`);
console.log(`| call | as is | with an AsyncLocalStorage active (npm start) |\n|---|---:|---:|`);
for (const row of ROWS) console.log(`| ${row.name} | ${fmt(plain.get(row.name)!)} | ${fmt(withHooks.get(row.name)!)} |`);
redis.client.disconnect();
process.exit(0);
