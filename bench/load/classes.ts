/**
 * Which answers make an open-loop run's tail: reads one phase's raw records (`BENCH_LOAD_RECORDS=<dir> npm run
 * bench:load` keeps them as run-N.bin; the first measured rate is run-2) and prints, per route and X-Cache
 * (HIT, MISS…) and for writes, the count, p50 / p90 / p99 and how many took longer than a limit, also as a share
 * of all requests: a p99 under the limit needs those shares to add up to at most 1 %.
 *
 *   npx tsx bench/load/classes.ts <run-N.bin> [limit ms, default 10]
 */
import { readFileSync } from 'node:fs';
import { decode, pct } from './analyse';
import { CACHE_CODE, WRITE_ROUTE } from './open-loop-format';

const [file, limitArg = '10'] = process.argv.slice(2);
if (!file) throw new Error('usage: npx tsx bench/load/classes.ts <run-N.bin> [limit ms]');
const limit = Number(limitArg);
const recs = decode(readFileSync(file));
const answer = Object.fromEntries(Object.entries(CACHE_CODE).map(([k, v]) => [v, k]));
const classes = new Map<string, number[]>();
for (const r of recs) {
  const name = r.route === WRITE_ROUTE ? 'write' : `route ${r.route} ${answer[r.cache] ?? '?'}`;
  let ms = classes.get(name);
  if (!ms) classes.set(name, (ms = []));
  ms.push(r.ms);
}
const cell = (v: string | number, width: number) => String(v).padStart(width);
console.log(`${recs.length} requests; routes numbered as in bench/load.bench.ts (0 profile, 1 analytics, 2 feedback summary, 3 recommendation, 4 predictions, 5 trending)\n`);
console.log(`${'class'.padEnd(14)}${cell('count', 7)}${cell('p50', 8)}${cell('p90', 8)}${cell('p99', 8)}${cell(`> ${limit} ms`, 10)}${cell('of all', 9)}`);
let over = 0;
for (const [name, ms] of [...classes].sort(([a], [b]) => a.localeCompare(b))) {
  const n = ms.filter((x) => x > limit).length;
  over += n;
  const share = `${((100 * n) / recs.length).toFixed(2)} %`;
  console.log(`${name.padEnd(14)}${cell(ms.length, 7)}${cell(pct(ms, 50).toFixed(1), 8)}${cell(pct(ms, 90).toFixed(1), 8)}${cell(pct(ms, 99).toFixed(1), 8)}${cell(n, 10)}${cell(share, 9)}`);
}
console.log(`\nlonger than ${limit} ms: ${over} = ${((100 * over) / recs.length).toFixed(2)} % of all requests`);
