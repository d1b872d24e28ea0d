import type { CategoryTable } from './categories';
import type { EntryWriter } from './entry-writer';
import { checkTimings, type FactoryContext, type FactoryErrorInfo, type FactoryTimings } from './factory';
import type { Factory, Spec } from './factory-runner';
import { checkTags, functionName } from './keys';
import { defined, pickTimings, type CallOptions, type ReadPath } from './read-path';
import type { CacheResult } from './types';

export type { CallOptions } from './read-path';

export interface CachedOptions<A extends unknown[]> {
  category: string;
  /** Tags of an entry; may depend on the arguments, e.g. `(id) => ['recommendation:' + id]`. */
  tags?: readonly string[] | ((...args: A) => readonly string[]);
  /** Fresh lifetime in seconds (default: the category's). */
  ttl?: number;
  /** Grace in seconds during which a stale value is served while one refresh runs; false for none. */
  staleWhileRevalidate?: number | false;
  /** Soft timeout (ms): with a stale value at hand, wait this long for the fresh one. See FactoryTimings. */
  timeout?: number;
  /** Longest wait (ms) for fn without a stale value; then FactoryTimeoutError (503). */
  hardTimeout?: number;
  /** Longest wait (ms) for a computation started by another caller; older computations are not joined. */
  lockTimeout?: number;
  /** After a failed refresh, serve stale without calling fn for this long (ms). */
  graceBackoff?: number;
  /** Called when fn fails (also for background refreshes, whose errors no caller sees). */
  onFactoryError?: (error: unknown, info: FactoryErrorInfo) => void;
}

/** What `cached()` returns: fn's signature (always async), plus metadata helpers for the HTTP layer. */
export interface CachedFunction<A extends unknown[], R> {
  (...args: A): Promise<R>;
  /** Value plus X-Cache status, layer and freshness times. */
  withMeta(...args: A): Promise<CacheResult<R>>;
  /** withMeta with per-call options (timeouts, forceFresh). */
  withOptions(options: CallOptions, ...args: A): Promise<CacheResult<R>>;
  /**
   * Stores a value computed elsewhere, stamped with the tag versions current now (so compute it after the
   * write it reflects). Other instances drop their L1 copy. Throws ServiceUnavailableError if Redis cannot take it.
   */
  set(value: R, ...args: A): Promise<void>;
  /** Removes the entry everywhere (L1s through the bus). Throws ServiceUnavailableError if Redis cannot do it. */
  delete(...args: A): Promise<void>;
  /**
   * Soft invalidation: the entry becomes stale but stays servable within its grace while one refresh runs
   * (invalidateTag, by contrast, is hard: never served again). False when there was no live entry.
   */
  expire(...args: A): Promise<boolean>;
  /** Reads without computing (one round trip); null on a miss. Never triggers fn or a refresh. */
  peek(...args: A): Promise<CacheResult<R> | null>;
  /**
   * What withMeta answers, short of its errors: fresh, stale refreshed as withMeta does, or the value of the
   * computation withMeta would wait for (in flight in this process, or started here), waited for until one soft
   * timeout before withMeta would give up; null when it fails or is still running then (it goes on, and a
   * withMeta with what is left of the hard timeout joins it). For a server's fast path that leaves errors to
   * its router.
   */
  withMetaIfQuick(...args: A): Promise<CacheResult<R> | null>;
  /**
   * A fresh value from this instance's L1, synchronously, else undefined: for hot paths where every promise
   * costs (Next runs with AsyncLocalStorage, whose promise hooks make each await expensive).
   */
  peekL1(...args: A): CacheResult<R> | undefined;
  /** The full store key for these arguments. */
  key(...args: A): string;
  tags(...args: A): readonly string[];
  readonly category: string;
}

/**
 * What a cached function needs from the cache it is bound to. Reached through a registered symbol rather
 * than a named member: Next bundles lib/cache once per entry, so a cached function made by one copy of this
 * module may be bound to the process cache made by another, and only an instance-level door works across
 * copies (a module-level WeakMap would not). It is no part of the Cache's API.
 */
export const CACHE_CORE: unique symbol = Symbol.for('mizaj.cache.core') as never;

export interface CacheCore {
  categories: CategoryTable;
  factoryDefaults: FactoryTimings;
  read: ReadPath;
  writer: EntryWriter;
}

export interface HasCore {
  readonly [CACHE_CORE]: CacheCore;
}

/** A cached function as the cache sees it, built once per cache. */
function buildSpec<A extends unknown[]>(core: CacheCore, fn: (ctx: FactoryContext<never>, ...args: A) => unknown, keyParts: readonly string[], options: CachedOptions<A>): Spec {
  const config = core.categories[options.category];
  if (!config) throw new Error(`unknown cache category "${options.category}" (known: ${Object.keys(core.categories).join(', ')})`);
  const tags = options.tags;
  const grace = options.staleWhileRevalidate === false ? 0 : (options.staleWhileRevalidate ?? config.grace);
  const own = checkTimings(pickTimings(options), functionName(keyParts));
  return {
    category: options.category,
    config,
    name: functionName(keyParts),
    fn: fn as unknown as Factory,
    tagsOf: typeof tags === 'function' ? (args) => checkTags(tags(...(args as A))) : (() => {
      const fixed = checkTags(tags ?? []);
      return () => fixed;
    })(),
    ttlMs: (options.ttl ?? config.ttl) * 1000,
    graceMs: grace * 1000,
    timings: { ...core.factoryDefaults, ...defined(config.factory ?? {}), ...defined(own) },
    onFactoryError: options.onFactoryError,
  };
}

/** A plain fn (Next-style) as a factory that ignores its context. */
export function withoutContext<A extends unknown[], R>(fn: (...args: A) => R): (ctx: FactoryContext<unknown>, ...args: A) => R {
  return (_ctx, ...args) => fn(...args);
}

const valueOf = <T>(r: CacheResult<T>): T => r.value;

/** Builds a cached function against a lazily resolved cache (the process singleton or an instance). */
export function bindCached<A extends unknown[], R>(
  getCache: () => HasCore,
  fn: (ctx: FactoryContext<Awaited<R>>, ...args: A) => R | Promise<R>,
  keyParts: readonly string[],
  options: CachedOptions<A>,
): CachedFunction<A, Awaited<R>> {
  let bound: { cache: HasCore; core: CacheCore; spec: Spec } | undefined;
  const resolveSpec = () => {
    const cache = getCache();
    if (bound?.cache !== cache) {
      const core = cache[CACHE_CORE];
      bound = { cache, core, spec: buildSpec(core, fn as (ctx: FactoryContext<never>, ...args: A) => unknown, keyParts, options) };
    }
    return bound;
  };
  const withOptions = (call: CallOptions | undefined, args: A): Promise<CacheResult<Awaited<R>>> => {
    try {
      const { core, spec } = resolveSpec();
      return core.read.resolve(spec, args, call) as Promise<CacheResult<Awaited<R>>>;
    } catch (error) {
      return Promise.reject(error);
    }
  };
  const withMeta = (...args: A) => withOptions(undefined, args);
  // Not async on purpose: one promise less per hit.
  const call = (...args: A): Promise<Awaited<R>> => withMeta(...args).then(valueOf);
  return Object.assign(call, {
    withMeta,
    withOptions: (options: CallOptions, ...args: A) => withOptions(options, args),
    set: async (value: Awaited<R>, ...args: A) => {
      const { core, spec } = resolveSpec();
      await core.writer.setValue(spec, core.read.target(spec, args), value);
    },
    delete: async (...args: A) => {
      const { core, spec } = resolveSpec();
      await core.writer.deleteValue(core.read.target(spec, args));
    },
    expire: async (...args: A) => {
      const { core, spec } = resolveSpec();
      return core.writer.expireValue(core.read.target(spec, args));
    },
    peek: async (...args: A) => {
      const { core, spec } = resolveSpec();
      return (await core.read.peek(core.read.target(spec, args))) as CacheResult<Awaited<R>> | null;
    },
    withMetaIfQuick: async (...args: A) => {
      const { core, spec } = resolveSpec();
      return (await core.read.resolveQuick(spec, args)) as CacheResult<Awaited<R>> | null;
    },
    peekL1: (...args: A) => {
      const { core, spec } = resolveSpec();
      return core.read.peekL1(core.read.target(spec, args)) as CacheResult<Awaited<R>> | undefined;
    },
    key: (...args: A) => {
      const { core, spec } = resolveSpec();
      return core.read.target(spec, args).key;
    },
    tags: (...args: A) => resolveSpec().spec.tagsOf(args),
    category: options.category,
  });
}
