import 'server-only';
import cluster, { type Worker } from 'node:cluster';
import os from 'node:os';

/**
 * WEB_CONCURRENCY workers (default: one per core). 1 means no primary at all: the server runs in this
 * process exactly as before, so a benchmark can pin one process to one core.
 */
export function workerCount(value = process.env.WEB_CONCURRENCY): number {
  if (value === undefined || value.trim() === '') return os.availableParallelism();
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new Error(`WEB_CONCURRENCY must be a whole number from 1 to 256, got "${value}"`);
  return n;
}

// A worker that dies within STABLE_MS of starting counts as a crash loop: each such death doubles the wait
// before the next fork (up to MAX_BACKOFF_MS), so a worker failing at start-up does not burn a core forking.
const STABLE_MS = 30_000;
const FIRST_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 30_000;

/**
 * The node:cluster primary: forks the workers (they share the listening socket; the primary hands out
 * connections round-robin), replaces one that dies, and on SIGTERM/SIGINT passes the signal on so each
 * worker drains as a lone server would (server.ts), exiting 0 once all of them have exited 0.
 * `drainMs` is the workers' own drain bound; past it (plus a margin inside the 10 s grace) the primary
 * kills what is left and exits 1.
 */
export function runPrimary(count: number, drainMs: number): void {
  let stopping = false;
  let quickDeaths = 0;
  let failedExit = false;
  const startedAt = new Map<Worker, number>();

  const fork = () => {
    const worker = cluster.fork();
    startedAt.set(worker, Date.now());
  };

  cluster.on('exit', (worker, code, signal) => {
    const lived = Date.now() - (startedAt.get(worker) ?? 0);
    startedAt.delete(worker);
    if (stopping) {
      if (code !== 0) failedExit = true;
      if (startedAt.size === 0) process.exit(failedExit ? 1 : 0);
      return;
    }
    quickDeaths = lived < STABLE_MS ? quickDeaths + 1 : 0;
    const wait = quickDeaths === 0 ? 0 : Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** (quickDeaths - 1));
    console.error(`› worker ${worker.process.pid} exited (${signal ?? `code ${code}`}); starting another in ${wait} ms`);
    // Not unref'd: with every worker gone, this timer is what keeps the primary up.
    setTimeout(() => stopping || fork(), wait);
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      console.log(`› ${signal}: draining ${startedAt.size} workers`);
      if (startedAt.size === 0) process.exit(0);
      // A terminal's Ctrl-C or a group kill has already reached the workers; a second signal is a no-op there.
      for (const worker of startedAt.keys()) worker.process.kill(signal);
      setTimeout(() => {
        for (const worker of startedAt.keys()) worker.process.kill('SIGKILL');
        process.exit(1);
      }, drainMs + 500).unref();
    });
  }

  console.log(`› Mizaj primary ${process.pid}: starting ${count} workers`);
  for (let i = 0; i < count; i++) fork();
}
