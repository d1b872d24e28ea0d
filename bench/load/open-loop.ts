/**
 * Open-loop load generator (run as its own process, pinned with taskset by bench/load.bench.ts):
 *   node --import tsx bench/load/open-loop.ts <plan.json>
 *
 * Request i is *scheduled* at start + i/rate whatever happened to the requests before it, and its latency is
 * counted from that scheduled time, so a server stall shows up as latency of every request that should have
 * been sent during it (no coordinated omission, unlike a closed loop where a stalled connection stops sending).
 * node:http with a keep-alive pool: no dependency, and the per-request cost stays small next to the server's.
 *
 * Writes one record per request to plan.out (Float64Array, RECORD fields each, open-loop-format.ts) for the
 * parent to analyse, and prints one JSON line (lag of the generator itself, purge time if any).
 */
import { Agent, request } from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import { CACHE_CODE, RECORD, WRITE_ROUTE, type Plan } from './open-loop-format';
import { prng, zipf } from './zipf';

const plan = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as Plan;
const total = Math.round(plan.rate * plan.seconds);
const records = new Float64Array(total * RECORD);
// Idle sockets dropped after 4 s, before the server's keep-alive timeout (5 s): without it node's agent reuses a
// socket the server has just closed (ECONNRESET, counted as a failed request: status 0). tests/chaos/load/generator.ts.
const agent = new Agent({ keepAlive: true, maxSockets: plan.maxSockets ?? 256, timeout: 4_000 });
const random = prng(plan.seed);
const samplers = plan.routes.map((r) => zipf(r.ids.length, 1, random));
const writeSampler = plan.writes ? zipf(plan.writes.diagnoses.length, 1, random) : undefined;
const timeoutMs = plan.timeoutMs ?? 10_000;
let done = 0;
let maxLagMs = 0;
/**
 * Requests sent and not finished. Past MAX_PENDING (far beyond the pool's 256 sockets) a request is not sent:
 * an overloaded server would leave it queued in this process, unanswered within the timeout anyway, and at
 * tens of thousands of requests a second the queue alone exhausted this process's memory. It counts as
 * failed at the end of the phase, with its latency so far, like any request still open then.
 */
const MAX_PENDING = 50_000;
let pending = 0;
let notSent = 0;

type Req = { method: 'GET' | 'POST'; path: string; route: number; item: number; key: string; body?: string; idem?: string };

function pick(i: number): Req {
  const key = plan.keys[Math.floor(random() * plan.keys.length)]!;
  if (plan.writes && writeSampler && random() < plan.writeFraction) {
    const w = plan.writes;
    const d = writeSampler();
    const recs = w.recsByCondition[String(w.conditionOf[d])]!;
    const body = {
      recommendationId: recs[Math.floor(random() * recs.length)],
      diagnosisId: w.diagnoses[d],
      rating: 1 + Math.floor(random() * 5),
      adherence: Math.floor(random() * 101),
      sideEffects: null,
      comment: null,
    };
    return { method: 'POST', path: '/api/feedback/submit', route: WRITE_ROUTE, item: -1, key, body: JSON.stringify(body), idem: `${plan.seed}-${i}` };
  }
  const r = Math.floor(random() * plan.routes.length);
  const route = plan.routes[r]!;
  const item = samplers[r]!();
  return { method: 'GET', path: route.template.replace('{id}', String(route.ids[item])), route: r, item, key };
}

function send(i: number, scheduled: number, startedEpoch: number) {
  const q = pick(i);
  const at = i * RECORD;
  records[at] = startedEpoch;
  records[at + 4] = q.route;
  records[at + 5] = -1;
  records[at + 7] = q.item;
  if (pending >= MAX_PENDING) {
    notSent++;
    return;
  }
  pending++;
  const headers: Record<string, string> = { authorization: `Bearer ${q.key}`, 'accept-encoding': 'gzip' };
  if (q.body) {
    headers['content-type'] = 'application/json';
    headers['idempotency-key'] = `bench-load-${q.idem}-${startedEpoch}`;
  }
  const finish = (status: number, bytesOk: boolean) => {
    if (records[at + 1] !== 0) return; // already finished (error after response)
    pending--;
    records[at + 1] = Math.max(performance.now() - scheduled, 1e-6);
    records[at + 2] = status;
    records[at + 6] = bytesOk ? 1 : 0;
    if (++done === total) void end();
  };
  const req = request({ agent, host: '127.0.0.1', port: plan.port, method: q.method, path: q.path, headers }, (res) => {
    const x = res.headers['x-cache'];
    records[at + 3] = x === 'HIT' ? CACHE_CODE.HIT : x === 'STALE' ? CACHE_CODE.STALE : x === 'MISS' ? CACHE_CODE.MISS : CACHE_CODE.none;
    const timing = res.headers['server-timing'];
    const db = typeof timing === 'string' ? /(?:^|,\s*)db;dur=([\d.]+)/.exec(timing) : null;
    if (db) records[at + 5] = Number(db[1]);
    const expected = res.headers['content-length'] === undefined ? -1 : Number(res.headers['content-length']);
    records[at + 8] = expected < 0 ? 1 : 0;
    let bytes = 0;
    res.on('data', (c: Buffer) => (bytes += c.length));
    res.on('end', () => finish(res.statusCode ?? 0, expected < 0 || bytes === expected));
    res.on('error', () => finish(0, false));
  });
  req.setTimeout(timeoutMs, () => req.destroy(new Error('timeout')));
  req.on('error', () => finish(0, false));
  req.end(q.body);
}

/** status -1: sent, no answer yet. */
let purge: { sentAt: number; status: number; ms: number } | undefined;
let purgeAnswered: () => void = () => {};

/**
 * The admin purge, sent from here so its time is on the same clock as the schedule, on a connection of its
 * own (agent: false) so it does not queue behind the load in the pool.
 */
function sendPurge(p: NonNullable<Plan['purge']>) {
  const sentAt = performance.now();
  purge = { sentAt: epochOf(sentAt), status: -1, ms: NaN };
  const answered = (status: number) => {
    purge = { sentAt: epochOf(sentAt), status, ms: performance.now() - sentAt };
    purgeAnswered();
  };
  const req = request(
    { agent: false, host: '127.0.0.1', port: plan.port, method: 'POST', path: '/api/cache/invalidate', headers: { cookie: p.cookie, 'content-type': 'application/json', 'sec-fetch-site': 'same-origin' } },
    (res) => {
      res.resume();
      res.on('end', () => answered(res.statusCode ?? 0));
    },
  );
  req.on('error', () => answered(0));
  req.end(JSON.stringify({ category: p.category }));
}

let ended = false;
async function end() {
  if (ended) return;
  ended = true;
  // The purge's answer says whether it happened: wait for it a while longer than for the load.
  if (purge?.status === -1) await new Promise<void>((resolve) => ((purgeAnswered = resolve), setTimeout(resolve, timeoutMs)));
  writeFileSync(plan.out, Buffer.from(records.buffer));
  process.stdout.write(JSON.stringify({ sent: total - notSent, notSent, maxGeneratorLagMs: Math.round(maxLagMs * 100) / 100, purge }) + '\n');
  agent.destroy();
  process.exit(0);
}

// Start a little later so the process is warm; times are kept on the monotonic clock, reported as epoch ms.
const t0 = performance.now() + 100;
const epochOf = (t: number) => performance.timeOrigin + t;
const interval = 1000 / plan.rate;
let next = 0;
function tick() {
  const now = performance.now();
  while (next < total && t0 + next * interval <= now) {
    const scheduled = t0 + next * interval;
    // Read per request: at high rates a tick sends many, and the last leaves after the others' sends.
    maxLagMs = Math.max(maxLagMs, performance.now() - scheduled);
    send(next, scheduled, epochOf(scheduled));
    next++;
  }
  // setTimeout's ~1 ms granularity: a request may leave up to ~1 ms late, and that counts against it (reported as lag).
  if (next < total) setTimeout(tick, Math.max(0, t0 + next * interval - performance.now()));
  // Not unref'd: requests not sent (MAX_PENDING) never finish, so once the sent ones have, nothing else would keep the
  // process alive until giveUp, and it would exit without writing its records.
  else setTimeout(giveUp, timeoutMs);
}

/**
 * An overloaded server leaves requests queued in the pool for ever; stop waiting `timeoutMs` after the last
 * scheduled send, so a run lasts its schedule + timeoutMs. What is still open counts as failed (status 0),
 * with its latency so far (a lower bound).
 */
function giveUp() {
  const now = epochOf(performance.now());
  for (let at = 0; at < records.length; at += RECORD) {
    if (records[at + 1] === 0) {
      records[at + 1] = now - records[at]!;
      records[at + 2] = 0;
    }
  }
  void end();
}
setTimeout(tick, Math.max(0, t0 - performance.now()));
if (plan.purge) setTimeout(() => sendPurge(plan.purge!), Math.max(0, t0 + plan.purge.atSeconds * 1000 - performance.now()));
