/**
 * Where an open-loop run's tail comes from, in time: reads one phase's raw records (`BENCH_LOAD_RECORDS=<dir>
 * npm run bench:load` keeps them as run-N.bin; the first measured rate is run-2) and prints the episodes of
 * slow requests (scheduled within 50 ms of each other), worst first, each with what was asked just before it,
 * then the slowest answer of each second.
 *
 *   npx tsx bench/load/episodes.ts <run-N.bin> [slow ms, default 40]
 *
 * Episodes at a steady period point at something periodic in the server (they matched its full garbage
 * collections, `node --trace-gc`, in issue 11); episodes after bursts of misses or writes at the work itself.
 */
import { readFileSync } from 'node:fs';
import { decode, type Rec } from './analyse';
import { CACHE_CODE, WRITE_ROUTE } from './open-loop-format';

const [file, slowArg = '40'] = process.argv.slice(2);
if (!file) throw new Error('usage: npx tsx bench/load/episodes.ts <run-N.bin> [slow ms]');
const slowMs = Number(slowArg);
const recs = decode(readFileSync(file)).sort((a, b) => a.at - b.at);
const t0 = recs[0]!.at;
const answer = Object.fromEntries(Object.entries(CACHE_CODE).map(([k, v]) => [v, k]));
const describe = (r: Rec) => (r.route === WRITE_ROUTE ? 'write' : `route ${r.route} ${answer[r.cache] ?? '?'}`);

const episodes: { start: number; end: number; slow: Rec[] }[] = [];
for (const r of recs) {
  if (r.ms <= slowMs) continue;
  const last = episodes.at(-1);
  if (last && r.at - last.end < 50) {
    last.end = r.at;
    last.slow.push(r);
  } else episodes.push({ start: r.at, end: r.at, slow: [r] });
}
const slowCount = episodes.reduce((n, e) => n + e.slow.length, 0);
console.log(`${recs.length} requests, ${slowCount} over ${slowMs} ms in ${episodes.length} episodes`);
console.log('\nat (s)  long (ms)  slow  worst (ms)  asked in the 300 ms before: MISS / writes  first slow');
for (const e of [...episodes].sort((a, b) => Math.max(...b.slow.map((r) => r.ms)) - Math.max(...a.slow.map((r) => r.ms))).slice(0, 15)) {
  const before = recs.filter((r) => r.at >= e.start - 300 && r.at < e.start);
  const misses = before.filter((r) => r.route !== WRITE_ROUTE && r.cache === CACHE_CODE.MISS).length;
  const writes = before.filter((r) => r.route === WRITE_ROUTE).length;
  const worst = Math.max(...e.slow.map((r) => r.ms));
  console.log(`${((e.start - t0) / 1000).toFixed(2).padStart(6)}  ${(e.end - e.start).toFixed(0).padStart(9)}  ${String(e.slow.length).padStart(4)}  ${worst.toFixed(0).padStart(10)}  ${String(misses).padStart(26)} / ${writes}  ${describe(e.slow[0]!)} ${e.slow[0]!.ms.toFixed(0)} ms`);
}
const worstBySecond = new Map<number, number>();
for (const r of recs) {
  const s = Math.floor((r.at - t0) / 1000);
  worstBySecond.set(s, Math.max(worstBySecond.get(s) ?? 0, r.ms));
}
console.log(`\nslowest answer per second (s:ms): ${[...worstBySecond].map(([s, ms]) => `${s}:${ms.toFixed(0)}`).join(' ')}`);
