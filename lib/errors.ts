import type { z } from 'zod';

const BRAND = Symbol.for('mizaj.AppError');

/**
 * Domain errors thrown by lib/ and mapped to problem+json in one place (lib/http).
 * They carry no HTTP types so services stay free of Request/Response.
 *
 * Next bundles lib/ more than once in one process (instrumentation, route handlers, the fast-path server),
 * so an error made by one copy must be recognised by another: `instanceof AppError` checks a global brand,
 * and `instanceof` a subclass that declares a static CODE checks the error's code.
 */
export class AppError extends Error {
  readonly [BRAND] = true;

  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }

  static [Symbol.hasInstance](value: unknown): boolean {
    if (typeof value !== 'object' || value === null || !(BRAND in value)) return false;
    if (this === AppError) return true;
    const code = (this as { CODE?: string }).CODE;
    return code !== undefined ? (value as AppError).code === code : Function.prototype[Symbol.hasInstance].call(this, value);
  }
}

export type FieldIssue = { path: string; message: string };

export class ValidationError extends AppError {
  static readonly CODE = 'validation_failed';
  constructor(message: string, readonly issues: FieldIssue[] = []) {
    super(message, 400, 'validation_failed', issues);
  }
}

export class NotFoundError extends AppError {
  static readonly CODE = 'not_found';
  constructor(what: string, id: string | number) {
    super(`${what} ${id} was not found`, 404, 'not_found');
  }
}

export class ConflictError extends AppError {
  static readonly CODE = 'conflict';
  constructor(message: string) {
    super(message, 409, 'conflict');
  }
}

export class UnauthorizedError extends AppError {
  static readonly CODE = 'unauthorized';
  constructor(message = 'Authentication required') {
    super(message, 401, 'unauthorized');
  }
}

export class ForbiddenError extends AppError {
  static readonly CODE = 'forbidden';
  constructor(message = 'Not allowed for this role') {
    super(message, 403, 'forbidden');
  }
}

/** A dependency (database, or Redis when an invalidation cannot be recorded) is unavailable. */
export class ServiceUnavailableError extends AppError {
  static readonly CODE = 'service_unavailable';
  constructor(message: string, readonly retryAfterSeconds = 5) {
    super(message, 503, 'service_unavailable');
  }
}

/** If-Match names a representation that is no longer current: someone else changed the resource. */
export class PreconditionFailedError extends AppError {
  static readonly CODE = 'precondition_failed';
  constructor(message = 'The resource changed since it was read (If-Match does not match its ETag); read it again') {
    super(message, 412, 'precondition_failed');
  }
}

/** A write that must say which version it changes was sent without If-Match. */
export class PreconditionRequiredError extends AppError {
  static readonly CODE = 'precondition_required';
  constructor(message = 'Send If-Match with the ETag you read (or * to overwrite whatever is there)') {
    super(message, 428, 'precondition_required');
  }
}

/** Idempotency-Key sent again with another request (IETF httpapi Idempotency-Key draft: 422). */
export class IdempotencyKeyReusedError extends AppError {
  static readonly CODE = 'idempotency_key_reused';
  constructor() {
    super('This Idempotency-Key was already used with a different request', 422, 'idempotency_key_reused');
  }
}

/** The first request with this Idempotency-Key is still being processed (draft: 409); retry shortly. */
export class IdempotencyKeyInFlightError extends AppError {
  static readonly CODE = 'idempotency_key_in_flight';
  constructor() {
    super('A request with this Idempotency-Key is still being processed; retry shortly', 409, 'idempotency_key_in_flight');
  }
}

/** Too many attempts (sign-in rate limits); Retry-After says when to try again. */
export class TooManyRequestsError extends AppError {
  static readonly CODE = 'too_many_requests';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message, 429, 'too_many_requests');
  }
}

/** Where an input value came from, as the first segment of its issue path. */
export type InputLocation = 'params' | 'query' | 'body';

/**
 * The one way zod issues become field issues (docs/api.md): `{ path, message }` pairs whose path is dotted
 * and starts with where the value came from (`body.rating`, `params.id`, `query.days`), so a client can point
 * at the exact field. Without a location (a service validating its own input) the path names the input's own
 * field (`rating`) and the HTTP layer puts it in the body (lib/http/route.ts). One entry per unexpected key.
 */
export function toFieldIssues(error: z.ZodError, location?: InputLocation): FieldIssue[] {
  const out: FieldIssue[] = [];
  const join = (parts: readonly PropertyKey[]) =>
    [location, ...parts.map((p) => (typeof p === 'symbol' ? p.description ?? '?' : String(p)))].filter((p) => p !== undefined && p !== '').join('.') ||
    ROOT_PATH;
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ path: join([...issue.path, key]), message: 'Unrecognized field' });
      continue;
    }
    out.push({ path: join(issue.path), message: issue.message });
  }
  return out;
}

/** The path of an issue about the whole input (no location, no field). */
export const ROOT_PATH = '(root)';
