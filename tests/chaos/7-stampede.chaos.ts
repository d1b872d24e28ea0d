import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AppInstance } from './support/app-instance';
import { is2xx, latency, percentile, printFigures, statusMix } from './support/figures';
import { read } from './support/requests';
import { startStack, type Stack } from './support/stack';

// 1,000 requests at the same instant for one key nobody has read, half on each instance.
const REQUESTS = 1_000;

// /metrics is off without a token; the computations are read from it.
const METRICS_TOKEN = 'chaos-only-metrics-token-0123456789';

let s: Stack;
beforeAll(async () => void (s = await startStack('stampede', { maxSockets: REQUESTS, env: { METRICS_TOKEN } })));
afterAll(() => s?.stop());

/** How many times this instance has computed an analytics answer (its factory-duration histogram count). */
async function computations(app: AppInstance): Promise<number> {
  const res = await fetch(`${app.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  // Read as 0 otherwise, and the checks below would hold whatever happened.
  if (res.status !== 200) throw new Error(`/metrics on ${app.name} answered ${res.status}`);
  const text = await res.text();
  const m = /^mizaj_cache_factory_duration_seconds_count\{category="analytics"\} (\d+)$/m.exec(text);
  return m ? Number(m[1]) : 0;
}

it('7 stampede: 1,000 concurrent requests on one cold key across two instances compute it at most once per instance, all answers identical', async () => {
  const [warm, cold] = s.targets;
  // The API key's identity cached on both instances, so only the analytics answer is cold.
  await s.load.run([s.A, s.B].map((app, i) => ({ ...read(app, s.key, 'recommendation', warm!.rec), at: i }))).results;
  const before = { A: await computations(s.A), B: await computations(s.B) };
  await s.sql`select pg_stat_statements_reset()`;
  const results = await s.load.run(Array.from({ length: REQUESTS }, (_, n) => ({ ...read(n % 2 ? s.B : s.A, s.key, 'analytics', cold!.rec), hashBody: true, at: 0 }))).results;
  const computed = { A: (await computations(s.A)) - before.A, B: (await computations(s.B)) - before.B };
  // The analytics statement (one per computation, lib/domain/analytics/recommendation-analytics.ts: the only one
  // that reads feedback_stats while nothing is written), as PostgreSQL counted it.
  const [db] = await s.sql<{ calls: number }[]>`select coalesce(sum(calls), 0)::int as calls from pg_stat_statements where query ilike '%feedback_stats%'`;
  const bodies = new Set(results.filter(is2xx).map((r) => r.bodyHash));
  const figures = {
    requests: results.length,
    status: statusMix(results),
    computed_A: computed.A,
    computed_B: computed.B,
    db_queries: db!.calls,
    distinct_bodies: bodies.size,
    p50_ms: Math.round(percentile(results.map(latency), 50)),
    p99_ms: Math.round(percentile(results.map(latency), 99)),
  };
  printFigures('7 stampede', figures);

  expect.soft(figures.status, 'every request answered 200').toBe(`200×${REQUESTS}`);
  // The key was cold: someone computed it, and the counters below can see it.
  expect.soft(computed.A + computed.B, 'computations on A and B').toBeGreaterThanOrEqual(1);
  expect.soft(db!.calls, 'analytics queries run in PostgreSQL').toBeGreaterThanOrEqual(1);
  expect.soft(computed.A, 'computations on A').toBeLessThanOrEqual(1);
  expect.soft(computed.B, 'computations on B').toBeLessThanOrEqual(1);
  expect.soft(db!.calls, 'analytics queries run in PostgreSQL').toBeLessThanOrEqual(2);
  expect.soft(bodies.size, 'distinct answers').toBe(1);
});
