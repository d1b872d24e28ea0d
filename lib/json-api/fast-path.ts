import 'server-only';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticateCached, authenticateFromL1 } from '@/lib/auth/cached-identity';
import type { AuthResult } from '@/lib/auth/identity';
import { canAccess } from '@/lib/auth/guards';
import type { CachedRaw, CacheResult } from '@/lib/cache';
import { serverSecurityHeaderPairs } from '@/lib/http/server-security-headers';
import { formatServerTiming } from '@/lib/http/server-timing';
import { observeRoute, requestIdFrom } from '@/lib/http/route';
import { setWaitDeadline } from '@/lib/http/wait-deadline';
import { cachedAnswer } from './cached-answer';
import { auditPatientView, matchCachedRoute, type CachedRouteInput, type MatchedRoute } from './cached-routes';

/**
 * Serves cached answers of the cacheable GET routes straight from node:http, before Next's router: same
 * route table, same auth, same headers and bytes as the route handler (lib/json-api/cached-answer.ts). A fresh
 * hit; a stale entry within grace (one background refresh and the soft wait, exactly as the route handler);
 * a miss, computed here or joined if already in flight in this process (its value, as MISS). All through one
 * cache call (mode 'quick', one read of L1 and Redis) that starts the computation the route handler's would and
 * waits for it as the route handler would, less one soft timeout: a slow miss handed to Next costs Next's own
 * CPU for nothing, and under load those hand-overs fed the overload (bench:load counts them). Anything else —
 * a computation still running then (Next's route handler joins it for what is left of the hard timeout,
 * lib/http/wait-deadline.ts), bad input, no or wrong identity, any error, the cache off — is left to Next
 * (false), so every error comes from the one route wrapper.
 *
 * Returns true/false synchronously when this instance's L1 can decide (no promise is made: Next runs with
 * AsyncLocalStorage, whose promise hooks make every await costly), else a promise of the same answer.
 */
export function serveFromCache(req: IncomingMessage, res: ServerResponse): boolean | Promise<boolean> {
  const method = req.method;
  const url = req.url;
  if ((method !== 'GET' && method !== 'HEAD') || !url?.startsWith('/api/')) return false;
  const q = url.indexOf('?');
  const match = matchCachedRoute(q < 0 ? url : url.slice(0, q), new URLSearchParams(q < 0 ? '' : url.slice(q + 1)));
  if (!match) return false;
  const started = performance.now();
  try {
    const auth = authenticateFromL1(req.headers);
    if (auth) {
      if (!auth.identity || !canAccess(auth.identity, match.route.op.auth)) return false;
      const authMs = performance.now() - started;
      const input = { params: match.params, query: match.query, identity: auth.identity };
      const hit = match.route.fromL1(input);
      if (hit) return send(req, res, match, input, hit, started, authMs);
    }
  } catch {
    return false;
  }
  return fromStore(req, res, match, started);
}

async function fromStore(req: IncomingMessage, res: ServerResponse, match: MatchedRoute, started: number): Promise<boolean> {
  try {
    const auth: AuthResult = await authenticateCached(req.headers);
    if (!auth.identity || !canAccess(auth.identity, match.route.op.auth)) return false;
    const authMs = performance.now() - started;
    const input = { params: match.params, query: match.query, identity: auth.identity };
    const result = await match.route.lookup(input, 'quick');
    if (result !== null) return send(req, res, match, input, result, started, authMs);
    // Next's route handler answers within what is left of the hard timeout this request started with.
    setWaitDeadline(req, Date.now() - (performance.now() - started) + match.route.waits.hardTimeout);
    return false;
  } catch {
    return false;
  }
}

function send(req: IncomingMessage, res: ServerResponse, match: MatchedRoute, input: CachedRouteInput, result: CacheResult<CachedRaw>, started: number, authMs: number): boolean {
  auditPatientView(match.route, input, result, 'fast-path');
  const method = req.method!;
  const answer = cachedAnswer(result, { method, ifNoneMatch: req.headers['if-none-match'], acceptEncoding: req.headers['accept-encoding'] }, performance.now() - started - authMs, match.route.op.personal);
  const durationMs = performance.now() - started;
  const timing = formatServerTiming([
    { name: 'auth', dur: authMs },
    { name: 'app', dur: durationMs },
  ]);
  // A flat name/value list: node:http takes it as is, where an object (spread from three) is copied twice more.
  const headers = [...serverSecurityHeaderPairs()];
  const own = answer.headers;
  for (const name in own) headers.push(name, name === 'Server-Timing' ? `${own[name]}, ${timing}` : own[name]!);
  if (own['Server-Timing'] === undefined) headers.push('Server-Timing', timing);
  headers.push('X-Request-Id', requestIdFrom(req.headers['x-request-id'] as string | undefined));
  if (answer.body) headers.push('Content-Length', String(answer.body.byteLength));
  res.writeHead(answer.status, headers);
  res.end(answer.body ?? undefined);
  observeRoute({ method, route: match.route.op.path, status: answer.status, durationMs });
  return true;
}
