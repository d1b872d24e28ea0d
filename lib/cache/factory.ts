import { ServiceUnavailableError } from '@/lib/errors';

/**
 * How long callers wait for a factory (fn), all in milliseconds. Set per cache (`CacheOptions.factory`),
 * per category (`categories.ts`), per cached function and per call; the narrower one wins.
 */
export interface FactoryTimings {
  /**
   * Soft timeout: with a stale value at hand (within grace), wait this long for the refresh, then serve
   * the stale value and let the refresh finish in the background. 0 = serve stale at once.
   */
  timeout: number;
  /** Without a stale value, a caller waits at most this long, then gets FactoryTimeoutError; fn goes on and fills the cache. */
  hardTimeout: number;
  /**
   * A caller joining a computation already running waits at most this long; a computation older than this
   * is taken as hung and no longer joined (the next caller runs fn again).
   */
  lockTimeout: number;
  /** After a failed refresh, serve the stale value without calling fn again for this long. */
  graceBackoff: number;
}

/** Finite everywhere, so no request can wait forever on a hung source. */
export const FACTORY_DEFAULTS: FactoryTimings = { timeout: 0, hardTimeout: 10_000, lockTimeout: 10_000, graceBackoff: 10_000 };

export function checkTimings(t: Partial<FactoryTimings>, where: string): Partial<FactoryTimings> {
  for (const [name, v] of Object.entries(t)) {
    if (v === undefined) continue;
    const min = name === 'timeout' || name === 'graceBackoff' ? 0 : 1;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min) throw new Error(`${where}: ${name} must be a finite number of ms ≥ ${min} (got ${String(v)})`);
  }
  return t;
}

/** A caller waited longer than hardTimeout/lockTimeout for fn (503: the source is too slow right now). */
export class FactoryTimeoutError extends ServiceUnavailableError {
  constructor(
    readonly key: string,
    readonly kind: 'hard' | 'lock',
    readonly ms: number,
  ) {
    super(`the data source did not answer within ${ms} ms (${kind} timeout); try again shortly`, 2);
    this.name = 'FactoryTimeoutError';
  }
}

/**
 * Given to a factory (`cachedWithContext`): the peer's (bentocache) context, adapted to stamping at start.
 */
export interface FactoryContext<R = unknown> {
  /** The previous value (stale, within grace) when this is a refresh; undefined on a plain miss. */
  readonly stale: R | undefined;
  /** Fresh lifetime of this result in seconds (instead of the category's/function's). */
  setTtl(seconds: number): void;
  /**
   * Adds tags known only while computing. Await it BEFORE reading the data the tags cover: their versions
   * are read then, so an invalidation of them racing this computation still kills the entry.
   */
  setTags(tags: readonly string[]): Promise<void>;
  /** Returns the result to the callers but caches nothing (e.g. an empty answer for an id that may appear). */
  skip(): void;
}

export interface FactoryErrorInfo {
  key: string;
  category: string;
  /** True when no caller was waiting (a stale value was served). */
  background: boolean;
}

/** Resolves with the promise's outcome, or with `undefined`-marked timeout after ms (no unhandled rejection). */
export function within<T>(p: Promise<T>, ms: number): Promise<{ done: true; value: T } | { done: true; error: unknown } | { done: false }> {
  // Not Promise.race + finally: every caller of a stampede waits through this, and those cost three more promises each.
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ done: false }), ms);
    p.then(
      (value) => (clearTimeout(timer), resolve({ done: true, value })),
      (error: unknown) => (clearTimeout(timer), resolve({ done: true, error })),
    );
  });
}
