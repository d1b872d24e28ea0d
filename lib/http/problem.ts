import 'server-only';
import { z } from 'zod';
import { AppError, ServiceUnavailableError, toFieldIssues, ValidationError, type FieldIssue } from '@/lib/errors';
import { isDatabaseUnavailable } from './db-unavailable';
import { MethodNotAllowedError } from './http-errors';
import { httpLog } from './log';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Problem types are URNs: stable identifiers that need no documentation host to exist. */
export const problemType = (code: string) => `urn:mizaj:problem:${code.replace(/_/g, '-')}`;

/** RFC 9457 body, plus `code` (machine-readable, same as in `type`) and `errors` for field details. */
export type ProblemDetails = {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  code: string;
  errors?: FieldIssue[];
};

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export type ProblemInit = {
  status: number;
  code: string;
  detail?: string;
  instance?: string;
  errors?: FieldIssue[];
  headers?: HeadersInit;
};

/** Builds a problem+json Response. */
export function problemResponse(init: ProblemInit): Response {
  const body: ProblemDetails = {
    type: problemType(init.code),
    title: TITLES[init.status] ?? 'Error',
    status: init.status,
    code: init.code,
    ...(init.detail !== undefined && { detail: init.detail }),
    ...(init.instance !== undefined && { instance: init.instance }),
    ...(init.errors !== undefined && { errors: init.errors }),
  };
  const headers = new Headers(init.headers);
  headers.set('Content-Type', PROBLEM_CONTENT_TYPE);
  // Errors must never be cached by the app's offline cache or a proxy.
  headers.set('Cache-Control', 'no-store');
  return new Response(JSON.stringify(body), { status: init.status, headers });
}

/** `route` is the operation's pattern ('/api/recommendations/{id}'), for logs. */
export type ToProblemOptions = { instance?: string; requestId?: string; route?: string };

/**
 * The one place an error becomes an HTTP answer. Known errors keep their message (they are written for
 * clients); anything else is a 500 whose detail reveals nothing, logged here exactly once.
 */
export function toProblem(error: unknown, opts: ToProblemOptions = {}): Response {
  const { instance } = opts;
  if (error instanceof ValidationError) {
    return problemResponse({ status: 400, code: error.code, detail: error.message, instance, errors: error.issues });
  }
  if (error instanceof z.ZodError) {
    return problemResponse({ status: 400, code: 'validation_failed', detail: 'The request is not valid', instance, errors: toFieldIssues(error) });
  }
  if (error instanceof AppError) {
    const headers = new Headers();
    const retryAfter = (error as { retryAfterSeconds?: unknown }).retryAfterSeconds;
    if (typeof retryAfter === 'number') headers.set('Retry-After', String(Math.max(1, Math.ceil(retryAfter))));
    if (error instanceof MethodNotAllowedError) headers.set('Allow', error.allow.join(', '));
    // RFC 9110: a 401 names the scheme the client should use.
    if (error.status === 401) headers.set('WWW-Authenticate', 'Bearer realm="mizaj"');
    if (error.status >= 500) logUnavailable(error, opts);
    return problemResponse({ status: error.status, code: error.code, detail: error.message, instance, headers });
  }
  if (isDatabaseUnavailable(error)) {
    logUnavailable(error, opts);
    return toProblem(new ServiceUnavailableError('The database is unavailable; try again shortly'), { instance });
  }
  logOnce(error, opts, 'error');
  return problemResponse({ status: 500, code: 'internal_error', detail: 'An unexpected error occurred', instance });
}

/** While a dependency is down every request fails the same way: one line a minute per cause, not one per request. */
const UNAVAILABLE_LOG_MS = 60_000;
const unavailableLogged = new Map<string, { until: number; suppressed: number }>();

function logUnavailable(error: unknown, opts: ToProblemOptions) {
  const cause = `${error instanceof Error ? error.name : typeof error}:${String((error as { code?: unknown }).code ?? '')}`;
  const now = Date.now();
  const seen = unavailableLogged.get(cause);
  if (seen && now < seen.until) {
    seen.suppressed++;
    return;
  }
  unavailableLogged.set(cause, { until: now + UNAVAILABLE_LOG_MS, suppressed: 0 });
  // Expected under a fault: class and code only (no stack); how many were answered the same way since the last line.
  httpLog.warn(
    { cause, requestId: opts.requestId, route: opts.route, path: opts.instance, sameSinceLastLine: seen?.suppressed ?? 0 },
    'request refused: a dependency is unavailable (logged once a minute while it lasts)',
  );
}

function logOnce(error: unknown, opts: ToProblemOptions, level: 'warn' | 'error') {
  // The logger reduces err to class, code and stack frames: driver errors quote the failed SQL's parameters.
  httpLog[level]({ err: error, requestId: opts.requestId, route: opts.route, path: opts.instance }, 'request failed');
}
