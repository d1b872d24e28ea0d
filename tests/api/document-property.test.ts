import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { call, conformance, useApi } from './support';

/**
 * Requests built from the OpenAPI document itself — valid ones from each operation's schemas, invalid ones
 * by breaking one part — on a seeded database. `call` checks every answer against the document; here we
 * also check that valid input is never refused as invalid and invalid input always is.
 */

const api = useApi({ patients: 40 });

const REFERENCES_CHECKED = new Set(['submitFeedback', 'optimizeEffectiveness']);

type S = { type?: string | string[]; format?: string; enum?: unknown[]; minimum?: number; maximum?: number; exclusiveMinimum?: number; minProperties?: number; minLength?: number; maxLength?: number; pattern?: string; properties?: Record<string, S>; required?: string[]; items?: S; anyOf?: S[]; oneOf?: S[]; $ref?: string; default?: unknown; additionalProperties?: unknown };
type Param = { name: string; in: string; required?: boolean; schema: S };
type Op = { operationId: string; parameters?: Param[]; requestBody?: { content: Record<string, { schema: S }> }; 'x-mizaj-permission': { level: string } };
type Doc = { paths: Record<string, Record<string, Op>>; components: { schemas: Record<string, S> } };

function arbitraryFor(doc: Doc, s: S): fc.Arbitrary<unknown> {
  if (s.$ref) return arbitraryFor(doc, doc.components.schemas[s.$ref.split('/').pop()!]!);
  if (s.enum) return fc.constantFrom(...s.enum);
  const union = s.anyOf ?? s.oneOf;
  if (union) return fc.oneof(...union.map((u) => arbitraryFor(doc, u)));
  const types = Array.isArray(s.type) ? s.type : [s.type ?? 'object'];
  return fc.oneof(
    ...types.map((t): fc.Arbitrary<unknown> => {
      switch (t) {
        case 'null':
          return fc.constant(null);
        case 'integer':
          return fc.integer({ min: Math.max(s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : -1000), -2_147_483_648), max: Math.min(s.maximum ?? 1000, 2_147_483_647) });
        case 'number':
          // Four decimals: subnormal doubles (1e-320) are issue 16's fuzz suite's case (a real column limit).
          return fc.double({ min: s.minimum ?? -1000, max: s.maximum ?? 1000, noNaN: true, noDefaultInfinity: true }).map((x) => Math.round(x * 1e4) / 1e4);
        case 'boolean':
          return fc.boolean();
        case 'string':
          if (s.format === 'uuid') return fc.uuid();
          return s.pattern ? fc.constant('abc') : fc.string({ minLength: Math.max(s.minLength ?? 0, 1), maxLength: Math.min(s.maxLength ?? 30, 30) }).filter((v) => v.trim().length > 0 && !v.includes('\u0000'));
        case 'array':
          return fc.array(arbitraryFor(doc, s.items ?? {}), { maxLength: 3 });
        default: {
          const props = Object.entries(s.properties ?? {});
          const required = new Set(s.required ?? []);
          return fc
            .record(Object.fromEntries(props.map(([k, v]) => [k, arbitraryFor(doc, v)])), { requiredKeys: props.map(([k]) => k).filter((k) => required.has(k)) })
            .filter((o) => Object.keys(o).length >= (s.minProperties ?? 0));
        }
      }
    }),
  );
}

type Built = { method: string; url: string; body?: unknown; headers: Record<string, string>; valid: boolean; operationId: string; breaks?: string };

function requestsFor(doc: Doc, path: string, method: string, op: Op): fc.Arbitrary<Built> {
  const params = op.parameters ?? [];
  const pathParams = params.filter((p) => p.in === 'path');
  const queryParams = params.filter((p) => p.in === 'query');
  const bodySchema = op.requestBody?.content['application/json']?.schema;
  const valid = fc.record({
    // Ids are small integers (the seeded rows), or what the parameter's own format says (a job's uuid).
    path: fc.record(Object.fromEntries(pathParams.map((p) => [p.name, p.schema.format === 'uuid' ? fc.uuid() : fc.integer({ min: 1, max: 60 })]))),
    query: fc.record(Object.fromEntries(queryParams.map((p) => [p.name, arbitraryFor(doc, p.schema)])), { requiredKeys: [] }),
    body: bodySchema ? arbitraryFor(doc, bodySchema) : fc.constant(undefined),
  });
  const breaks = fc.constantFrom(...(['unknown query parameter', ...(pathParams.length ? ['path id out of range'] : []), ...(bodySchema ? ['extra body field', 'body not an object'] : [])] as const));
  const who = op['x-mizaj-permission'].level === 'admin' ? 'admin' : op['x-mizaj-permission'].level === 'write' ? 'writeKey' : 'readKey';
  return fc.tuple(valid, fc.option(breaks, { freq: 2 })).map(([v, broken]) => {
    const ids = { ...v.path } as Record<string, number | string>;
    const query = Object.fromEntries(Object.entries(v.query).filter(([, x]) => x !== undefined && !(typeof x === 'string' && x === 'abc')).map(([k, x]) => [k, String(x)]));
    let body = v.body;
    if (broken === 'path id out of range') ids[pathParams[0]!.name] = '0';
    if (broken === 'unknown query parameter') query.unexpected = '1';
    if (broken === 'extra body field') body = { ...(body as object), unexpectedField: 1 };
    if (broken === 'body not an object') body = [1, 2];
    const qs = new URLSearchParams(query).toString();
    const url = path.replace(/\{(\w+)\}/g, (_, n: string) => String(ids[n])) + (qs ? `?${qs}` : '');
    const headers: Record<string, string> = { ...api.as[who] };
    if (params.some((p) => p.name === 'If-Match')) headers['if-match'] = '*';
    // Without a query schema an unknown parameter is ignored, as documented: not a break there.
    const isBreak = broken !== null && !(broken === 'unknown query parameter' && queryParams.length === 0);
    return { method: method.toUpperCase(), url, body, headers, valid: !isBreak, operationId: op.operationId, ...(isBreak && { breaks: broken! }) };
  });
}

describe('requests generated from the OpenAPI document', () => {
  it('valid ones are never refused as invalid, broken ones always are, and every answer conforms', async () => {
    const doc = (await (await call('GET', '/api/openapi.json')).json()) as Doc;
    // Warming computes a whole category: too slow to repeat hundreds of times, and covered by its own tests.
    const ops = Object.entries(doc.paths).flatMap(([p, item]) => Object.entries(item).filter(([, op]) => op.operationId !== 'warmCacheCategory').map(([m, op]) => requestsFor(doc, p, m, op)));
    const statuses = new Map<string, Set<number>>();
    await fc.assert(
      fc.asyncProperty(fc.oneof(...ops), async (r) => {
        const res = await call(r.method, r.url, { headers: r.headers, ...(r.body !== undefined && { body: r.body as object }) });
        (statuses.get(r.operationId) ?? statuses.set(r.operationId, new Set()).get(r.operationId)!).add(res.status);
        expect(res.status, `${r.method} ${r.url}`).toBeLessThan(500);
        // References inside a body are checked against the data (an unknown condition is a 400 on the field).
        const refused = REFERENCES_CHECKED.has(r.operationId) ? [413, 415, 422] : [400, 413, 415, 422];
        if (r.valid) expect(refused, `${r.method} ${r.url} ${JSON.stringify(r.body)}`).not.toContain(res.status);
        else expect(res.status, `${r.method} ${r.url} (${r.breaks})`).toBe(400);
      }),
      { numRuns: 300, seed: Number(process.env.PROPERTY_SEED ?? 20261126) },
    );
    // Every operation was exercised.
    expect([...statuses.keys()].length).toBe(ops.length);
    expect((await conformance()).coverage.size).toBeGreaterThan(20);
  }, 180_000);
});
