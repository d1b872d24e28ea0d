import { afterAll, beforeAll, expect, it } from 'vitest';
import { schedule } from './load/load-client';
import { feedbackCounts, hitRate, is2xx, isWrite, ledgerFigures, notExactlyOnce, p99, printFailed, printFigures, scheduledIn, sleepUntil, staleReads, statusMix, writeLedger } from './support/figures';
import { mixedRead, tokenFor, write } from './support/requests';
import { startStack, type Stack } from './support/stack';

// Redis SIGKILLed for 10 s under 200 reads/s + 10 writes/s on two instances, then restarted (empty).
const PRE = 5_000;
const OUTAGE = 10_000;
const POST = 12_000;

let s: Stack;
beforeAll(async () => void (s = await startStack('redis-kill')));
afterAll(() => s?.stop());

it('1 Redis SIGKILL for 10 s: no failed read or write, writes exactly once, p99 ≤ 250 ms, no stale read and ≥ 80 % hits after restart', async () => {
  const readTargets = s.targets.slice(0, 40);
  const writeTargets = readTargets.slice(0, 4);
  const apps = [s.A, s.B];
  const readAt = (n: number) => mixedRead(apps, s.key, readTargets, n);
  // Every key on both instances cached before the fault.
  await s.load.run(schedule(200, (readTargets.length * 6 * 1000) / 200, readAt)).results;
  const baseline = await feedbackCounts(s.sql);

  const total = PRE + OUTAGE + POST;
  const run = s.load.run([
    ...schedule(200, total, (n) => readAt(n * 7)),
    ...schedule(10, total, (n) => write(apps[n % 2]!, s.key, writeTargets[n % writeTargets.length]!, tokenFor('s1', n))),
  ]);
  const t0 = await run.t0;
  await sleepUntil(t0 + PRE);
  const killedAt = Date.now();
  await s.redis.stop();
  await sleepUntil(t0 + PRE + OUTAGE);
  await s.redis.startProcess();
  const restartedAt = Date.now();
  const results = await run.results;

  const reads = results.filter((r) => !isWrite(r));
  const outage = reads.filter(scheduledIn(killedAt, restartedAt));
  const recovered = reads.filter(scheduledIn(restartedAt + 8_000, restartedAt + 10_000));
  const ledger = await writeLedger(s.sql, results);
  const stale = staleReads(results, baseline);
  const staleAfter = stale.filter((r) => r.sent >= restartedAt);
  const figures = {
    reads: reads.length,
    reads_failed: reads.filter((r) => !is2xx(r)).length,
    read_status: statusMix(reads),
    p99_ms: p99(reads),
    p99_outage_ms: p99(outage),
    ...ledgerFigures(ledger),
    write_status: statusMix(results.filter(isWrite)),
    stale: stale.length,
    stale_after_restart: staleAfter.length,
    hit_rate_8_10s_after: Math.round(hitRate(recovered) * 100),
    stack_traces: s.stackTraces(),
  };
  printFigures('1 redis-sigkill', figures);
  printFailed(reads, { killed: killedAt, restarted: restartedAt }, apps);

  expect.soft(figures.reads_failed, 'failed reads').toBe(0);
  expect.soft(figures.writes_failed, 'failed writes').toBe(0);
  expect.soft(notExactlyOnce(ledger), 'writes not exactly once').toBe(0);
  expect.soft(figures.p99_outage_ms, 'read p99 during the outage (ms)').toBeLessThanOrEqual(250);
  expect.soft(figures.stale_after_restart, 'stale reads after restart').toBe(0);
  expect.soft(figures.hit_rate_8_10s_after, 'hit rate 8–10 s after restart (%)').toBeGreaterThanOrEqual(80);
});
