import { afterAll, beforeAll, expect, it } from 'vitest';
import { schedule } from './load/load-client';
import type { LoadResult } from './load/protocol';
import { feedbackCounts, is2xx, isWrite, latency, ledgerFigures, notExactlyOnce, percentile, printFigures, staleReads, statusMix, writeLedger } from './support/figures';
import { read, tokenFor, write } from './support/requests';
import { startStack, type Stack } from './support/stack';

// 1,000 pairs per phase: a write through A, and the moment A answers, a read of what it changed on B.
const PAIRS = 1_000;
const RATE = 25;

let s: Stack;
beforeAll(async () => void (s = await startStack('read-after-write', { proxyA: true })));
afterAll(() => s?.stop());

async function pairs(phase: string, offset: number) {
  const targets = s.targets.slice(0, 8);
  // B holds every summary in its cache before the first write.
  await s.load.run(targets.map((t, i) => ({ ...read(s.B, s.key, 'summary', t.rec), at: i }))).results;
  const baseline = await feedbackCounts(s.sql);
  const results = await s.load.run(
    schedule(RATE, (PAIRS / RATE) * 1000, (n) => {
      const target = targets[n % targets.length]!;
      return { ...write(s.A, s.key, target, tokenFor(`s2${phase}`, offset + n)), then: read(s.B, s.key, 'summary', target.rec) };
    }),
  ).results;
  const writes = results.filter(isWrite);
  const ledger = await writeLedger(s.sql, results);
  const followUps = results.filter((r) => r.parent !== undefined);
  return {
    [`${phase}_writes`]: writes.length,
    [`${phase}_write_status`]: statusMix(writes),
    [`${phase}_write_p50_ms`]: Math.round(percentile(writes.map(latency), 50)),
    [`${phase}_write_p99_ms`]: Math.round(percentile(writes.map(latency), 99)),
    [`${phase}_stale_on_B`]: staleReads(results, baseline).length,
    [`${phase}_reads_failed`]: followUps.filter((r: LoadResult) => !is2xx(r)).length,
    ledger,
  };
}

it('2 read-after-write across instances: B never serves what a write acknowledged by A replaced, with Redis healthy or cut from A', async () => {
  const { ledger: healthyLedger, ...healthy } = await pairs('healthy', 0);
  await s.proxyA!.cut();
  const { ledger: cutLedger, ...cut } = await pairs('cut', PAIRS);
  await s.proxyA!.restore();
  const figures = { ...healthy, ...cut, ...ledgerFigures(cutLedger), stack_traces: s.stackTraces() };
  printFigures('2 read-after-write', figures);

  expect.soft(healthy.healthy_stale_on_B, 'stale reads on B (Redis healthy)').toBe(0);
  expect.soft(healthy.healthy_write_status, 'writes through A (Redis healthy)').toBe(`201×${PAIRS}`);
  expect.soft(cut.cut_write_status, 'writes through A (Redis cut from A)').toBe(`201×${PAIRS}`);
  expect.soft(cut.cut_stale_on_B, 'stale reads on B (Redis cut from A)').toBe(0);
  for (const l of [healthyLedger, cutLedger]) {
    expect.soft(notExactlyOnce(l), 'writes not exactly once').toBe(0);
  }
});
