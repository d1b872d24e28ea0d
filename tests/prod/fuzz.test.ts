import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import pLimit from 'p-limit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { feedback } from '@/lib/db/schema';
import { requestArb, type FuzzRequest } from './fuzz-requests';
import { problemOf, raw, startProdServer, type Answer, type ProdServer } from './support';

/**
 * The fuzz suite (npm run test:fuzz): FUZZ_RUNS hostile requests (default 5,200) from a new seed each run,
 * split over two production servers (fast path on and off). Replay a failure with FUZZ_SEED=<seed>.
 * Asserts: no 5xx, only problem+json for /api errors, no personal data in answers to anonymous requests,
 * feedback rows written equal 201 answers, both servers alive and healthy at the end.
 */

const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : (Date.now() ^ (Math.random() * 0x7fffffff)) >>> 0;
const RUNS = Number(process.env.FUZZ_RUNS ?? 5_200);
const CONCURRENCY = 8;

const API_LIKE = /^\/api(?:$|[/?%;#])/;
const IMPLEMENTED = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

type Failure = { i: number; request: string; problem: string };

function identityHeaders(s: ProdServer, r: FuzzRequest): Record<string, string> {
  switch (r.who) {
    case 'read':
      return { Authorization: s.as.readKey };
    case 'write':
      return { Authorization: s.as.writeKey };
    case 'admin':
      return { Cookie: s.as.adminCookie };
    case 'unknown':
      return { Authorization: s.as.unknownKey };
    case 'junk':
      return { Authorization: 'Bearer \u00ff\u00fe', Cookie: 'mizaj_session=%00; mizaj_session=x' };
    default:
      return {};
  }
}

/** The target as bytes on the wire: characters past Latin-1 go out as raw UTF-8. */
const wire = (target: string) => Buffer.from(target, 'utf8').toString('latin1');

function describeRequest(r: FuzzRequest): string {
  const body = r.body ? (r.body.kind === 'big' ? `<${r.body.bytes} bytes>` : JSON.stringify(r.body.text.slice(0, 120))) : '';
  return `${r.method} ${JSON.stringify(r.target.slice(0, 160))} as ${r.who} ${JSON.stringify(r.headers).slice(0, 160)} ${body}`;
}

function check(s: ProdServer, r: FuzzRequest, a: Answer): string | undefined {
  // 501 is the one 5xx a request earns: a method nobody here implements.
  if (a.status >= 500 && !(a.status === 501 && !IMPLEMENTED.has(r.method))) return `status ${a.status}: ${a.body.slice(0, 200)}`;
  if (!Number.isInteger(a.status) || a.status < 100) return `no status line`;
  const path = r.target.split('?')[0]!;
  const type = String(a.headers['content-type'] ?? '');
  if (API_LIKE.test(path) && r.method.toUpperCase() !== 'HEAD') {
    if (type.startsWith('text/html')) return `HTML under /api (${a.status})`;
    if (a.status >= 400 && !problemOf(a)) return `${a.status} under /api is not problem+json (${type})`;
  }
  if (r.who === 'anonymous' || r.who === 'junk' || r.who === 'unknown') {
    const leaked = s.pii.find((p) => a.body.includes(p));
    if (leaked) return `anonymous answer carries personal data (${leaked.length} chars)`;
  }
  return undefined;
}

type Pair = { recommendationId: number; diagnosisId: number };

function bodyText(r: FuzzRequest, pairs: Pair[]): string {
  if (r.body?.kind !== 'text') return '';
  if (r.pair === undefined) return r.body.text;
  return JSON.stringify({ ...pairs[r.pair % pairs.length], ...(JSON.parse(r.body.text) as object) });
}

async function sendOne(s: ProdServer, r: FuzzRequest, pairs: Pair[]): Promise<Answer> {
  const body = r.body === undefined ? undefined : r.body.kind === 'big' ? Buffer.alloc(r.body.bytes, 'x') : Buffer.from(bodyText(r, pairs), 'utf8');
  return raw(s, r.method, wire(r.target), { headers: { ...r.headers, ...identityHeaders(s, r) }, body });
}

/** (recommendation, diagnosis) pairs of the same condition: feedback that can be stored. */
const feedbackPairs = async (s: ProdServer): Promise<Pair[]> =>
  (await s.db.db.execute(sql`select r.id as "recommendationId", d.id as "diagnosisId" from diagnoses d join recommendations r on r.condition_id = d.condition_id order by d.id, r.id limit 500`)) as unknown as Pair[];

const countFeedback = async (s: ProdServer) => (await s.db.db.select({ n: sql<number>`count(*)::int` }).from(feedback))[0]!.n;

describe(`fuzz (seed ${SEED}, ${RUNS} requests)`, () => {
  const servers: ProdServer[] = [];
  beforeAll(async () => {
    console.log(`fuzz seed: ${SEED} — replay with FUZZ_SEED=${SEED} npm run test:fuzz`);
    servers.push(...(await Promise.all([startProdServer({ name: 'fuzz-fast', fastPath: true }), startProdServer({ name: 'fuzz-next', fastPath: false })])));
  }, 240_000);
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
  });

  it('no 5xx, problem+json under /api, nothing personal to anonymous callers, rows match answers, servers healthy', async () => {
    const requests = fc.sample(requestArb, { seed: SEED, numRuns: RUNS });
    const pairs = await Promise.all(servers.map(feedbackPairs));
    const before = await Promise.all(servers.map(countFeedback));
    const created = servers.map(() => 0);
    const failures: Failure[] = [];
    const statuses = new Map<number, number>();
    const limit = pLimit(CONCURRENCY);
    await Promise.all(
      requests.map((r, i) =>
        limit(async () => {
          const at = i % servers.length;
          const s = servers[at]!;
          let a: Answer;
          try {
            a = await sendOne(s, r, pairs[at]!);
          } catch (error) {
            // A big body may be cut off once its 413 is sent; anything else is a failure.
            if (r.body?.kind === 'big' && /EPIPE|ECONNRESET/.test(String(error))) return;
            failures.push({ i, request: describeRequest(r), problem: `no answer: ${String(error).slice(0, 200)}` });
            return;
          }
          statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
          if (a.status === 201 && r.method === 'POST' && r.target.split('?')[0] === '/api/feedback/submit') created[at]!++;
          const problem = check(s, r, a);
          if (problem) failures.push({ i, request: describeRequest(r), problem });
        }),
      ),
    );
    console.log(`fuzz seed ${SEED}: ${requests.length} requests, statuses ${JSON.stringify(Object.fromEntries([...statuses].sort((x, y) => x[0] - y[0])))}`);
    if (failures.length) console.log(`fuzz seed ${SEED} failures:\n${failures.slice(0, 30).map((f) => `#${f.i} ${f.problem}\n    ${f.request}`).join('\n')}`);
    expect(failures.map((f) => `#${f.i} ${f.problem}`).slice(0, 20), `seed ${SEED}`).toEqual([]);
    const after = await Promise.all(servers.map(countFeedback));
    expect(after.map((n, k) => n - before[k]!), 'feedback rows written = 201 answers').toEqual(created);
    for (const s of servers) {
      expect(s.alive()).toBe(true);
      const health = await raw(s, 'GET', '/api/health');
      expect(health.status).toBe(200);
    }
  }, 600_000);
});
