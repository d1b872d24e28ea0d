import 'server-only';
import { serverSecurityHeaders } from '@/lib/http/server-security-headers';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { refusalLocale, sendRefusal, type Refusal } from '@/lib/http/refusal';
import { API_OPERATIONS } from './operations';

/**
 * Requests no route can serve, refused in front of both the fast path and Next, so the answer is the same
 * whichever would have run: a target that is too long or does not decode, a method nobody implements, an
 * /api path with no route, a method the route does not allow. Under /api the answer is problem+json; pages
 * get a small localized page. Everything else goes on untouched.
 */

/** Longer request targets get 414 (response headers that echo the path stay bounded by it). */
export const MAX_URL_BYTES = 8 * 1024;
/** Pages go through Next's proxy, which copies request headers into its own: it fails (500) near Node's 16 KiB. */
export const MAX_PAGE_HEADER_BYTES = 8 * 1024;
/** Pages take no body beyond a server action's (Next's default limit, 1 MB); Next's proxy fails on larger ones. */
export const MAX_PAGE_BODY_BYTES = 1024 * 1024;

const IMPLEMENTED = ['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
const IMPLEMENTED_SET = new Set<string>(IMPLEMENTED);

type ApiRoute = { pattern: RegExp; allow: readonly string[] };

/** Every /api path of the operation table with the methods it answers (HEAD with GET; OPTIONS always). */
const API_ROUTES: ApiRoute[] = (() => {
  const byPath = new Map<string, Set<string>>();
  for (const op of API_OPERATIONS) {
    if (!op.path.startsWith('/api/')) continue;
    const methods = byPath.get(op.path) ?? new Set<string>();
    methods.add(op.method);
    byPath.set(op.path, methods);
  }
  return [...byPath].map(([path, methods]) => {
    const allow = IMPLEMENTED.filter((m) => methods.has(m) || (m === 'HEAD' && methods.has('GET')) || m === 'OPTIONS');
    const source = path.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+');
    return { pattern: new RegExp(`^${source}$`), allow };
  });
})();

// '/api' itself, '/api/…', and what a client may have meant by it ('/api%2F…', '/api;…').
const API_LIKE = /^\/api(?:$|[/?%;#])/;
const DOT_SEGMENT = /(?:^|\/)(?:\.|%2e){1,2}(?:\/|$)/i;

type Verdict = { refusal: Refusal; api: boolean; path: string } | { refusal?: undefined };

/** What the head says: the body's declared length, chunked or not, content type; the headers' total size. */
export type RequestHead = { length?: number; chunked?: boolean; type?: string; headerBytes?: number };

/** Decides without side effects (unit-testable); `refuseRequest` writes the answer. */
export function judge(method: string, url: string, body: RequestHead = {}): Verdict {
  if (url === '*') {
    return method === 'OPTIONS'
      ? { refusal: { status: 204, code: 'ok', detail: '', allow: IMPLEMENTED }, api: true, path: '*' }
      : { refusal: { status: 400, code: 'malformed_request', detail: 'The asterisk target is only for OPTIONS' }, api: true, path: '*' };
  }
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const api = API_LIKE.test(path);
  const refuse = (refusal: Refusal): Verdict => ({ refusal, api, path });
  if (!path.startsWith('/')) return refuse({ status: 400, code: 'malformed_request', detail: 'The request target must be an absolute path' });
  if (Buffer.byteLength(url) > MAX_URL_BYTES) return refuse({ status: 414, code: 'uri_too_long', detail: `The request target is longer than ${MAX_URL_BYTES} bytes` });
  if (!IMPLEMENTED_SET.has(method)) return refuse({ status: 501, code: 'method_not_implemented', detail: `${method.slice(0, 32)} is not implemented` });
  const bad = pathProblem(path);
  if (bad) return refuse({ status: 400, code: 'malformed_path', detail: bad });
  if (!api) {
    if ((body.headerBytes ?? 0) > MAX_PAGE_HEADER_BYTES) return refuse({ status: 431, code: 'headers_too_large', detail: `The request headers are larger than ${MAX_PAGE_HEADER_BYTES} bytes` });
    if ((body.length ?? 0) > MAX_PAGE_BODY_BYTES) return refuse({ status: 413, code: 'payload_too_large', detail: `The request body is larger than ${MAX_PAGE_BODY_BYTES} bytes` });
    // Next reads a multipart page POST as a no-JS server action form and fails (500) on one it cannot parse.
    if (method === 'POST' && /^multipart\/form-data/i.test(body.type ?? '') && (!/;\s*boundary=[^;\s]/i.test(body.type!) || (!body.chunked && !body.length))) {
      return refuse({ status: 400, code: 'malformed_body', detail: 'A multipart form needs a boundary and a body' });
    }
    return {};
  }
  const route = path.startsWith('/api/') ? API_ROUTES.find((r) => r.pattern.test(path)) : undefined;
  if (!route) return refuse({ status: 404, code: 'not_found', detail: 'No API operation at this path' });
  if (method === 'OPTIONS') return refuse({ status: 204, code: 'ok', detail: '', allow: route.allow });
  if (!route.allow.includes(method)) {
    return refuse({ status: 405, code: 'method_not_allowed', detail: `${method} is not allowed here; allowed: ${route.allow.join(', ')}`, allow: route.allow });
  }
  return {};
}

/** Why a path cannot be routed: bad percent-escapes, bytes that are not UTF-8, control characters, dot segments. */
function pathProblem(path: string): string | undefined {
  if (DOT_SEGMENT.test(path)) return 'The path must not contain dot segments';
  if (!path.includes('%')) return /[\x00-\x1f\x7f]/.test(path) ? 'The path contains control characters' : undefined;
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return 'The path has a malformed percent-escape or is not UTF-8';
  }
  if (/[\x00-\x1f\x7f]/.test(decoded)) return 'The path contains control characters';
  return undefined;
}

/** What `judge` needs to know of a request's head. */
export function headOf(req: IncomingMessage): RequestHead {
  const length = req.headers['content-length'];
  return {
    length: length && /^\d+$/.test(length) ? Number(length) : undefined,
    chunked: req.headers['transfer-encoding'] !== undefined,
    type: req.headers['content-type'],
    headerBytes: req.rawHeaders.reduce((n, h) => n + h.length + 2, 0),
  };
}

/** True when the request was answered here. */
export function refuseRequest(req: IncomingMessage, res: ServerResponse): boolean {
  const verdict = judge(req.method ?? '', req.url ?? '', headOf(req));
  if (!verdict.refusal) return false;
  const { refusal, api, path } = verdict;
  if (refusal.status === 204) {
    res.writeHead(204, { ...serverSecurityHeaders(), Allow: refusal.allow!.join(', '), 'Cache-Control': 'no-store' });
    res.end();
    return true;
  }
  // The body is not read: drop it rather than let it stall the connection.
  req.resume();
  sendRefusal(res, refusal, api ? 'api' : refusalLocale(path), { instance: path, head: req.method === 'HEAD' });
  return true;
}
