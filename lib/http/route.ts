import 'server-only';
import type { z } from 'zod';
import { authenticateCached, authenticateFromL1 } from '@/lib/auth/cached-identity';
import type { AuthResult, HeaderSource } from '@/lib/auth/credential';
import { assertAccess } from '@/lib/auth/guards';
import type { AccessLevel, Identity } from '@/lib/auth/scopes';
import { ForbiddenError, ROOT_PATH, ValidationError } from '@/lib/errors';
import { parseInput, searchParamsToObject, strictByDefault } from './parse-input';
import { toProblem } from './problem';
import { DEFAULT_MAX_BODY_BYTES, readJsonBody } from './read-body';
import { Timing } from './server-timing';

type Schema = z.ZodType | undefined;
type Out<S extends Schema> = S extends z.ZodType ? z.output<S> : undefined;

export type RouteOptions<P extends Schema = Schema, Q extends Schema = Schema, B extends Schema = Schema> = {
  auth: AccessLevel;
  /** Route pattern for logs and metrics, e.g. '/api/recommendations/{id}'. */
  name?: string;
  params?: P;
  query?: Q;
  body?: B;
  /** Body size cap in bytes (default 64 KiB); larger bodies get 413 even if Content-Length lies. */
  maxBodyBytes?: number;
};

export type RouteContext<P extends Schema, Q extends Schema, B extends Schema, A extends AccessLevel> = {
  req: Request;
  params: Out<P>;
  query: Out<Q>;
  body: Out<B>;
  /** Always set unless the route is public. */
  identity: A extends 'public' ? Identity | null : Identity;
  requestId: string;
  /** Add `db`, `cache`… entries; the wrapper sends them with its own `app` total in Server-Timing. */
  timing: Timing;
};

/** What Next calls: `(request, { params: Promise<…> })`. */
export type NextRouteHandler = (req: Request, ctx?: { params?: Promise<Record<string, string | string[] | undefined>> }) => Promise<Response>;

export type RouteObserver = (event: { method: string; route: string; status: number; durationMs: number }) => void;

export type RouteDeps = {
  authenticate(headers: HeaderSource): Promise<AuthResult>;
  /** The same answer when this process can tell without a lookup (its L1), else undefined. */
  authenticateNow?(headers: HeaderSource): AuthResult | undefined;
  /** Called once per request after the response is built (HTTP metrics). */
  observe?: RouteObserver;
};

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

const UNAUTHENTICATED: Record<Exclude<AuthResult, { identity: Identity }>['reason'], string> = {
  missing: 'Authentication required: send Authorization: Bearer <api key> or sign in',
  invalid_authorization: 'The Authorization header must be "Bearer <api key>"',
  invalid_api_key: 'The API key is not valid or has been revoked',
  invalid_session: 'The session has expired; sign in again',
};

/**
 * Builds the route wrapper over injected dependencies (tests pass their own database); the app uses
 * the default `route` below.
 */
export function createRoute(deps: RouteDeps) {
  return function route<A extends AccessLevel, P extends Schema = undefined, Q extends Schema = undefined, B extends Schema = undefined>(
    options: RouteOptions<P, Q, B> & { auth: A },
    handler: (ctx: RouteContext<P, Q, B, A>) => Promise<Response | unknown> | Response | unknown,
  ): NextRouteHandler {
    // Resolved once per route, not per request.
    const params = options.params && strictByDefault(options.params);
    const query = options.query && strictByDefault(options.query);
    const body = options.body && strictByDefault(options.body);
    const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    const routeName = options.name ?? ('path' in options && typeof options.path === 'string' ? options.path : undefined);

    return async (req, nextCtx) => {
      const started = performance.now();
      const timing = new Timing();
      const requestId = requestIdFrom(req.headers.get('x-request-id'));
      let response: Response;
      try {
        let identity: Identity | null = null;
        if (options.auth !== 'public' || req.headers.has('authorization') || req.headers.has('cookie')) {
          const authStarted = performance.now();
          let auth: AuthResult;
          try {
            auth = deps.authenticateNow?.(req.headers) ?? (await deps.authenticate(req.headers));
          } finally {
            timing.add('auth', performance.now() - authStarted);
          }
          identity = auth.identity;
          assertAccess(identity, options.auth, auth.identity ? undefined : UNAUTHENTICATED[auth.reason]);
          // Defence in depth next to SameSite=Lax: a browser tells us when a cookie-authenticated write is
          // cross-site; API keys are not ambient credentials, so they are exempt.
          if (auth.identity && 'via' in auth && auth.via === 'session' && !SAFE_METHODS.has(req.method) && req.headers.get('sec-fetch-site') === 'cross-site') {
            throw new ForbiddenError('Cross-site requests cannot use the session cookie');
          }
        }
        const rawParams = (await nextCtx?.params) ?? {};
        let p = params && parseInput(params, rawParams, 'params');
        if (isPromise(p)) p = await p;
        let q = query && parseInput(query, searchParamsToObject(new URL(req.url).searchParams), 'query');
        if (isPromise(q)) q = await q;
        let b = body && parseInput(body, await readJsonBody(req, maxBodyBytes), 'body');
        if (isPromise(b)) b = await b;
        const ctx = { req, identity, requestId, timing, params: p, query: q, body: b } as RouteContext<P, Q, B, A>;
        let result = handler(ctx);
        if (isPromise(result)) result = await result;
        response = result instanceof Response ? result : result === undefined ? new Response(null, { status: 204 }) : Response.json(result);
      } catch (error) {
        response = toProblem(body ? inBody(error) : error, { instance: safePathname(req.url), requestId, route: routeName });
      }
      const durationMs = performance.now() - started;
      timing.add('app', durationMs);
      response = withHeaders(response, { 'Server-Timing': timing.header(), 'X-Request-Id': requestId });
      deps.observe?.({ method: req.method, route: routeName ?? safePathname(req.url) ?? '?', status: response.status, durationMs });
      return response;
    };
  };
}

/**
 * Awaited only when it is a promise: awaiting a plain value still makes a promise and waits a turn, and under Next
 * each promise runs AsyncLocalStorage's hooks (a handler answering from L1 and our schemas give plain values).
 */
const isPromise = (value: unknown): value is PromiseLike<unknown> => typeof (value as { then?: unknown } | null)?.then === 'function';

const LOCATED = /^(params|query|body)(\.|$)/;

/**
 * A service's business-rule issues name the input's own fields (`recommendationId`); over HTTP they are
 * fields of the body, named as schema issues are (`body.recommendationId`).
 */
function inBody(error: unknown): unknown {
  if (!(error instanceof ValidationError) || error.issues.every((i) => LOCATED.test(i.path))) return error;
  return new ValidationError(error.message, error.issues.map((i) => (LOCATED.test(i.path) ? i : { ...i, path: i.path === ROOT_PATH ? 'body' : `body.${i.path}` })));
}

/** The caller's X-Request-Id when it is safe to echo and log, else a new one. */
export function requestIdFrom(incoming: string | null | undefined): string {
  return incoming && REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
}

function safePathname(url: string): string | undefined {
  try {
    return new URL(url).pathname;
  } catch {
    return undefined;
  }
}

/** Appends to Server-Timing (a handler may have set cache/db entries), defaults Cache-Control, and copies the Response if its headers are immutable. */
function withHeaders(response: Response, extra: { 'Server-Timing': string; 'X-Request-Id': string }): Response {
  const apply = (h: Headers) => {
    // Answers that did not choose are not to be stored (writes, admin answers, errors).
    if (!h.has('Cache-Control')) h.set('Cache-Control', 'no-store');
    const existing = h.get('Server-Timing');
    h.set('Server-Timing', existing ? `${existing}, ${extra['Server-Timing']}` : extra['Server-Timing']);
    h.set('X-Request-Id', extra['X-Request-Id']);
  };
  try {
    apply(response.headers);
    return response;
  } catch {
    const copy = new Response(response.body, response);
    apply(copy.headers);
    return copy;
  }
}

const holder = globalThis as typeof globalThis & { __mizajRouteObservers?: Set<RouteObserver> };
const observers = (holder.__mizajRouteObservers ??= new Set());

/** Registers an HTTP metrics observer for the default `route` (e.g. a prom-client histogram). */
export function onRouteResponse(observer: RouteObserver): () => void {
  observers.add(observer);
  return () => observers.delete(observer);
}

/** Tells the registered observers about one answered request (route handlers and the fast path). */
export function observeRoute(event: Parameters<RouteObserver>[0]): void {
  for (const o of observers) {
    try {
      o(event);
    } catch {
      // A metrics bug must not turn a good response into an error.
    }
  }
}

/** The app's route wrapper: identity from the process database, each credential's lookup cached briefly. */
export const route = createRoute({ authenticate: authenticateCached, authenticateNow: authenticateFromL1, observe: observeRoute });
