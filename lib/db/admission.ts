import 'server-only';
import { AsyncLocalStorage } from 'node:async_hooks';
import { ServiceUnavailableError } from '@/lib/errors';

/** Which admission the running computation holds a place in. */
const holding = new AsyncLocalStorage<Admission>();

/**
 * Bounded admission of cache misses to the database, per process: at most `concurrency` computations run at
 * once, the rest wait in a queue with a deadline. When the cache cannot help (Redis down, a cold cache after
 * a purge) a burst waits briefly or is told to come back (503 + Retry-After), instead of piling connections
 * and latency onto PostgreSQL until everything times out.
 */
export class Admission {
  private active = 0;
  private readonly queue: { start: () => void; timer: NodeJS.Timeout }[] = [];

  constructor(
    readonly concurrency: number,
    readonly queueTimeoutMs: number,
  ) {}

  get waiting(): number {
    return this.queue.length;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    // A computation that reads another cached entry on its miss (a prediction its priors) already holds a
    // place: waiting for a second one would deadlock once every place is held that way.
    if (holding.getStore() === this) return fn();
    if (this.active >= this.concurrency) await this.enqueue();
    else this.active++;
    try {
      return await holding.run(this, fn);
    } finally {
      const next = this.queue.shift();
      if (next) {
        clearTimeout(next.timer);
        next.start();
      } else {
        this.active--;
      }
    }
  }

  private enqueue(): Promise<void> {
    return new Promise((resolve, reject) => {
      const entry = {
        start: resolve,
        timer: setTimeout(() => {
          this.queue.splice(this.queue.indexOf(entry), 1);
          reject(new ServiceUnavailableError('The database is busy; retry shortly', 1));
        }, this.queueTimeoutMs),
      };
      this.queue.push(entry);
    });
  }
}

const holder = globalThis as typeof globalThis & { __mizajAdmission?: Admission };

/** The process's admission to the database for cached computations (8 at once, 1 s in the queue at most). */
export function databaseAdmission(): Admission {
  return (holder.__mizajAdmission ??= new Admission(8, 1_000));
}
