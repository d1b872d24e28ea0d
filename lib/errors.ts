/**
 * Domain errors thrown by lib/ and mapped to problem+json in one place (lib/http).
 * They carry no HTTP types so services stay free of Request/Response.
 */
export class AppError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export type FieldIssue = { path: string; message: string };

export class ValidationError extends AppError {
  constructor(message: string, readonly issues: FieldIssue[] = []) {
    super(message, 400, 'validation_failed', issues);
  }
}

export class NotFoundError extends AppError {
  constructor(what: string, id: string | number) {
    super(`${what} ${id} was not found`, 404, 'not_found');
  }
}

export class ConflictError extends AppError {
  constructor(message: string) {
    super(message, 409, 'conflict');
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = 'Authentication required') {
    super(message, 401, 'unauthorized');
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'Not allowed for this role') {
    super(message, 403, 'forbidden');
  }
}

/** A dependency (database, or Redis when an invalidation cannot be recorded) is unavailable. */
export class ServiceUnavailableError extends AppError {
  constructor(message: string, readonly retryAfterSeconds = 5) {
    super(message, 503, 'service_unavailable');
  }
}
