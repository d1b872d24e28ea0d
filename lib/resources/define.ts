import 'server-only';
import type { PatientView } from '@/lib/audit/patient-access';
import type { Identity } from '@/lib/auth/scopes';
import type { CachedRaw, CacheResult, CallOptions, CategoryName } from '@/lib/cache';
import type { Db } from '@/lib/db/types';
import { defineOperation, type ApiOperation } from '@/lib/http/openapi';
import type { Jsonify } from '@/lib/cached-reads/json';
import { jsonResource, jsonText, type Lifetime, type Resource, type Source, type Wait } from '@/lib/cached-reads/json-resource';
import { pathMatcher, type PathMatcher } from './path-matcher';

type Found = CacheResult<CachedRaw> | null;
export type Mode = 'read' | 'quick';

/** A request as a resource sees it: parsed params and query, and who asks (for the audit). */
export type ResourceInput = { params: Record<string, unknown>; query: Record<string, unknown>; identity: Identity };

/** What the API operation needs beyond what the declaration implies (GET, cached, its category's caching). */
export type ResourceApi = Omit<ApiOperation, 'method' | 'httpCache' | 'auth'> & { auth?: 'read' | 'public' };

/**
 * One cached resource, declared once: its cache entry (name, category, waits, tags, computation), how a
 * request maps to its entry's arguments, the API operation that serves it (if any), which entries to warm,
 * and, for answers about a patient, what the patient-access audit records. The route handler, the fast
 * path's route table, the OpenAPI document, the pages' reads and the warmers all derive from it.
 */
export type Declaration<A extends unknown[], T> = {
  /** Part of every key (`api:<name>`): renaming it orphans the stored entries. */
  name: string;
  category: CategoryName;
  /** How long a request waits on the database (docs/cache.md, "API routes"). */
  waits: Wait;
  tags: (...args: A) => readonly string[];
  /**
   * For an aggregate that many writes change (trending, predictions): recomputed on this lifetime instead of
   * dropped by each of those writes, which under steady writes would make nearly every read a computation.
   * `ttl` seconds fresh, then served for up to `staleWhileRevalidate` more while one refresh runs. Default:
   * the category's lifetime, and dropped by its tags only.
   */
  lifetime?: Lifetime;
  /** How a request maps to the entry's arguments. */
  args: (input: ResourceInput) => A;
  api?: ResourceApi;
  /** The hot set: arguments of the entries worth computing before anyone asks. */
  warm?: (db: Db) => Promise<A[]>;
  patientView?: (input: ResourceInput, found: CacheResult<CachedRaw>) => Omit<PatientView, 'viewer' | 'via'> | null;
} & (
  | { compute: (db: Db, ...args: A) => Promise<T>; computeFrom?: never }
  | {
      compute?: never;
      /**
       * Or, for an entry with a tag only its computation can name (a prediction's condition comes from its
       * first statement): given the database and `addTags` (lib/cached-reads/json-resource.ts, Source).
       */
      computeFrom: (source: Source, ...args: A) => Promise<T>;
    }
);

export type CachedResource<T, A extends unknown[] = never> = {
  name: string;
  /** The cache entry itself (its key, for benchmarks reading the stored bytes). */
  entry: Resource<A>;
  category: CategoryName;
  waits: Wait;
  /** Whether it declares a hot set to warm. */
  warms: boolean;
  /** The operation serving it (GET, `httpCache: 'cached'`), when the API does. */
  op?: ApiOperation;
  /** Path params from a request path, by the operation's path template; null when it does not match. */
  match: PathMatcher;
  /**
   * Mode 'read' answers or throws (route handlers; `call` narrows its timeouts); 'quick' answers what 'read'
   * would, waiting for a computation in flight here or started now until shortly before its lock expires,
   * else null (the fast path).
   */
  lookup(input: ResourceInput, mode: Mode, call?: CallOptions): Promise<Found>;
  /** This instance's L1 only, synchronously: no promise at all on the fast path's hot path. */
  fromL1(input: ResourceInput): Found;
  /** For pages: the answer parsed, as the API's JSON (dates as ISO strings). */
  read(input: ResourceInput): Promise<Jsonify<T>>;
  /** The warm tasks of its hot set (none when it declares none). */
  warmTasks(db: Db): Promise<(() => Promise<unknown>)[]>;
  patientView?: Declaration<unknown[], T>['patientView'];
};

export function defineResource<A extends unknown[] | [], T>(d: Declaration<A, T>): CachedResource<T, A> {
  if (!d.compute === !d.computeFrom) throw new Error(`resource "${d.name}" must declare either compute or computeFrom`);
  const compute = d.computeFrom ?? ((source: Source, ...a: A) => d.compute!(source.db, ...a));
  const entry: Resource<A> = jsonResource(d.name, d.waits, d.category, d.tags, compute, d.lifetime);
  const op = d.api && defineOperation({ ...d.api, method: 'GET', auth: d.api.auth ?? 'read', httpCache: 'cached' });
  const { args } = d;
  return {
    name: d.name,
    entry,
    category: d.category,
    waits: d.waits,
    warms: d.warm !== undefined,
    op,
    match: op ? pathMatcher(op.path) : () => null,
    // No promise of its own: the fast path's Redis read is on the hot path.
    lookup(i, mode, call) {
      const a = args(i);
      return mode === 'quick' ? entry.withMetaIfQuick(...a) : call ? entry.withOptions(call, ...a) : entry.withMeta(...a);
    },
    fromL1: (i) => entry.peekL1(...args(i)) ?? null,
    async read(i) {
      return JSON.parse(jsonText(await entry(...args(i)))) as Jsonify<T>;
    },
    async warmTasks(db) {
      return d.warm ? (await d.warm(db)).map((a) => () => entry(...a)) : [];
    },
    patientView: d.patientView as CachedResource<T>['patientView'],
  };
}
