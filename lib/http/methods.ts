import 'server-only';
import { NotFoundError } from '@/lib/errors';
import { MethodNotAllowedError } from './http-errors';
import { toProblem } from './problem';

export const HTTP_METHODS = ['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'DELETE', 'PATCH'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

type Handler = (req: Request) => Promise<Response>;

/** A handler answering 405 problem+json with an Allow header. */
export function methodNotAllowed(allow: readonly HttpMethod[]): Handler {
  const allowed = [...new Set<HttpMethod>([...allow, ...(allow.includes('GET') ? (['HEAD'] as const) : []), 'OPTIONS'])];
  return async (req) => toProblem(new MethodNotAllowedError(req.method, allowed), { instance: new URL(req.url).pathname });
}

/**
 * Next answers unexported methods with an empty 405 of its own; export these instead so /api speaks only
 * problem+json:
 *
 *   export const GET = route(...);
 *   export const { POST, PUT, PATCH, DELETE } = otherMethods(['GET']);
 *
 * (HEAD and OPTIONS stay Next's: HEAD runs GET without a body, OPTIONS lists the Allow header.)
 */
export function otherMethods(allow: readonly HttpMethod[]): Record<Exclude<HttpMethod, 'HEAD' | 'OPTIONS'>, Handler> {
  const handler = methodNotAllowed(allow);
  return { GET: handler, POST: handler, PUT: handler, DELETE: handler, PATCH: handler };
}

/** For `app/api/[...path]/route.ts`: unknown API paths get a problem+json 404, not Next's HTML page. */
export const apiNotFound: Handler = async (req) => {
  const path = new URL(req.url).pathname;
  return toProblem(new NotFoundError('API path', path), { instance: path });
};
