import 'server-only';
import type { z } from 'zod';
import { recordPatientView, type PatientView } from '@/lib/audit/patient-access';
import type { CachedRaw, CacheResult } from '@/lib/cache';
import type { ApiOperation } from '@/lib/http/openapi';
import { strictByDefault } from '@/lib/http/parse-input';
import { RESOURCES, type CachedResource, type ResourceInput } from '@/lib/resources';

export type CachedRouteInput = ResourceInput;

/**
 * A cacheable GET route: a declared resource the API serves (lib/resources). The route handlers read
 * through it (mode 'read': compute on a miss), the fast path peeks (never computes), first in this
 * instance's L1 synchronously (`fromL1`: no promise at all), then in Redis.
 */
export type CachedRoute = CachedResource<unknown> & { op: ApiOperation };

/** The resource's route, for its route handler; throws at import when it declares no API operation. */
export function cachedRoute<T>(resource: CachedResource<T>): CachedRoute {
  if (!resource.op) throw new Error(`resource "${resource.name}" declares no API operation`);
  return resource as CachedRoute;
}

export const CACHED_ROUTES: CachedRoute[] = RESOURCES.filter((r): r is CachedRoute => r.op !== undefined);

/** Records a served answer about a patient in the patient-access audit (in memory; written in batches). */
export function auditPatientView(route: CachedRoute, input: ResourceInput, found: CacheResult<CachedRaw>, via: PatientView['via']): void {
  const seen = route.patientView?.(input, found);
  if (seen) recordPatientView({ ...seen, viewer: input.identity, via });
}

export type MatchedRoute = { route: CachedRoute; params: Record<string, unknown>; query: Record<string, unknown> };

const schemas = new Map(CACHED_ROUTES.map((r) => [r, { params: r.op.params && strictByDefault(r.op.params), query: r.op.query && strictByDefault(r.op.query) }]));

const NO_KEYS: string[] = [];

/** The cached route for a path and query, with parsed inputs; null when none applies or the input is invalid. */
export function matchCachedRoute(pathname: string, searchParams: URLSearchParams): MatchedRoute | null {
  for (const route of CACHED_ROUTES) {
    const raw = route.match(pathname);
    if (!raw) continue;
    const s = schemas.get(route)!;
    const params = parse(s.params, raw);
    const keys = searchParams.size === 0 ? NO_KEYS : [...searchParams.keys()];
    // Repeated or unexpected query keys are errors the route handler explains; leave them to it.
    if (new Set(keys).size !== keys.length || (!s.query && keys.length > 0)) return null;
    const query = s.query ? parse(s.query, Object.fromEntries(searchParams)) : {};
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
