import { afterAll, beforeAll, expect, it } from 'vitest';
import { schedule } from './load/load-client';
import { feedbackCounts, is2xx, isWrite, ledgerFigures, notExactlyOnce, p99, printFigures, scheduledIn, sleepUntil, staleReads, statusMix, writeLedger } from './support/figures';
import { mixedRead, tokenFor, write } from './support/requests';
import { startStack, type Stack } from './support/stack';

// Redis stalled (SIGSTOP) for 3 s, then SIGCONT, under 200 reads/s + 10 writes/s on two instances.
const PRE = 4_000;
const STALL = 3_000;
const POST = 5_000;

let s: Stack;
beforeAll(async () => void (s = await startStack('redis-stalled')));
afterAll(() => s?.stop());

it('4 Redis SIGSTOP for 3 s: reads fall back within the command timeout, p99 ≤ 250 ms', async () => {
  const readTargets = s.targets.slice(0, 40);
  const writeTargets = readTargets.slice(0, 4);
  const apps = [s.A, s.B];
  const readAt = (n: number) => mixedRead(apps, s.key, readTargets, n);
  await s.load.run(schedule(200, (readTargets.length * 6 * 1000) / 200, readAt)).results;
  const baseline = await feedbackCounts(s.sql);

  const run = s.load.run([
    ...schedule(200, PRE + STALL + POST, (n) => readAt(n * 7)),
    ...schedule(10, PRE + STALL + POST, (n) => write(apps[n % 2]!, s.key, writeTargets[n % writeTargets.length]!, tokenFor('s4', n))),
  ]);
  const t0 = await run.t0;
  await sleepUntil(t0 + PRE);
  const stoppedAt = Date.now();
  process.kill(s.redis.pid!, 'SIGSTOP');
  await sleepUntil(t0 + PRE + STALL);
  process.kill(s.redis.pid!, 'SIGCONT');
  const resumedAt = Date.now();
  const results = await run.results;

  const reads = results.filter((r) => !isWrite(r));
  const stalled = reads.filter(scheduledIn(stoppedAt, resumedAt));
  const ledger = await writeLedger(s.sql, results);
  const figures = {
    reads: reads.length,
    reads_failed: reads.filter((r) => !is2xx(r)).length,
    p99_ms: p99(reads),
    p99_stall_ms: p99(stalled),
    max_stall_ms: Math.round(Math.max(...stalled.map((r) => r.end - r.scheduled))),
    ...ledgerFigures(ledger),
    write_status: statusMix(results.filter(isWrite)),
    stale: staleReads(results, baseline).length,
    stack_traces: s.stackTraces(),
  };
  printFigures('4 redis-sigstop', figures);

  expect.soft(figures.reads_failed, 'failed reads').toBe(0);
  expect.soft(figures.p99_stall_ms, 'read p99 while Redis is stalled (ms)').toBeLessThanOrEqual(250);
  expect.soft(notExactlyOnce(ledger), 'writes not exactly once').toBe(0);
});
