/**
 * npm run bench:fast-path — the CPU of the fast path's own code on an L1 HIT, called in this process without
 * HTTP: `serveFromCache` on a request object for `GET /api/analytics/recommendation/3` with an API key and
 * `Accept-Encoding: gzip`, answering into a response object that only counts. Next is not loaded here, so no
 * AsyncLocalStorage hooks run. Against `npm run bench`'s server CPU per HIT, the rest of that figure is
 * node:http (parsing, the answer's headers, the socket) and the promise hooks Next's AsyncLocalStorage
 * installs in the server process. Prints; writes nothing.
 */
import { seededDatabase, privateRedis } from './api/setup';

const CALLS = 200_000;
const ROUNDS = 5;

const { url, key } = await seededDatabase('mizaj_bench_fast_path');
const redis = await privateRedis(Number(process.env.BENCH_PORT_BASE ?? 3300) + 45);
redis.client.disconnect();
Object.assign(process.env, {
  DATABASE_URL: url,
  REDIS_URL: redis.url,
  CACHE_PREFIX: 'mizaj-bench-fast-path',
  CACHE_ENCRYPTION_KEYS: 'YmVuY2gtb25seS1jYWNoZS1rZXktMDEyMzQ1Njc4OWE=',
  SESSION_SECRET: 'bench-only-session-secret-0123456789abcdef',
  LOG_LEVEL: 'warn',
});
const { serveFromCache } = await import('@/lib/json-api/fast-path');

const req = { method: 'GET', url: '/api/analytics/recommendation/3', headers: { host: '127.0.0.1', authorization: `Bearer ${key}`, 'accept-encoding': 'gzip' } } as never;
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

const perCall: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  const before = answered;
  const cpu = process.cpuUsage();
  for (let i = 0; i < CALLS; i++) serveFromCache(req, res);
  const used = process.cpuUsage(cpu);
  if (answered - before !== CALLS) throw new Error(`answered ${answered - before} of ${CALLS}`);
  perCall.push((used.user + used.system) / CALLS);
}
perCall.sort((a, b) => a - b);
console.log(
  `serveFromCache, L1 HIT, in process: ${perCall[Math.floor(ROUNDS / 2)]!.toFixed(2)} µs CPU per call (median of ${ROUNDS} rounds of ${CALLS.toLocaleString('en')}; min ${perCall[0]!.toFixed(2)}, max ${perCall[ROUNDS - 1]!.toFixed(2)})`,
);
redis.process.kill('SIGTERM');
process.exit(0);
