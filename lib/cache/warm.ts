import pLimit from 'p-limit';
import type { CacheLogger } from './types';

export interface WarmProgress {
  category: string;
  done: number;
  total: number;
  failed: number;
}

export interface WarmOptions {
  onProgress?: (progress: WarmProgress) => void;
  signal?: AbortSignal;
  /** Tasks run at once. Default 4 (the database is shared with live traffic). */
  concurrency?: number;
}

export interface WarmReport extends WarmProgress {
  aborted: boolean;
  ms: number;
}

/**
 * A warmer lists the hot set of a category as tasks, each calling a `cached` function (so warming fills
 * exactly the entries reads will use), e.g. `async () => (await topIds()).map((id) => () => getRec(id))`.
 */
export type Warmer = (signal: AbortSignal) => Promise<Iterable<() => Promise<unknown>>> | Iterable<() => Promise<unknown>>;

export class WarmRegistry {
  private readonly warmers = new Map<string, Warmer[]>();

  constructor(private readonly logger: CacheLogger) {}

  register(category: string, warmer: Warmer): void {
    const list = this.warmers.get(category) ?? [];
    list.push(warmer);
    this.warmers.set(category, list);
  }

  categories(): string[] {
    return [...this.warmers.keys()];
  }

  async warm(category: string, options: WarmOptions = {}): Promise<WarmReport> {
    const started = performance.now();
    const signal = options.signal ?? new AbortController().signal;
    const tasks: (() => Promise<unknown>)[] = [];
    for (const warmer of this.warmers.get(category) ?? []) tasks.push(...(await warmer(signal)));
    const progress: WarmProgress = { category, done: 0, total: tasks.length, failed: 0 };
    options.onProgress?.({ ...progress });
    const limit = pLimit(options.concurrency ?? 4);
    await Promise.all(
      tasks.map((task) =>
        limit(async () => {
          if (signal.aborted) return;
          try {
            await task();
          } catch (error) {
            progress.failed++;
            this.logger.debug({ category, err: String(error) }, 'cache warm task failed');
          }
          progress.done++;
          options.onProgress?.({ ...progress });
        }),
      ),
    );
    return { ...progress, aborted: signal.aborted, ms: Math.round(performance.now() - started) };
  }

  /** Starts warming without awaiting it from the caller's point of view; failures are logged, never thrown. */
  warmInBackground(categories: readonly string[]): Promise<WarmReport[]> {
    const run = async () => {
      const reports: WarmReport[] = [];
      for (const c of categories) {
        if (!this.warmers.has(c)) continue;
        try {
          const report = await this.warm(c);
          reports.push(report);
          this.logger.info({ ...report }, 'cache warmed');
        } catch (error) {
          this.logger.warn({ category: c, err: String(error) }, 'cache warm-up failed');
        }
      }
      return reports;
    };
    return new Promise((resolve) => setImmediate(() => void run().then(resolve)));
  }
}
