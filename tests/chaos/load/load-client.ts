import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { FromGenerator, LoadResult, ScheduledRequest } from './protocol';

export type Run = {
  /** Epoch ms when the generator started the run (request `at` offsets count from here). */
  t0: Promise<number>;
  results: Promise<LoadResult[]>;
};

/** The harness's handle on the load generator process (forked once per scenario, killed by pid). */
export class LoadClient {
  private nextId = 1;

  private readonly waiting = new Map<number, { started: (t0: number) => void; done: (r: LoadResult[]) => void }>();

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (m: FromGenerator) => {
      const w = this.waiting.get(m.id);
      if (!w) return;
      if (m.type === 'started') w.started(m.t0);
      else {
        this.waiting.delete(m.id);
        w.done(m.results);
      }
    });
  }

  static start(opts: { maxSockets?: number; timeoutMs?: number } = {}): LoadClient {
    const child = fork(path.join(import.meta.dirname, 'generator.ts'), [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, LOAD_MAX_SOCKETS: String(opts.maxSockets ?? 256), LOAD_TIMEOUT_MS: String(opts.timeoutMs ?? 15_000) },
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new LoadClient(child);
  }

  /** Sends the requests on their schedule; resolves with every answer once the last one has come back. */
  run(requests: ScheduledRequest[]): Run {
    const id = this.nextId++;
    let started!: (t0: number) => void;
    let done!: (r: LoadResult[]) => void;
    const t0 = new Promise<number>((r) => (started = r));
    const results = new Promise<LoadResult[]>((r) => (done = r));
    this.waiting.set(id, { started, done });
    this.child.send({ type: 'run', id, requests });
    return { t0, results };
  }

  /** One request now, from the generator process, and its answer. */
  async one(request: Omit<ScheduledRequest, 'at'>): Promise<LoadResult> {
    const [result] = await this.run([{ ...request, at: 0 }]).results;
    return result!;
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    process.kill(this.child.pid!, 'SIGKILL');
    await exited;
  }
}

/** `ratePerSec` requests a second for `durationMs`, evenly spaced from `startMs`; `make(n)` builds the n-th. */
export function schedule(ratePerSec: number, durationMs: number, make: (n: number) => Omit<ScheduledRequest, 'at'>, startMs = 0): ScheduledRequest[] {
  const count = Math.round((ratePerSec * durationMs) / 1000);
  return Array.from({ length: count }, (_, n) => ({ ...make(n), at: startMs + (n * 1000) / ratePerSec }));
}
