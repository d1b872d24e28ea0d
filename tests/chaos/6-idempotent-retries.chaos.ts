import { afterAll, beforeAll, expect, it } from 'vitest';
import { schedule } from './load/load-client';
import { is2xx, ledgerFigures, parseTag, printFigures, sleepUntil, statusMix, writeLedger } from './support/figures';
import { tokenFor, write } from './support/requests';
import { startStack, type Stack } from './support/stack';

// Every write sent twice with the same Idempotency-Key (the retry the moment the first answers, on the
// other instance); Redis SIGKILLed halfway, so half of them happen while it is down.
const DURATION = 12_000;
const RATE = 10;

let s: Stack;
beforeAll(async () => void (s = await startStack('idempotent-retries')));
afterAll(() => s?.stop());

it('6 retries with the same Idempotency-Key, half of them with Redis down: exactly one row per write', async () => {
  const targets = s.targets.slice(0, 4);
  const apps = [s.A, s.B];
  const run = s.load.run(
    schedule(RATE, DURATION, (n) => {
      const token = tokenFor('s6', n);
      const target = targets[n % targets.length]!;
      return { ...write(apps[n % 2]!, s.key, target, token, { idempotencyKey: token }), then: write(apps[(n + 1) % 2]!, s.key, target, token, { idempotencyKey: token }) };
    }),
  );
  const t0 = await run.t0;
  await sleepUntil(t0 + DURATION / 2);
  await s.redis.stop();
  const results = await run.results;

  const ledger = await writeLedger(s.sql, results);
  const firsts = results.filter((r) => r.parent === undefined);
  const retries = results.filter((r) => r.parent !== undefined);
  const firstOf = new Map(firsts.map((r) => [r.i, r]));
  // A replay answers what the first attempt answered: same status, same feedback id.
  const notReplayed = retries.filter((r) => {
    const first = firstOf.get(r.i)!;
    return is2xx(first) && (r.status !== first.status || r.fields?.feedbackId !== first.fields?.feedbackId);
  });
  const rowsPerWrite = firsts.map((r) => ledger.rows.get(parseTag(r).token) ?? 0);
  const figures = {
    ...ledgerFigures(ledger),
    first_status: statusMix(firsts),
    retry_status: statusMix(retries),
    replayed_header: retries.filter((r) => r.headers['idempotent-replayed'] === 'true').length,
    not_replayed: notReplayed.length,
    writes_not_one_row: rowsPerWrite.filter((n) => n !== 1).length,
    stack_traces: s.stackTraces(),
  };
  printFigures('6 idempotent-retries', figures);

  expect.soft(figures.writes_not_one_row, 'writes without exactly one row').toBe(0);
  expect.soft(figures.not_replayed, 'retries not answered with the first answer').toBe(0);
  expect.soft(ledger.lostAcked + ledger.writtenAfter5xx + ledger.writtenUnanswered, 'acknowledged lost, or a 5xx that wrote').toBe(0);
});
