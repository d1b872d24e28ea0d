import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { gunzipSync } from 'node:zlib';

/**
 * Checks an HTTP answer against the OpenAPI document: the status is documented for that operation, the
 * content type is the documented one, the body matches its schema, and every documented required header is
 * there (with an allowed value when the document lists them). Paths and methods the document does not have
 * must be refused the documented way (404 / 405 with Allow / 501, as problem+json).
 *
 * Plain TypeScript (no test-runner imports): vitest's API tests and Playwright's client tests share it.
 */

type Json = Record<string, unknown>;
type HeaderDoc = { required?: boolean; schema?: { enum?: string[] } };
type ResponseDoc = { headers?: Record<string, HeaderDoc>; content?: Record<string, { schema: unknown }> };
type OperationDoc = { operationId: string; responses: Record<string, ResponseDoc> };
export type OpenApiDoc = { paths: Record<string, Record<string, OperationDoc>>; components?: Json };

export type Seen = { method: string; url: string; status: number; headers: Headers; body: string };

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'DELETE', 'PATCH']);
const PROBLEM = 'application/problem+json';
const VARY_TOKENS = new Set(['accept-encoding', 'authorization', 'cookie']);
const addFormats = (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule;

export class ConformanceError extends Error {
  override name = 'ConformanceError';
}

export function createConformance(doc: OpenApiDoc) {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
  (addFormats as unknown as (a: Ajv2020) => void)(ajv);
  ajv.addSchema(doc as unknown as Json, 'openapi');
  const validators = new Map<string, ValidateFunction>();
  const validatorAt = (pointer: string) => {
    let v = validators.get(pointer);
    if (!v) validators.set(pointer, (v = ajv.getSchema(`openapi#${pointer}`)!));
    if (!v) throw new Error(`no schema at ${pointer}`);
    return v;
  };
  const templates = Object.keys(doc.paths).map((p) => ({ path: p, re: new RegExp(`^${p.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}$`) }));
  const esc = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');
  const problemPointer = '/components/schemas/Problem';
  /** How often each operation and status was seen (for coverage reports). */
  const coverage = new Map<string, number>();

  function fail(seen: Seen, what: string): never {
    throw new ConformanceError(`${seen.method} ${seen.url} → ${seen.status}: ${what}\n  body: ${seen.body.slice(0, 400)}`);
  }

  function checkProblem(seen: Seen) {
    if (mediaType(seen.headers) !== PROBLEM) fail(seen, `content type ${seen.headers.get('content-type')} is not ${PROBLEM}`);
    const v = validatorAt(problemPointer);
    if (!v(parse(seen))) fail(seen, `problem body does not match: ${ajv.errorsText(v.errors)}`);
  }

  function parse(seen: Seen): unknown {
    try {
      return JSON.parse(seen.body);
    } catch {
      return fail(seen, 'body is not JSON');
    }
  }

  function check(seen: Seen): void {
    const { pathname } = new URL(seen.url, 'http://x');
    // An API answer varies only on what the document says: encoding and credentials.
    const vary = (seen.headers.get('vary') ?? '').split(',').map((t) => t.trim().toLowerCase()).filter(Boolean);
    const strange = vary.filter((t) => !VARY_TOKENS.has(t));
    if (strange.length) fail(seen, `Vary names ${strange.join(', ')}, which no documented answer depends on`);
    const template = templates.find((t) => t.re.test(pathname));
    const method = seen.method.toUpperCase();
    if (!template) {
      if (!pathname.startsWith('/api')) return;
      if (seen.status !== 404 && seen.status !== 501 && seen.status !== 400) fail(seen, 'an undocumented /api path must answer 404 (or 400 / 501)');
      return checkProblem(seen);
    }
    const item = doc.paths[template.path]!;
    const documented = METHODS.filter((m) => item[m]).map((m) => m.toUpperCase());
    if (method === 'OPTIONS') {
      if (seen.status >= 400) return checkProblem(seen);
      if (!seen.headers.get('allow')) fail(seen, 'OPTIONS must answer Allow');
      return;
    }
    const op = item[(method === 'HEAD' ? 'get' : method.toLowerCase())];
    if (!op) {
      if (!KNOWN_METHODS.has(method) ? seen.status !== 501 : seen.status !== 405) fail(seen, `${method} is not documented for ${template.path} (documented: ${documented.join(', ')}): expected 405 or 501`);
      if (seen.status === 405) {
        // Allow names exactly the documented methods, plus HEAD with GET, plus OPTIONS. (OPTIONS's own Allow is
        // Next's until issue 16 makes it agree; it is only required to be there.)
        const allow = (seen.headers.get('allow') ?? '').split(',').map((m) => m.trim()).filter(Boolean).sort();
        const want = [...documented, ...(documented.includes('GET') ? ['HEAD'] : []), 'OPTIONS'].sort();
        if (allow.join() !== want.join()) fail(seen, `405 Allow: ${allow.join(', ')}; documented: ${want.join(', ')}`);
      }
      return checkProblem(seen);
    }
    const response = op.responses[String(seen.status)] ?? op.responses.default;
    if (!response) fail(seen, `status ${seen.status} is not documented for ${op.operationId} (documented: ${Object.keys(op.responses).join(', ')})`);
    coverage.set(`${op.operationId} ${seen.status}`, (coverage.get(`${op.operationId} ${seen.status}`) ?? 0) + 1);
    for (const [name, h] of Object.entries(response.headers ?? {})) {
      const value = seen.headers.get(name);
      if (value === null) {
        if (h.required) fail(seen, `documented header ${name} is missing`);
        continue;
      }
      if (h.schema?.enum && !h.schema.enum.includes(value)) fail(seen, `header ${name}: ${value} is not one of ${h.schema.enum.join(', ')}`);
    }
    const hasBody = seen.status !== 304 && seen.status !== 204 && method !== 'HEAD';
    if (!hasBody) {
      if (seen.body !== '') fail(seen, 'expected no body');
      return;
    }
    const types = Object.keys(response.content ?? {});
    if (types.length === 0) {
      if (seen.body !== '') fail(seen, 'a body where the document says none');
      return;
    }
    const got = mediaType(seen.headers);
    const type = types.find((t) => t.split(';')[0]!.trim().toLowerCase() === got);
    if (!type) fail(seen, `content type ${seen.headers.get('content-type')} is not documented (${types.join(', ')})`);
    if (!type.startsWith('application/') || !type.includes('json')) return;
    const v = validatorAt(`/paths/${esc(template.path)}/${method === 'HEAD' ? 'get' : method.toLowerCase()}/responses/${seen.status}/content/${esc(type)}/schema`);
    if (!v(parse(seen))) fail(seen, `body does not match ${op.operationId} ${seen.status}: ${ajv.errorsText(v.errors)}`);
  }

  /** Validates a value against a schema of the document (examples, request bodies). */
  function validate(pointer: string, value: unknown): string | null {
    const v = validatorAt(pointer);
    return v(value) ? null : ajv.errorsText(v.errors);
  }

  return { check, validate, coverage };
}

function mediaType(headers: Headers): string {
  return (headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
}

/** Reads a fetch Response once for checking, handing back an equivalent unread Response. */
export async function snapshot(method: string, url: string, res: Response): Promise<{ seen: Seen; response: Response }> {
  const bytes = Buffer.from(await res.arrayBuffer());
  // A route handler behind server.ts may answer the stored gzip copy, its encoding renamed (lib/http/stored-gzip.ts);
  // over HTTP, fetch has decoded a Content-Encoding already.
  const gzip = res.headers.get('x-mizaj-content-encoding') === 'gzip' && bytes.length > 0;
  const body = (gzip ? gunzipSync(bytes) : bytes).toString('utf8');
  const response = new Response([101, 103, 204, 205, 304].includes(res.status) ? null : bytes, {
    status: res.status,
    statusText: res.statusText,
    headers: res.headers,
  });
  return { seen: { method, url, status: res.status, headers: res.headers, body }, response };
}
