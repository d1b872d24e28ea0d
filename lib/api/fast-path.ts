import 'server-only';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticateCached } from '@/lib/auth/cached-identity';
import { canAccess } from '@/lib/auth/guards';
import { formatServerTiming } from '@/lib/http/server-timing';
import { observeRoute, requestIdFrom } from '@/lib/http/route';
import { cachedAnswer } from './cached-answer';
import { matchCachedRoute } from './cached-routes';

/**
 * Serves fresh cache hits of the cacheable GET routes straight from node:http, before Next's router: same
 * route table, same auth, same headers and bytes as the route handler (lib/api/cached-answer.ts). Anything
 * else — a miss, a stale entry (it needs its refresh), bad input, no or wrong identity, any error — returns
 * false and Next answers it, so every error still comes from the one route wrapper.
 */
export async function serveFromCache(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const method = req.method;
  const url = req.url;
  if ((method !== 'GET' && method !== 'HEAD') || !url?.startsWith('/api/')) return false;
  const q = url.indexOf('?');
  const match = matchCachedRoute(q < 0 ? url : url.slice(0, q), new URLSearchParams(q < 0 ? '' : url.slice(q + 1)));
  if (!match) return false;
  const started = performance.now();
  try {
    const auth = await authenticateCached(req.headers);
    if (!auth.identity || !canAccess(auth.identity, match.route.op.auth)) return false;
    const authMs = performance.now() - started;
    const result = await match.route.lookup({ params: match.params, query: match.query, identity: auth.identity }, 'peek');
    if (!result || result.status !== 'HIT') return false;
    const answer = cachedAnswer(result, { method, ifNoneMatch: req.headers['if-none-match'] }, performance.now() - started - authMs);
    const durationMs = performance.now() - started;
    const timing = formatServerTiming([{ name: 'auth', dur: authMs }, { name: 'app', dur: durationMs }]);
    res.writeHead(answer.status, {
      ...answer.headers,
      'Server-Timing': answer.headers['Server-Timing'] ? `${answer.headers['Server-Timing']}, ${timing}` : timing,
      'X-Request-Id': requestIdFrom(req.headers['x-request-id'] as string | undefined),
      ...(answer.body && { 'Content-Length': String(answer.body.byteLength) }),
    });
    res.end(answer.body ?? undefined);
    observeRoute({ method, route: match.route.op.path, status: answer.status, durationMs });
    return true;
  } catch {
    return false;
  }
}
