import 'server-only';
import type { z } from 'zod';
import type { Identity } from '@/lib/auth/scopes';
import type { CachedRaw, CacheResult } from '@/lib/cache';
import type { ApiOperation } from '@/lib/http/openapi';
import { strictByDefault } from '@/lib/http/parse-input';
import { analyticsResource, diagnosisResource, feedbackSummaryResource, predictionsResource, profileResource, recommendationResource, trendingResource } from '@/lib/reads/resources';
import { ops } from './operations';
import { viewerKey } from './viewer';

type Mode = 'read' | 'peek';
type Found = CacheResult<CachedRaw> | null;

/**
 * The cacheable GET routes: for each, how params/query/identity become a cached resource. The route
 * handlers read through it (mode 'read': compute on a miss) and the fast path peeks (never computes).
 */
export type CachedRoute = {
  op: ApiOperation;
  pattern: RegExp;
  lookup(input: { params: Record<string, unknown>; query: Record<string, unknown>; identity: Identity }, mode: Mode): Promise<Found>;
};

const get = <A extends unknown[]>(resource: { withMeta(...a: A): Promise<CacheResult<CachedRaw>>; peek(...a: A): Promise<Found> }, mode: Mode, ...args: A): Promise<Found> =>
  mode === 'read' ? resource.withMeta(...args) : resource.peek(...args);

const id = (input: { params: Record<string, unknown> }) => input.params.id as number;

export const CACHED = {
  recommendation: { op: ops.getRecommendation, pattern: /^\/api\/recommendations\/([^/]+)$/, lookup: (i, m) => get(recommendationResource, m, id(i)) },
  analytics: { op: ops.analytics, pattern: /^\/api\/analytics\/recommendation\/([^/]+)$/, lookup: (i, m) => get(analyticsResource, m, id(i)) },
  feedbackSummary: { op: ops.feedbackSummary, pattern: /^\/api\/feedback\/recommendation\/([^/]+)\/summary$/, lookup: (i, m) => get(feedbackSummaryResource, m, id(i)) },
  profile: { op: ops.profile, pattern: /^\/api\/patients\/([^/]+)\/profile$/, lookup: (i, m) => get(profileResource, m, id(i), viewerKey(i.identity)) },
  trending: { op: ops.trending, pattern: /^\/api\/trending$/, lookup: (i, m) => get(trendingResource, m, i.query.days as 7 | 30, i.query.limit as number) },
  predict: {
    op: ops.predict,
    pattern: /^\/api\/predictions\/diagnosis\/([^/]+)\/predict$/,
    // A prediction's tags name its condition, so the diagnosis (cached too) is read first.
    async lookup(i, m) {
      const diagnosis = await get(diagnosisResource, m, id(i));
      if (!diagnosis) return null;
      const { conditionId } = JSON.parse(diagnosis.value.body) as { conditionId: number };
      return get(predictionsResource, m, id(i), conditionId);
    },
  },
} satisfies Record<string, CachedRoute>;

const CACHED_ROUTES: CachedRoute[] = Object.values(CACHED);

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
