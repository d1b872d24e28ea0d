/**
 * Every `code` a problem+json answer can carry, with its status and what it means for a client. The
 * OpenAPI document lists them as an enum (a drift fails the conformance check), docs/api.md as a table.
 * Codes marked as coming from another issue's work are answered once that work has landed.
 */
export const PROBLEM_CODES = {
  validation_failed: { status: 400, meaning: 'An input is invalid; `errors` names each field (`params.id`, `query.limit`, `body.rating`…).' },
  malformed_body: { status: 400, meaning: 'The body is not valid JSON.' },
  unauthorized: { status: 401, meaning: 'No credential, or one that is not valid (revoked key, expired session); see WWW-Authenticate.' },
  forbidden: { status: 403, meaning: 'The credential is valid but lacks the role or scope the operation needs.' },
  not_found: { status: 404, meaning: 'The resource in the URL does not exist (or the API path is unknown).' },
  method_not_allowed: { status: 405, meaning: 'The path exists but not with this method; Allow lists the methods it has.' },
  idempotency_key_in_flight: { status: 409, meaning: 'A request with the same Idempotency-Key is still running; retry after it has answered.' },
  precondition_failed: { status: 412, meaning: 'If-Match does not match the current ETag: someone changed the resource since you read it. GET it again, reapply, resend.' },
  payload_too_large: { status: 413, meaning: 'The body is larger than 64 KiB.' },
  uri_too_long: { status: 414, meaning: 'The URL is too long.' },
  unsupported_media_type: { status: 415, meaning: 'The body is not sent as application/json.' },
  idempotency_key_reused: { status: 422, meaning: 'The Idempotency-Key was already used with a different body.' },
  precondition_required: { status: 428, meaning: 'This write needs If-Match (the ETag you read, or `*` to overwrite whatever is there).' },
  too_many_requests: { status: 429, meaning: 'Too many attempts; wait Retry-After seconds.' },
  request_header_fields_too_large: { status: 431, meaning: 'A header (or all of them) is too large.' },
  internal_error: { status: 500, meaning: 'Unexpected error; nothing about it is returned (it is logged with the X-Request-Id).' },
  not_implemented: { status: 501, meaning: 'The method is not one this server implements.' },
  service_unavailable: { status: 503, meaning: 'The database (or, for a write, the cache invalidation) is unavailable; retry after Retry-After seconds. A write that answered 503 stored nothing.' },
} as const satisfies Record<string, { status: number; meaning: string }>;

export type ProblemCode = keyof typeof PROBLEM_CODES;

export const PROBLEM_CODE_NAMES = Object.keys(PROBLEM_CODES) as [ProblemCode, ...ProblemCode[]];

/** The codes a status can carry. */
export const codesFor = (status: number): ProblemCode[] => PROBLEM_CODE_NAMES.filter((c) => PROBLEM_CODES[c].status === status);
