// Preloaded into the server by `BENCH_LOAD_GC=<file> npm run bench:load` (node --import): appends every garbage
// collection the process reports (perf_hooks 'gc' entries) to that file, one line each: the epoch ms it started,
// its kind (minor = scavenge, major = mark-compact, incremental, weakcb) and how long the thread was stopped, in
// ms, then the heap in use (MB) when the entry was delivered, just after the collection: after a full one, about the
// live heap. Also the event loop's stalls (kind `stall`): a 5 ms timer that fired more than 15 ms late, with the
// epoch ms it was due and how late. A stall holds whatever kept the thread busy: a collection's pause, the
// incremental marking steps the worker runs on its own thread (--single-threaded-gc), or requests piled up behind
// them. bench/load/gc-pauses.ts reads it.
import { appendFileSync } from 'node:fs';
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
  new PerformanceObserver((list) => {
    const heapMb = (getHeapStatistics().used_heap_size / 2 ** 20).toFixed(1);
    for (const e of list.getEntries()) lines.push(`${(performance.timeOrigin + e.startTime).toFixed(1)} ${kinds[e.detail.kind] ?? e.detail.kind} ${e.duration.toFixed(2)} ${heapMb}\n`);
  }).observe({ entryTypes: ['gc'] });
  const flush = () => {
    if (lines.length) appendFileSync(out, lines.join(''));
    lines = [];
  };
  const TICK_MS = 5;
  let due = performance.timeOrigin + performance.now() + TICK_MS;
  setInterval(() => {
    const now = performance.timeOrigin + performance.now();
    if (now - due > 15) lines.push(`${due.toFixed(1)} stall ${(now - due).toFixed(2)} ${(getHeapStatistics().used_heap_size / 2 ** 20).toFixed(1)}\n`);
    due = now + TICK_MS;
  }, TICK_MS).unref();
  setInterval(flush, 1000).unref();
  process.on('exit', flush);
}
