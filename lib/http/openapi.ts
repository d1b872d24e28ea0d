import 'server-only';
import { OpenAPIRegistry, OpenApiGeneratorV31, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import type { AccessLevel } from '@/lib/auth/scopes';
import { SESSION_COOKIE } from '@/lib/auth/session-cookie';
import { PROBLEM_CONTENT_TYPE } from './problem';
import { strictByDefault } from './parse-input';
import type { RouteOptions } from './route';
import { z } from './zod';

type Schema = z.ZodType | undefined;
type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * One API operation: the route wrapper's options (same zod schemas) plus what OpenAPI needs. Define it in
 * lib/ once and use it for both `route(op, handler)` and `registerOperation(op)`.
 */
export type ApiOperation<P extends Schema = Schema, Q extends Schema = Schema, B extends Schema = Schema> = RouteOptions<P, Q, B> & {
  method: Method;
  /** '/api/recommendations/{id}' (Next's '[id]' is accepted too). */
  path: string;
  summary: string;
  description?: string;
  tags?: string[];
  operationId?: string;
  /** JSON schema of the success body; omit for 204. */
  response?: z.ZodType;
  successStatus?: 200 | 201 | 202 | 204;
  /** Cached GETs: documents ETag, Cache-Control, X-Cache and the 304 answer. */
  cached?: boolean;
  /** Names a patient: sent `private, no-cache` with `Vary: Authorization, Cookie` (never kept past sign-out). */
  personal?: boolean;
  /** Error statuses beyond those implied by auth and inputs (404 for an unknown id, 409, 429…). */
  errors?: number[];
};

/** Keeps literal types for `route(op, …)` while checking the shape. */
export const defineOperation = <A extends AccessLevel, P extends Schema = undefined, Q extends Schema = undefined, B extends Schema = undefined>(
  op: ApiOperation<P, Q, B> & { auth: A },
) => op;

export const fieldIssueSchema = z
  .object({ path: z.string().openapi({ example: 'body.rating' }), message: z.string() })
  .openapi('FieldIssue');

/** RFC 9457 problem details as lib/http/problem.ts sends them. */
export const problemSchema = z
  .object({
    type: z.string().openapi({ example: 'urn:mizaj:problem:validation-failed' }),
    title: z.string(),
    status: z.number().int(),
    code: z.string().openapi({ description: 'Machine-readable error code' }),
    detail: z.string().optional(),
    instance: z.string().optional(),
    errors: z.array(fieldIssueSchema).optional().openapi({ description: 'Per-field details (validation errors)' }),
  })
  .openapi('Problem');

const ERROR_TEXT: Record<number, string> = {
  400: 'Invalid input (see `errors` for the fields) or a body that is not JSON',
  401: 'No valid API key or session',
  403: 'The identity lacks the role or scope',
  404: 'Not found',
  405: 'Method not allowed',
  409: 'Conflict',
  413: 'Request body too large',
  415: 'Request body is not application/json',
  429: 'Too many requests; see Retry-After',
  500: 'Unexpected error (details are logged, not returned)',
  503: 'A dependency (the database) is unavailable; see Retry-After',
};

const problemResponse = (status: number) => ({
  description: ERROR_TEXT[status] ?? 'Error',
  content: { [PROBLEM_CONTENT_TYPE]: { schema: problemSchema } },
});

const SECURITY: Record<AccessLevel, RouteConfig['security']> = {
  public: [],
  read: [{ apiKey: [] }, { sessionCookie: [] }],
  // OpenAPI 3.1 allows role names in non-OAuth requirements: the key needs the write scope.
  write: [{ apiKey: ['write'] }, { sessionCookie: ['clinician'] }],
  admin: [{ sessionCookie: ['admin'] }],
};

const toOpenApiPath = (path: string) => path.replace(/\[(?:\.\.\.)?([^\]]+)\]/g, '{$1}');

function errorStatuses(op: ApiOperation): number[] {
  const s = new Set<number>(op.errors ?? []);
  if (op.params || op.query || op.body) s.add(400);
  if (op.auth !== 'public') s.add(401);
  if (op.auth !== 'public') s.add(403); // read needs the read scope too
  if (op.body) {
    s.add(413);
    s.add(415);
  }
  s.add(500);
  s.add(503);
  return [...s].sort((a, b) => a - b);
}

export function registerOperation(registry: OpenAPIRegistry, op: ApiOperation): void {
  const successStatus = op.successStatus ?? (op.response ? 200 : 204);
  const cacheHeaders = z.object({
    ETag: z.string().openapi({ description: 'Strong validator (SHA-256 of the body)' }),
    'Cache-Control': op.personal
      ? z.literal('private, no-cache').openapi({ description: 'Personal data: keep only to revalidate with If-None-Match; drop on sign-out' })
      : z.string().openapi({ example: 'private, max-age=3540, stale-while-revalidate=60' }),
    ...(op.personal && { Vary: z.string().openapi({ example: 'Authorization, Cookie, Accept-Encoding', description: 'Keyed on the credential' }) }),
    'X-Cache': z.enum(['HIT', 'MISS', 'STALE']),
    'Server-Timing': z.string().openapi({ example: 'cache;dur=0.4, db;dur=12.1, app;dur=13' }),
  });
  const responses: RouteConfig['responses'] = {
    [successStatus]: {
      description: op.summary,
      ...(op.cached && { headers: cacheHeaders }),
      ...(op.response && successStatus !== 204 && { content: { 'application/json': { schema: op.response } } }),
    },
  };
  if (op.cached) responses[304] = { description: 'Not modified (If-None-Match matched the ETag); no body', headers: cacheHeaders };
  for (const status of errorStatuses(op)) responses[status] = problemResponse(status);

  registry.registerPath({
    method: op.method.toLowerCase() as RouteConfig['method'],
    path: toOpenApiPath(op.path),
    summary: op.summary,
    ...(op.description && { description: op.description }),
    ...(op.tags && { tags: op.tags }),
    ...(op.operationId && { operationId: op.operationId }),
    security: SECURITY[op.auth],
    request: {
      // The same strictness the wrapper applies, so the document says additionalProperties: false.
      ...(op.params && { params: strictByDefault(op.params) as z.ZodObject }),
      ...(op.query && { query: strictByDefault(op.query) as z.ZodObject }),
      ...(op.cached && { headers: z.object({ 'If-None-Match': z.string().optional().openapi({ description: 'A previously received ETag' }) }) }),
      ...(op.body && { body: { required: true, content: { 'application/json': { schema: strictByDefault(op.body) } } } }),
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
    description: 'API key for mobile clients: `Authorization: Bearer mz_…`. Created with `npm run apikey:create`.',
  });
  registry.registerComponent('securitySchemes', 'sessionCookie', {
    type: 'apiKey',
    in: 'cookie',
    name: SESSION_COOKIE,
    description: 'Session cookie of a signed-in web user (roles: clinician, admin).',
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

/** Generates the OpenAPI 3.1 document from the operations' zod schemas (no hand-written copy). */
export function buildOpenApiDocument(opts: OpenApiDocumentOptions = {}) {
  const registry = createApiRegistry();
  for (const op of opts.operations ?? listOperations()) registerOperation(registry, op);
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: opts.title ?? 'Mizaj API',
      version: opts.version ?? '1.0.0',
      description: 'JSON API for the Mizaj mobile app. Errors are application/problem+json (RFC 9457).',
    },
    servers: [{ url: opts.serverUrl ?? '/' }],
  });
}
