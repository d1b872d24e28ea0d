import { afterAll, beforeAll, expect, it } from 'vitest';
import { schedule } from './load/load-client';
import { feedbackCounts, is2xx, parseTag, printFigures, sleepUntil, staleReads, statusMix } from './support/figures';
import { read, tokenFor, write } from './support/requests';
import { startStack, type Stack } from './support/stack';

// A commits writes it cannot apply to Redis (its Redis connection is cut), and is SIGKILLed the moment it
// has answered: only the database knows what those writes invalidate. B must apply it within 1 s.
const WRITES = 3;
const READ_RATE = 60;
const READ_MS = 6_000;
const WRITE_AT = 1_000;

let s: Stack;
beforeAll(async () => void (s = await startStack('writer-killed', { proxyA: true })));
afterAll(() => s?.stop());

it('3 writer SIGKILLed after commit, before applying the invalidation: B applies it within 1 s, no stale read after', async () => {
  const targets = s.targets.slice(0, WRITES);
  await s.load.run(targets.flatMap((t, i) => [0, 1].map((k) => ({ ...read(s.B, s.key, 'summary', t.rec), at: i * 10 + k * 200 })))).results;
  const baseline = await feedbackCounts(s.sql);

  const reads = s.load.run(schedule(READ_RATE, READ_MS, (n) => read(s.B, s.key, 'summary', targets[n % WRITES]!.rec)));
  const t0 = await reads.t0;
  await s.proxyA!.cut();
  await sleepUntil(t0 + WRITE_AT);
  const writes = await s.load.run(targets.map((t, i) => ({ ...write(s.A, s.key, t, tokenFor('s3', i)), at: 0 }))).results;
  s.A.signal('SIGKILL');
  const killedAt = Date.now();
  const results = await reads.results;

  // Judged against what reached the database, acknowledged or not: the kill came after the commit.
  const rows = await s.sql<{ rec: number }[]>`select recommendation_id as rec from feedback where comment like 'chaos:s3:%'`;
  const committed = new Map<number, number[]>();
  for (const r of rows) committed.set(r.rec, [...(committed.get(r.rec) ?? []), killedAt]);
  const stale = staleReads(results, baseline, committed);
  const fresh = results.filter((r) => r.sent >= killedAt && is2xx(r) && !stale.includes(r));
  // When each recommendation's new count first showed on B, after the kill (∞ if it never did).
  const appliedMs = Math.max(
    ...targets.map((t) => {
      const lastStale = Math.max(killedAt, ...stale.filter((r) => parseTag(r).rec === t.rec).map((r) => r.end));
      const first = fresh.find((r) => parseTag(r).rec === t.rec && r.sent >= lastStale);
      return first ? Math.round(first.end - killedAt) : Infinity;
    }),
  );
  const figures = {
    write_status: statusMix(writes),
    committed: rows.length,
    reads: results.length,
    reads_failed: results.filter((r) => !is2xx(r)).length,
    applied_on_B_ms: appliedMs,
    stale_after_1s: stale.filter((r) => r.sent >= killedAt + 1_000).length,
  };
  printFigures('3 writer-killed', figures);

  expect(rows.length, 'the writes committed before the kill').toBe(WRITES);
  expect.soft(figures.applied_on_B_ms, 'ms from the kill until B serves the new count').toBeLessThanOrEqual(1_000);
  expect.soft(figures.stale_after_1s, 'stale reads on B more than 1 s after the kill').toBe(0);
});
