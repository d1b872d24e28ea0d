import 'server-only';
import { apiNotFound, type HttpMethod } from '@/lib/http/methods';
import { cachedGetHandlers } from './cached-answer';
import { CACHED_ROUTES } from './cached-routes';

type Method = Exclude<HttpMethod, 'HEAD' | 'OPTIONS'>;
type Ctx = { params?: Promise<Record<string, string | string[] | undefined>> };

const served = CACHED_ROUTES.map((r) => ({ match: r.match, handlers: cachedGetHandlers(r) }));

/**
 * For app/api/[...path]/route.ts, which Next reaches when no route folder matches: a declared resource
 * (lib/resources) is served there by its path template, so it needs no route folder of its own (one that
 * also serves other methods, like /api/recommendations/{id}, keeps its folder and wins). Anything else is
 * the problem+json 404.
 */
function dispatch(method: Method) {
  return async (req: Request, ctx?: Ctx): Promise<Response> => {
    const path = new URL(req.url).pathname;
    for (const { match, handlers } of served) {
      const params = match(path);
      if (params) return handlers[method](req, { ...ctx, params: Promise.resolve(params) });
    }
    return apiNotFound(req);
  };
}

export const resourceRoutes = { GET: dispatch('GET'), POST: dispatch('POST'), PUT: dispatch('PUT'), PATCH: dispatch('PATCH'), DELETE: dispatch('DELETE') };
