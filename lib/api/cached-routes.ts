import 'server-only';
import type { z } from 'zod';
import { recordPatientView, type PatientView } from '@/lib/audit/patient-access';
import type { Identity } from '@/lib/auth/scopes';
import type { CachedRaw, CacheResult } from '@/lib/cache';
import type { ApiOperation } from '@/lib/http/openapi';
import { strictByDefault } from '@/lib/http/parse-input';
import { jsonHead, jsonText } from '@/lib/reads/json-resource';
import { analyticsResource, diagnosisResource, feedbackSummaryResource, predictionsResource, profileResource, recommendationResource, trendingResource } from '@/lib/reads/resources';
import { ops } from './operations';
import { viewerKey } from './viewer';

type Mode = 'read' | 'peek';
type Found = CacheResult<CachedRaw> | null;
export type CachedRouteInput = { params: Record<string, unknown>; query: Record<string, unknown>; identity: Identity };
type Input = CachedRouteInput;

/**
 * The cacheable GET routes: for each, how params/query/identity become a cached resource. The route
 * handlers read through it (mode 'read': compute on a miss), the fast path peeks (never starts a
 * computation: fresh, stale with its refresh, or one in flight here), first in this instance's L1
 * synchronously (`fromL1`: no promise at all), then in Redis.
 */
export type CachedRoute = {
  op: ApiOperation;
  pattern: RegExp;
  lookup(input: Input, mode: Mode): Promise<Found>;
  fromL1(input: Input): Found;
  /** For answers about one patient: whose, for the patient-access audit. */
  patientView?(input: Input, found: CacheResult<CachedRaw>): Omit<PatientView, 'viewer' | 'via'> | null;
};

type Readable<A extends unknown[]> = {
  withMeta(...a: A): Promise<CacheResult<CachedRaw>>;
  withMetaIfCached(...a: A): Promise<Found>;
  peekL1(...a: A): CacheResult<CachedRaw> | undefined;
};

/** A route whose resource's arguments follow from its input alone. */
function direct<A extends unknown[]>(op: ApiOperation, pattern: RegExp, resource: Readable<A>, args: (i: Input) => A): CachedRoute {
  return {
    op,
    pattern,
    lookup: (i, mode) => (mode === 'read' ? resource.withMeta(...args(i)) : resource.withMetaIfCached(...args(i))),
    fromL1: (i) => resource.peekL1(...args(i)) ?? null,
  };
}

const id = (i: Input) => i.params.id as number;
const conditionOf = (diagnosis: Found) => (diagnosis ? (JSON.parse(jsonText(diagnosis.value)) as { conditionId: number }).conditionId : undefined);

export const CACHED = {
  recommendation: direct(ops.getRecommendation, /^\/api\/recommendations\/([^/]+)$/, recommendationResource, (i) => [id(i)]),
  analytics: direct(ops.analytics, /^\/api\/analytics\/recommendation\/([^/]+)$/, analyticsResource, (i) => [id(i)]),
  feedbackSummary: direct(ops.feedbackSummary, /^\/api\/feedback\/recommendation\/([^/]+)\/summary$/, feedbackSummaryResource, (i) => [id(i)]),
  profile: {
    ...direct(ops.profile, /^\/api\/patients\/([^/]+)\/profile$/, profileResource, (i) => [id(i), viewerKey(i.identity)]),
    patientView: (i) => ({ patientId: id(i), resource: 'profile' }),
  },
  trending: direct(ops.trending, /^\/api\/trending$/, trendingResource, (i) => [i.query.days as 7 | 30, i.query.limit as number]),
  // A prediction's tags name its condition, so the diagnosis (cached too) is read first.
  predict: {
    op: ops.predict,
    pattern: /^\/api\/predictions\/diagnosis\/([^/]+)\/predict$/,
    async lookup(i, mode) {
      const diagnosis = mode === 'read' ? await diagnosisResource.withMeta(id(i)) : await diagnosisResource.withMetaIfCached(id(i));
      const c = conditionOf(diagnosis);
      if (c === undefined) return null;
      return mode === 'read' ? predictionsResource.withMeta(id(i), c) : predictionsResource.withMetaIfCached(id(i), c);
    },
    fromL1(i) {
      const c = conditionOf(diagnosisResource.peekL1(id(i)) ?? null);
      return c === undefined ? null : (predictionsResource.peekL1(id(i), c) ?? null);
    },
    patientView(i, found) {
      // patientId is the body's second field: no need to parse the whole prediction on a hit.
      const m = /"patientId":(\d+)/.exec(jsonHead(found.value).slice(0, 200));
      return m ? { patientId: Number(m[1]), resource: `diagnosis:${id(i)}` } : null;
    },
  },
} satisfies Record<string, CachedRoute>;

const CACHED_ROUTES: CachedRoute[] = Object.values(CACHED);

/** Records a served answer about a patient in the patient-access audit (in memory; written in batches). */
export function auditPatientView(route: CachedRoute, input: Input, found: CacheResult<CachedRaw>, via: PatientView['via']): void {
  const seen = route.patientView?.(input, found);
  if (seen) recordPatientView({ ...seen, viewer: input.identity, via });
}

export type MatchedRoute = { route: CachedRoute; params: Record<string, unknown>; query: Record<string, unknown> };

const schemas = new Map(CACHED_ROUTES.map((r) => [r, { params: r.op.params && strictByDefault(r.op.params), query: r.op.query && strictByDefault(r.op.query) }]));

/** The cached route for a path and query, with parsed inputs; null when none applies or the input is invalid. */
export function matchCachedRoute(pathname: string, searchParams: URLSearchParams): MatchedRoute | null {
  for (const route of CACHED_ROUTES) {
    const m = route.pattern.exec(pathname);
    if (!m) continue;
    const s = schemas.get(route)!;
    const params = parse(s.params, m[1] === undefined ? {} : { id: decodeSegment(m[1]) });
    const keys = [...searchParams.keys()];
    // Repeated or unexpected query keys are errors the route handler explains; leave them to it.
    if (new Set(keys).size !== keys.length || (!s.query && keys.length > 0)) return null;
    const query = parse(s.query, Object.fromEntries(searchParams));
    if (params === undefined || query === undefined) return null;
    return { route, params, query };
  }
  return null;
}

function parse(schema: z.ZodType | undefined, value: Record<string, unknown>): Record<string, unknown> | undefined {
  if (!schema) return {};
  const r = schema.safeParse(value);
  return r.success ? (r.data as Record<string, unknown>) : undefined;
}

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return '\u0000';
  }
}
