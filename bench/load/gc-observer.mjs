// Preloaded into the server by `BENCH_LOAD_GC=<file> npm run bench:load` (node --import): appends every garbage
// collection the process reports (perf_hooks 'gc' entries) to that file, one line each: the epoch ms it started,
// its kind (minor = scavenge, major = mark-compact, incremental, weakcb) and how long the thread was stopped, in
// ms, then the heap in use (MB) when the entry was delivered, just after the collection: after a full one, about the
// live heap. Also the event loop's stalls (kind `stall`): a 5 ms timer that fired more than 15 ms late, with the
// epoch ms it was due and how late. A stall holds whatever kept the thread busy: a collection's pause, marking
// or sweeping steps the collector ran on this thread, or requests piled up behind them, or the thread not running
// at all: each stall line also gives, over the window from the timer's previous run, the ms the main thread ran,
// the ms it waited for the core on the run queue (/proc/thread-self/schedstat), and the CPU ms of the process's
// other threads (V8's collector and compiler, libuv's pool: they share the pinned core). The same three figures
// once a second (kind `sched`, with the second's length in ms), for the whole phase. A main thread waiting for its
// core while the process's other threads do not run is another process's, or the kernel's, doing.
// bench/load/gc-pauses.ts reads it.
import { appendFileSync, readFileSync } from 'node:fs';
import { PerformanceObserver, constants, performance } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';

const out = process.env.BENCH_GC_OUT;
if (out) {
  const kinds = {
    [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
    [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
    [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
    [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
  };
  let lines = [];
  const heapMb = () => (getHeapStatistics().used_heap_size / 2 ** 20).toFixed(1);
  new PerformanceObserver((list) => {
    const heap = heapMb();
    for (const e of list.getEntries()) lines.push(`${(performance.timeOrigin + e.startTime).toFixed(1)} ${kinds[e.detail.kind] ?? e.detail.kind} ${e.duration.toFixed(2)} ${heap}\n`);
  }).observe({ entryTypes: ['gc'] });
  const flush = () => {
    if (lines.length) appendFileSync(out, lines.join(''));
    lines = [];
  };
  const TICK_MS = 5;
  // [ran ns, waited ns] of this thread, and the process's CPU µs (all threads).
  const sched = () => readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ').slice(0, 2).map(Number);
  const cpu = () => {
    const u = process.cpuUsage();
    return u.user + u.system;
  };
  let due = performance.timeOrigin + performance.now() + TICK_MS;
  let [ran, waited] = sched();
  let cpuUs = cpu();
  let second = { at: due - TICK_MS, ran, waited, cpuUs };
  const schedLine = (ranMs, waitedMs, cpuMs) => `${ranMs.toFixed(1)} ${waitedMs.toFixed(1)} ${Math.max(0, cpuMs - ranMs).toFixed(1)}`;
  setInterval(() => {
    const now = performance.timeOrigin + performance.now();
    const [ranNow, waitedNow] = sched();
    const cpuNow = cpu();
    if (now - due > 15) lines.push(`${due.toFixed(1)} stall ${(now - due).toFixed(2)} ${heapMb()} ${schedLine((ranNow - ran) / 1e6, (waitedNow - waited) / 1e6, (cpuNow - cpuUs) / 1e3)}\n`);
    if (now - second.at >= 1000) {
      lines.push(`${second.at.toFixed(1)} sched ${(now - second.at).toFixed(2)} ${heapMb()} ${schedLine((ranNow - second.ran) / 1e6, (waitedNow - second.waited) / 1e6, (cpuNow - second.cpuUs) / 1e3)}\n`);
      second = { at: now, ran: ranNow, waited: waitedNow, cpuUs: cpuNow };
    }
    [ran, waited, cpuUs] = [ranNow, waitedNow, cpuNow];
    due = now + TICK_MS;
  }, TICK_MS).unref();
  setInterval(flush, 1000).unref();
  process.on('exit', flush);
}
