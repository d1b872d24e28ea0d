// Preloaded into the server by `BENCH_LOAD_HEAP=<file> npm run bench:load` (node --import): V8's sampling heap
// profiler over the first measured phase, counting every sampled allocation, also the ones the collector has freed
// since (`node --heap-prof` keeps only what is still alive at exit, which says nothing of what feeds the scavenges).
// The bench sends SIGUSR2 when that phase starts and again when it ends; the profile is then written to that file,
// as a .heapprofile that Chrome DevTools opens and `npx tsx bench/heap-profile.ts <file>` summarises (its requests
// are the phase's: `--requests` with the phase's count gives bytes per request).
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const out = process.env.BENCH_HEAP_OUT;
if (out) {
  const session = new Session();
  session.connect();
  // 32 KiB: about one sample per 30 requests of the HIT path's size, enough over a run of minutes.
  const samplingInterval = Number(process.env.BENCH_HEAP_INTERVAL ?? 32_768);
  // BENCH_HEAP_SURVIVORS=1: only what outlived a scavenge (promoted, or still alive at the end): what the
  // scavenger copies, where all allocations say what makes it run.
  const survivorsOnly = process.env.BENCH_HEAP_SURVIVORS === '1';
  let sampling = false;
  // A session on this thread answers synchronously: the profile is written before the signal's handler returns.
  process.on('SIGUSR2', () => {
    if (!sampling) {
      sampling = true;
      session.post('HeapProfiler.startSampling', { samplingInterval, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: !survivorsOnly });
      return;
    }
    session.post('HeapProfiler.stopSampling', (error, result) => {
      if (!error) writeFileSync(out, JSON.stringify(result.profile));
      session.disconnect();
    });
  });
}
