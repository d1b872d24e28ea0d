// How often the host takes a core away: `node bench/load/stall-probe.mjs <seconds> <period ms>`, run by
// bench/load.bench.ts pinned to the server's core (taskset) at nice -20, before anything of the run starts there
// and beside the server through each measured phase. A timer due every <period> ms: at nice -20 the probe goes
// before the server and the machine's own services, so a wake-up late by several ms is time that core did not
// run at all (the host ran another tenant, or the kernel held it): a stall every request in flight on that core
// waits out. Prints one JSON line: wake-ups, p50 / p99 / max lateness (ms), counts over 5 and 10 ms, and each
// wake-up late by more than 5 ms as [epoch ms it was due, ms late] (the first 10,000).
const seconds = Number(process.argv[2] ?? 10);
const period = Number(process.argv[3] ?? 2);
const late = [];
const stalls = [];
const end = performance.now() + seconds * 1000;
let due = performance.now() + period;

function tick() {
  const now = performance.now();
  late.push(Math.max(0, now - due));
  if (now - due > 5 && stalls.length < 10_000) stalls.push([Math.round((performance.timeOrigin + due) * 10) / 10, Math.round((now - due) * 100) / 100]);
  if (now >= end) return report();
  due = now + period;
  setTimeout(tick, period);
}

function report() {
  const sorted = [...late].sort((a, b) => a - b);
  const at = (p) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] * 100) / 100;
  const over = (ms) => late.filter((x) => x > ms).length;
  process.stdout.write(JSON.stringify({ seconds, periodMs: period, wakeups: late.length, p50: at(50), p99: at(99), max: at(100), over5: over(5), over10: over(10), stalls }) + '\n');
}

setTimeout(tick, period);
