import 'server-only';
import { OpenAPIRegistry, OpenApiGeneratorV31, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import type { AccessLevel } from '@/lib/auth/scopes';
import { SESSION_COOKIE } from '@/lib/auth/session-cookie';
import { PROBLEM_CODE_NAMES, PROBLEM_CODES, codesFor } from './problem-codes';
import { PROBLEM_CONTENT_TYPE } from './problem';
import { strictByDefault } from './parse-input';
import type { RouteOptions } from './route';
import { z } from './zod';

type Schema = z.ZodType | undefined;
type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * One API operation: the route wrapper's options (same zod schemas) plus what OpenAPI needs. Define it in
 * lib/ once and use it for both `route(op, handler)` and the document.
 */
export type ApiOperation<P extends Schema = Schema, Q extends Schema = Schema, B extends Schema = Schema> = RouteOptions<P, Q, B> & {
  method: Method;
  /** '/api/recommendations/{id}' (Next's '[id]' is accepted too). */
  path: string;
  /** Stable: generated clients name their functions after it. */
  operationId: string;
  summary: string;
  description: string;
  tags: string[];
  /** Schema of the success body; omit for 204. */
  response?: z.ZodType;
  /** An example success body (checked against `response` by the document test). */
  example?: unknown;
  /** An example request body. */
  bodyExample?: unknown;
  /** Media type of the success body when it is not JSON (the body is then a string). */
  responseContentType?: string;
  successStatus?: 200 | 201 | 202 | 204;
  /** Other success answers of the same operation (e.g. 200 for a tag, 202 for a category job). */
  alsoAnswers?: { status: 200 | 201 | 202; description: string; response: z.ZodType; example?: unknown }[];
  /**
   * How a GET answer can be cached by clients: 'cached' goes through the server's cache (ETag, Cache-Control
   * from the entry's TTL, X-Cache, 304); 'validated' is computed each time but has an ETag and 304.
   */
  httpCache?: 'cached' | 'validated';
  /** Answers about one patient: `private, no-cache` and `Vary: Authorization, Cookie` (issue 10). */
  personal?: boolean;
  /** Writes: If-Match required (428 / 412), an Idempotency-Key accepted, ETag (+ Location on 201) answered. */
  write?: { ifMatch?: boolean; idempotent?: boolean; etag?: boolean; location?: string };
  /** Error statuses beyond those implied by auth, inputs and `write` (404 for an unknown id…). */
  errors?: number[];
  /** The operation answers 503 with its own success schema (health) rather than a problem. */
  unavailableIsSuccessShape?: boolean;
};

/** Keeps literal types for `route(op, …)` while checking the shape. */
export const defineOperation = <A extends AccessLevel, P extends Schema = undefined, Q extends Schema = undefined, B extends Schema = undefined>(
  op: ApiOperation<P, Q, B> & { auth: A },
) => op;

export const fieldIssueSchema = z
  .object({
    path: z.string().openapi({ description: 'Where the value came from and its field: `params.id`, `query.limit`, `body.rating`', example: 'body.rating' }),
    message: z.string().openapi({ description: 'What is wrong, for a developer', example: 'must be between 1 and 5' }),
  })
  .openapi('FieldIssue', { description: 'One invalid input field' });

const codeTable = PROBLEM_CODE_NAMES.map((c) => `- \`${c}\` (${PROBLEM_CODES[c].status}): ${PROBLEM_CODES[c].meaning}`).join('\n');

/** RFC 9457 problem details as lib/http/problem.ts sends them. */
export const problemSchema = z
  .object({
    type: z.string().openapi({ description: 'URN naming the problem: `urn:mizaj:problem:` + the code with dashes', example: 'urn:mizaj:problem:validation-failed' }),
    title: z.string().openapi({ description: 'The HTTP reason phrase', example: 'Bad Request' }),
    status: z.number().int().openapi({ description: 'The HTTP status, repeated', example: 400 }),
    code: z.enum(PROBLEM_CODE_NAMES).openapi({ description: `Machine-readable error code:\n${codeTable}`, example: 'validation_failed' }),
    detail: z.string().optional().openapi({ description: 'Human-readable explanation (English)', example: 'Invalid body' }),
    instance: z.string().optional().openapi({ description: 'The request path', example: '/api/feedback/submit' }),
    errors: z.array(fieldIssueSchema).optional().openapi({ description: 'Per-field details (400 validation_failed only)' }),
  })
  .openapi('Problem', { description: 'An error (RFC 9457). Error answers are never cached: `Cache-Control: no-store`.' });

const ERROR_TEXT: Record<number, string> = {
  400: 'Invalid input (`errors` names each field) or a body that is not JSON',
  401: 'No valid API key or session',
  403: 'The identity lacks the role or scope',
  404: 'Not found',
  409: 'A request with the same Idempotency-Key is still running',
  412: 'If-Match does not match the current ETag (someone else changed it)',
  413: 'Request body larger than 64 KiB',
  415: 'Request body is not application/json',
  422: 'The Idempotency-Key was used before with another body',
  428: 'If-Match is required',
  429: 'Too many requests; see Retry-After',
  500: 'Unexpected error (details are logged, not returned)',
  503: 'The database is unavailable (or a write could not record its cache invalidation); nothing was written; see Retry-After',
};

type Header = { description: string; required: boolean; schema: { type: 'string'; enum?: string[] }; example?: string };
const header = (description: string, example?: string, required = true, values?: string[]): Header => ({
  description,
  required,
  schema: { type: 'string', ...(values && { enum: values }) },
  ...(example !== undefined && { example }),
});

/** Response headers, named once so every answer documents the same text. */
export const HEADERS = {
  requestId: header('Echoes a safe X-Request-Id from the request, else a new UUID; quote it when reporting a problem', '6f1c2a9e-1b7d-4c8e-9a51-3e2f0c7d8b10'),
  serverTiming: header('Where the time went: `cache`, `db`, `auth`, `app` in milliseconds', 'cache;dur=0.4, db;dur=12.1, auth;dur=0.2, app;dur=13'),
  noStore: header('Errors are never stored: `no-store`', 'no-store'),
  notCached: header('`no-store` unless the operation says otherwise (this document: `public, max-age=300`)', 'no-store'),
  wwwAuthenticate: header('The scheme to use (RFC 9110)', 'Bearer realm="mizaj"'),
  retryAfter: header('Seconds to wait before retrying', '5'),
  etag: header('Strong validator: SHA-256 of the body, base64url, quoted. Send it back as If-None-Match (reads) or If-Match (writes)', '"kT2cW4m0q3Yh5cRkS5Vd1XyqzTq8b1jv9y0G3QWc7xE"'),
  cacheControl: header(
    'Cached answers: `private, max-age=<seconds of freshness left>, stale-while-revalidate=<grace>` (max-age falls as the entry ages). Answers about one patient: `private, no-cache` (revalidate with the ETag every time)',
    'private, max-age=3540, stale-while-revalidate=60',
  ),
  xCache: header('Whether the server cache answered', 'HIT', true, ['HIT', 'MISS', 'STALE']),
  personalCacheControl: header('Answers about one patient: keep only to revalidate with the ETag, never past sign-out', 'private, no-cache', true, ['private, no-cache']),
  personalVary: header('Keyed on the credential (and `Accept-Encoding` when a gzip copy exists)', 'Authorization, Cookie, Accept-Encoding', true),
  vary: header('`Accept-Encoding` when a gzip copy exists; answers about a patient also vary on `Authorization, Cookie`', 'Accept-Encoding', false),
  location: header('Where the created resource can be read', '/api/feedback/1234'),
  replayed: header('`true` when this is the stored answer to an earlier request with the same Idempotency-Key', 'true', false, ['true']),
} satisfies Record<string, Header>;

const always = { 'X-Request-Id': HEADERS.requestId, 'Server-Timing': HEADERS.serverTiming };

const problemResponse = (status: number) => ({
  description: `${ERROR_TEXT[status] ?? 'Error'}. Codes: ${codesFor(status).map((c) => `\`${c}\``).join(', ')}`,
  headers: {
    ...always,
    'Cache-Control': HEADERS.noStore,
    ...(status === 401 && { 'WWW-Authenticate': HEADERS.wwwAuthenticate }),
    ...((status === 429 || status === 503) && { 'Retry-After': HEADERS.retryAfter }),
  },
  content: { [PROBLEM_CONTENT_TYPE]: { schema: problemSchema } },
});

/**
 * Who may call what, readable by people (description) and tools (`x-mizaj-permission`). Scopes and roles
 * are not put in the security requirements: generators ignore them for http/apiKey schemes.
 */
export const PERMISSIONS: Record<AccessLevel, { text: string; roles: string[]; apiKeyScopes: string[] | null }> = {
  public: { text: 'No credential needed.', roles: [], apiKeyScopes: [] },
  read: { text: 'Any signed-in user (clinician or admin), or any valid API key.', roles: ['clinician', 'admin'], apiKeyScopes: ['read'] },
  write: { text: 'A clinician or admin session, or an API key with the `write` scope.', roles: ['clinician', 'admin'], apiKeyScopes: ['write'] },
  admin: { text: 'An admin session only; API keys never reach admin operations (403).', roles: ['admin'], apiKeyScopes: null },
};

const SECURITY: Record<AccessLevel, RouteConfig['security']> = {
  public: [],
  read: [{ apiKey: [] }, { sessionCookie: [] }],
  write: [{ apiKey: [] }, { sessionCookie: [] }],
  admin: [{ sessionCookie: [] }],
};

export const toOpenApiPath = (path: string) => path.replace(/\[(?:\.\.\.)?([^\]]+)\]/g, '{$1}');

/** Every error status an operation can answer, from what it declares plus what its auth, inputs and writes imply. */
export function errorStatuses(op: ApiOperation): number[] {
  const s = new Set<number>(op.errors ?? []);
  if (op.params || op.query || op.body || op.write?.idempotent) s.add(400);
  if (op.auth !== 'public') {
    s.add(401);
    // Credentials are looked up in the database (cached briefly): without it, 503.
    s.add(503);
  }
  // read needs the read scope: a write-only key gets 403 (issue 10)
  if (op.auth !== 'public') s.add(403);
  if (op.body) {
    s.add(413);
    s.add(415);
  }
  if (op.write?.ifMatch) {
    s.add(412);
    s.add(428);
  }
  if (op.write?.idempotent) {
    s.add(409);
    s.add(422);
  }
  s.add(500);
  if (op.unavailableIsSuccessShape) s.delete(503);
  return [...s].sort((a, b) => a - b);
}

function successHeaders(op: ApiOperation) {
  const h: Record<string, Header> = { ...always };
  if (op.httpCache) {
    h.ETag = HEADERS.etag;
    h['Cache-Control'] = op.personal ? HEADERS.personalCacheControl : HEADERS.cacheControl;
    h.Vary = op.personal ? HEADERS.personalVary : HEADERS.vary;
    if (op.httpCache === 'cached') h['X-Cache'] = HEADERS.xCache;
  } else {
    h['Cache-Control'] = HEADERS.notCached;
  }
  if (op.write?.etag) h.ETag = { ...HEADERS.etag, description: 'The new ETag of the resource written: send it as If-Match for the next change' };
  if (op.write?.location) h.Location = { ...HEADERS.location, description: `${HEADERS.location.description}: \`${op.write.location}\`` };
  if (op.write?.idempotent) h['Idempotent-Replayed'] = HEADERS.replayed;
  return h;
}

function requestHeaders(op: ApiOperation) {
  const shape: Record<string, z.ZodType> = {};
  if (op.httpCache) {
    shape['If-None-Match'] = z.string().optional().openapi({ description: 'An ETag received earlier: a 304 without a body answers when it still matches', example: '"kT2cW4m0q3Yh5cRkS5Vd1XyqzTq8b1jv9y0G3QWc7xE"' });
  }
  if (op.write?.ifMatch) {
    shape['If-Match'] = z.string().openapi({
      description: 'The ETag you read (GET), or `*` to overwrite whatever is there. Checked inside the write transaction: 412 when the resource changed since, 428 when missing',
      example: '"kT2cW4m0q3Yh5cRkS5Vd1XyqzTq8b1jv9y0G3QWc7xE"',
    });
  }
  if (op.write?.idempotent) {
    shape['Idempotency-Key'] = z.string().min(1).max(255).regex(/^[\x21-\x7e]+$/).optional().openapi({
      description: 'Makes a retry safe: the same key with the same body replays the first answer (`Idempotent-Replayed: true`) and writes nothing more; the same key with another body is 422, while the first is still running 409. 1–255 visible ASCII characters, kept per credential for 24 h',
      example: '01JD3Q7V4T8ZP6W0K2M5N9R1XA',
    });
  }
  return Object.keys(shape).length ? z.object(shape) : undefined;
}

function description(op: ApiOperation): string {
  const extras = [
    op.description,
    `**Permission:** ${PERMISSIONS[op.auth].text}`,
    op.personal ? 'Personal data (names a patient): `Cache-Control: private, no-cache` with `Vary: Authorization, Cookie`; a client keeps it only to revalidate and drops it on sign-out.' : undefined,
    op.method === 'GET' ? 'HEAD answers the same without a body.' : undefined,
  ];
  return extras.filter(Boolean).join('\n\n');
}

export function registerOperation(registry: OpenAPIRegistry, op: ApiOperation): void {
  const successStatus = op.successStatus ?? (op.response ? 200 : 204);
  const contentType = op.responseContentType ?? 'application/json';
  const content = op.response && successStatus !== 204 && { content: { [contentType]: { schema: op.response, ...(op.example !== undefined && { example: op.example }) } } };
  const responses: RouteConfig['responses'] = {
    [successStatus]: { description: op.summary, headers: successHeaders(op), ...content },
  };
  for (const also of op.alsoAnswers ?? []) {
    responses[also.status] = { description: also.description, headers: successHeaders(op), content: { [contentType]: { schema: also.response, ...(also.example !== undefined && { example: also.example }) } } };
  }
  if (op.httpCache) {
    const h = successHeaders(op);
    responses[304] = { description: 'Not modified: If-None-Match matched the ETag; no body', headers: h };
  }
  if (op.unavailableIsSuccessShape) {
    responses[503] = { description: 'Not ready: the database does not answer (same body, `status: degraded`)', headers: successHeaders(op), ...content };
  }
  for (const status of errorStatuses(op)) responses[status] = problemResponse(status);

  const headers = requestHeaders(op);
  registry.registerPath({
    method: op.method.toLowerCase() as RouteConfig['method'],
    path: toOpenApiPath(op.path),
    operationId: op.operationId,
    summary: op.summary,
    description: description(op),
    tags: op.tags,
    security: SECURITY[op.auth],
    'x-mizaj-permission': { level: op.auth, roles: PERMISSIONS[op.auth].roles, apiKeyScopes: PERMISSIONS[op.auth].apiKeyScopes },
    ...(op.personal && { 'x-mizaj-personal': true }),
    request: {
      // The same strictness the wrapper applies, so the document says additionalProperties: false.
      ...(op.params && { params: strictByDefault(op.params) as z.ZodObject }),
      ...(op.query && { query: strictByDefault(op.query) as z.ZodObject }),
      ...(headers && { headers }),
      ...(op.body && {
        body: {
          description: 'JSON, at most 64 KiB',
          required: true,
          content: { 'application/json': { schema: strictByDefault(op.body), ...(op.bodyExample !== undefined && { example: op.bodyExample }) } },
        },
      }),
    },
    responses,
  });
}

export function createApiRegistry(): OpenAPIRegistry {
  const registry = new OpenAPIRegistry();
  registry.register('Problem', problemSchema);
  registry.registerComponent('securitySchemes', 'apiKey', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'mz_<43 base64url characters>',
    description: 'API key for mobile clients: `Authorization: Bearer mz_…`. Created with `npm run apikey:create -- --name app --scopes read,write`.',
  });
  registry.registerComponent('securitySchemes', 'sessionCookie', {
    type: 'apiKey',
    in: 'cookie',
    name: SESSION_COOKIE,
    description: 'Session cookie of a signed-in web user (role clinician or admin).',
  });
  return registry;
}

const holder = globalThis as typeof globalThis & { __mizajApiOperations?: Map<string, ApiOperation> };
const operations = (holder.__mizajApiOperations ??= new Map());

/** Adds an operation to the process-wide list that buildOpenApiDocument() documents (last one wins). */
export function addOperation(op: ApiOperation): void {
  operations.set(`${op.method} ${toOpenApiPath(op.path)}`, op);
}

export function listOperations(): ApiOperation[] {
  return [...operations.values()];
}

export type OpenApiDocumentOptions = { operations?: ApiOperation[]; title?: string; version?: string; serverUrl?: string };

const API_DESCRIPTION = `JSON API for the Mizaj mobile app (Persian-medicine recommendations, predictions, analytics and feedback).

- **Auth:** \`Authorization: Bearer <api key>\` (or a web session cookie). Each operation states its permission in its description and in \`x-mizaj-permission\`.
- **Errors:** \`application/problem+json\` (RFC 9457) with a \`code\` from the Problem schema's list; never cached (\`no-store\`).
- **Caching:** reads carry an \`ETag\` and \`Cache-Control\`; send \`If-None-Match\` to get a 304. Writes answer the new \`ETag\`; \`PUT\` needs \`If-Match\`.
- **Retries:** send an \`Idempotency-Key\` with writes; a retry with the same key and body replays the first answer.
- **Pagination:** lists that grow take \`limit\` and \`cursor\` and answer \`next\` (null on the last page).
- **Methods:** every GET path also answers HEAD; OPTIONS answers 204 with \`Allow\`; another known method answers 405 problem+json with \`Allow\`, an unknown one 501; unknown \`/api\` paths 404. Oversized URLs answer 414, oversized headers 431.
- Every answer carries \`X-Request-Id\` and \`Server-Timing\`.

A typed client with an offline cache: \`client/\` in the repository (docs/api.md).`;

/** Generates the OpenAPI 3.1 document from the operations' zod schemas (no hand-written copy). */
export function buildOpenApiDocument(opts: OpenApiDocumentOptions = {}) {
  const registry = createApiRegistry();
  for (const op of opts.operations ?? listOperations()) registerOperation(registry, op);
  const serverUrl = opts.serverUrl ?? 'http://localhost:3000';
  const doc = new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: opts.title ?? 'Mizaj API',
      version: opts.version ?? '1.0.0',
      description: API_DESCRIPTION,
      contact: { name: 'Mizaj API maintainers', url: serverUrl },
      license: { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' },
    },
    servers: [{ url: serverUrl, description: 'This deployment (PUBLIC_URL)' }],
    tags: [
      { name: 'recommendations', description: 'Remedies for a condition and their effectiveness scores' },
      { name: 'predictions', description: 'Recommendations ranked for one diagnosis' },
      { name: 'analytics', description: 'Feedback analytics per recommendation' },
      { name: 'feedback', description: 'Clinician feedback on a recommendation for a diagnosis' },
      { name: 'patients', description: 'Patient profiles (personal data)' },
      { name: 'cache', description: 'The server cache (admins)' },
      { name: 'operations', description: 'Health, metrics and this document' },
    ],
  });
  return doc;
}
