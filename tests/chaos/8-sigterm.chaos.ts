import { afterAll, beforeAll, expect, it } from 'vitest';
import { schedule } from './load/load-client';
import type { LoadResult } from './load/protocol';
import { is2xx, isWrite, ledgerFigures, notExactlyOnce, printFigures, sleepUntil, statusMix, writeLedger } from './support/figures';
import { read, tokenFor, uncachedRead, write } from './support/requests';
import { startStack, type Stack } from './support/stack';

// SIGTERM to A under cached reads, uncached reads and writes (all on A), as an orchestrator stopping it.
const PRE = 3_000;
const AFTER = 5_000;
const EXIT_WITHIN = 10_000;

let s: Stack;
beforeAll(async () => void (s = await startStack('sigterm')));
afterAll(() => s?.stop());

it('8 SIGTERM under load: in-flight requests complete, new connections refused cleanly, exit 0 within 10 s, nothing acknowledged lost', async () => {
  const targets = s.targets.slice(0, 20);
  const cachedRead = (n: number) => read(s.A, s.key, 'summary', targets[n % targets.length]!.rec);
  await s.load.run(schedule(100, 200, cachedRead)).results;

  const total = PRE + AFTER;
  const run = s.load.run([
    ...schedule(100, total, cachedRead),
    ...schedule(10, total, (n) => uncachedRead(s.A, s.key, n + 1)),
    ...schedule(10, total, (n) => write(s.A, s.key, targets[n % 4]!, tokenFor('s8', n))),
  ]);
  const t0 = await run.t0;
  await sleepUntil(t0 + PRE);
  const exited = s.A.exited();
  s.A.signal('SIGTERM');
  const termAt = Date.now();
  const exit = await Promise.race([exited, new Promise<undefined>((r) => setTimeout(r, EXIT_WITHIN + 5_000))]);
  const results = await run.results;

  const before = results.filter((r) => r.sent < termAt);
  const after = results.filter((r) => r.sent >= termAt);
  // Refused: the connection was never made, so the request was never sent. Anything else without an answer
  // (reset, hang-up, timeout) leaves the client not knowing whether it was done.
  const unclean = (r: LoadResult) => r.status === undefined && r.error !== 'ECONNREFUSED';
  const ledger = await writeLedger(s.sql, results);
  const figures = {
    requests: results.length,
    before_term: statusMix(before),
    after_term: statusMix(after),
    inflight_unanswered: before.filter((r) => r.status === undefined).length,
    answered_5xx: results.filter((r) => (r.status ?? 0) >= 500).length,
    unclean_after: after.filter(unclean).length,
    exit: exit ? (exit.signal ?? `code ${exit.code}`) : 'still running',
    exit_ms: exit ? Math.round(exit.at - termAt) : Infinity,
    ...ledgerFigures(ledger),
    write_status: statusMix(results.filter(isWrite)),
  };
  printFigures('8 sigterm', figures);

  expect.soft(figures.inflight_unanswered, 'requests sent before SIGTERM left unanswered').toBe(0);
  expect.soft(figures.answered_5xx, '5xx answers').toBe(0);
  expect.soft(figures.unclean_after, 'requests after SIGTERM neither answered nor refused').toBe(0);
  expect.soft(figures.exit, 'exit status').toBe('code 0');
  expect.soft(figures.exit_ms, 'ms from SIGTERM to exit').toBeLessThanOrEqual(EXIT_WITHIN);
  expect.soft(notExactlyOnce(ledger), 'writes not exactly once').toBe(0);
  expect(results.filter(is2xx).length).toBeGreaterThan(0);
});
