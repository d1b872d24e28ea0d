/**
 * What the garbage collector cost the server during one phase of an open-loop run: reads the pauses
 * `BENCH_LOAD_GC=<file>` recorded (bench/load/gc-observer.mjs) and the phase's raw records (`BENCH_LOAD_RECORDS`,
 * run-N.bin; run-2 is the first measured rate), keeps the pauses within the phase, and prints per kind how many,
 * their total and share of the phase's wall time, p50 and the longest; then, for each full collection, the
 * requests scheduled in the 250 ms from its start, how many of those took longer than a limit, and the heap in use
 * after it (about the live heap); then where the main thread's time went over the phase (ran, waited for its
 * core, the process's other threads) and in the stalls of the event loop (kind `stall` in the table); then the
 * longest stalls, each with the collections that paused within it.
 *
 *   npx tsx bench/load/gc-pauses.ts <gc file> <run-N.bin> [limit ms, default 10]
 */
import { readFileSync } from 'node:fs';
import { decode, pct } from './analyse';

const [gcFile, recFile, limitArg = '10'] = process.argv.slice(2);
if (!gcFile || !recFile) throw new Error('usage: npx tsx bench/load/gc-pauses.ts <gc file> <run-N.bin> [limit ms]');
const limit = Number(limitArg);
const recs = decode(readFileSync(recFile)).sort((a, b) => a.at - b.at);
const from = recs[0]!.at;
const to = recs.at(-1)!.at;
const lines = readFileSync(gcFile, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => {
    const [at, kind, ms, heapMb, ran, waited, others] = line.split(' ');
    return { at: Number(at), kind: kind!, ms: Number(ms), heapMb: heapMb === undefined ? NaN : Number(heapMb), ran: Number(ran), waited: Number(waited), others: Number(others) };
  })
  .filter((p) => p.at >= from && p.at <= to);

const seconds = (to - from) / 1000;
const perSecond = lines.filter((p) => p.kind === 'sched');
const pauses = lines.filter((p) => p.kind !== 'sched');
const stalls = pauses.filter((p) => p.kind === 'stall');
console.log(`${recs.length} requests over ${seconds.toFixed(1)} s; ${pauses.length - stalls.length} collections and ${stalls.length} stalls of the event loop in that time\n`);
console.log(`${'kind'.padEnd(12)}${'count'.padStart(7)}${'total ms'.padStart(10)}${'of wall'.padStart(9)}${'p50 ms'.padStart(8)}${'max ms'.padStart(8)}`);
for (const kind of [...new Set(pauses.map((p) => p.kind))].sort()) {
  const ms = pauses.filter((p) => p.kind === kind).map((p) => p.ms);
  const total = ms.reduce((a, b) => a + b, 0);
  console.log(`${kind.padEnd(12)}${String(ms.length).padStart(7)}${total.toFixed(0).padStart(10)}${`${((total / 10 / seconds)).toFixed(2)} %`.padStart(9)}${pct(ms, 50).toFixed(2).padStart(8)}${Math.max(...ms).toFixed(2).padStart(8)}`);
}
const majors = pauses.filter((p) => p.kind === 'major');
if (majors.length) {
  console.log(`\nfull collections: at (s into the phase), pause ms, requests scheduled in the next 250 ms, of them > ${limit} ms, heap in use after (MB)`);
  for (const m of majors) {
    const near = recs.filter((r) => r.at >= m.at && r.at < m.at + 250);
    console.log(`${((m.at - from) / 1000).toFixed(2).padStart(7)} ${m.ms.toFixed(1).padStart(7)} ${String(near.length).padStart(6)} ${String(near.filter((r) => r.ms > limit).length).padStart(6)} ${m.heapMb.toFixed(1).padStart(7)}`);
  }
}
type Line = (typeof lines)[number];
const sum = (ls: Line[], k: 'ms' | 'ran' | 'waited' | 'others') => ls.reduce((a, l) => a + (l[k] || 0), 0);
const timeWent = (ls: Line[], wallMs: number) =>
  `the main thread ran ${sum(ls, 'ran').toFixed(0)} ms, waited for its core ${sum(ls, 'waited').toFixed(0)} ms; the process's other threads ran ${sum(ls, 'others').toFixed(0)} ms (of ${wallMs.toFixed(0)} ms)`;
if (perSecond.length || stalls.length) console.log('');
if (perSecond.length) console.log(`over the phase's whole seconds: ${timeWent(perSecond, sum(perSecond, 'ms'))}`);
if (stalls.length) {
  // Each stall's figures span the window from the observer's previous tick: the stall plus about 5 ms.
  console.log(`in the stalls: ${timeWent(stalls, sum(stalls, 'ms') + 5 * stalls.length)}`);
  console.log('\nlongest stalls of the event loop: at (s into the phase), ms late, main thread ran / waited ms, other threads ms, collections that paused within it (kind:ms)');
  for (const st of [...stalls].sort((a, b) => b.ms - a.ms).slice(0, 12)) {
    const within = pauses.filter((p) => p.kind !== 'stall' && p.at >= st.at - 5 && p.at <= st.at + st.ms);
    console.log(`${((st.at - from) / 1000).toFixed(2).padStart(7)} ${st.ms.toFixed(1).padStart(7)} ${`${st.ran.toFixed(1)} / ${st.waited.toFixed(1)}`.padStart(13)} ${st.others.toFixed(1).padStart(6)}  ${within.map((p) => `${p.kind}:${p.ms.toFixed(1)}`).join(' ')}`);
  }
}
