import { describe, expect, it } from 'vitest';
import { validate } from '@readme/openapi-parser';
import { buildOpenApiDocument, defineOperation } from '@/lib/http/openapi';
import { idParams } from '@/lib/http/schemas';
import { z } from '@/lib/http/zod';

const recommendation = z.object({ id: z.number().int(), name: z.string(), effectivenessScore: z.number() }).openapi('Recommendation');

const ops = [
  defineOperation({
    method: 'GET',
    path: '/api/recommendations/[id]',
    auth: 'read',
    params: idParams,
    operationId: 'getRecommendation',
    summary: 'A recommendation',
    description: 'One recommendation',
    tags: ['recommendations'],
    response: recommendation,
    httpCache: 'cached',
    errors: [404],
  }),
  defineOperation({
    method: 'PUT',
    path: '/api/recommendations/{id}',
    auth: 'write',
    params: idParams,
    body: z.object({ effectivenessScore: z.number().min(0).max(1) }),
    operationId: 'updateRecommendation',
    summary: 'Update a recommendation',
    description: 'Changes the score',
    tags: ['recommendations'],
    response: recommendation,
    write: { ifMatch: true, etag: true },
    errors: [404],
  }),
  defineOperation({
    method: 'GET',
    path: '/api/trending',
    auth: 'read',
    query: z.object({ days: z.enum(['7', '30']).default('7') }),
    operationId: 'getTrending',
    summary: 'Trending remedies',
    description: 'Most feedback',
    tags: ['recommendations'],
    response: z.array(recommendation),
    httpCache: 'cached',
  }),
  defineOperation({ method: 'POST', path: '/api/cache/invalidate', auth: 'admin', body: z.object({ tag: z.string() }), operationId: 'purge', summary: 'Purge a tag', description: 'Purge', tags: ['cache'] }),
  defineOperation({ method: 'GET', path: '/api/health', auth: 'public', operationId: 'health', summary: 'Health', description: 'Health', tags: ['operations'], response: z.object({ ok: z.boolean() }) }),
];

describe('buildOpenApiDocument', () => {
  const doc = buildOpenApiDocument({ operations: ops });

  it('is a valid OpenAPI 3.1 document', async () => {
    expect(doc.openapi).toBe('3.1.0');
    const result = await validate(structuredClone(doc) as never);
    expect(result.valid ? [] : result.errors).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('has every path with Next-style segments converted', () => {
    expect(Object.keys(doc.paths ?? {}).sort()).toEqual(['/api/cache/invalidate', '/api/health', '/api/recommendations/{id}', '/api/trending']);
    expect(Object.keys(doc.paths!['/api/recommendations/{id}']!).sort()).toEqual(['get', 'put']);
  });

  it('documents params as integers, strict bodies, problem errors and auth', () => {
    const get = doc.paths!['/api/recommendations/{id}']!.get!;
    const id = get.parameters!.find((p) => 'name' in p && p.name === 'id') as { in: string; required: boolean; schema: { type: string } };
    expect(id).toMatchObject({ in: 'path', required: true, schema: { type: 'integer' } });
    expect(Object.keys(get.responses!).sort()).toEqual(['200', '304', '400', '401', '403', '404', '500', '503']);
    expect(JSON.stringify(get.responses!['404'])).toContain('application/problem+json');
    expect(get.security).toEqual([{ apiKey: [] }, { sessionCookie: [] }]);
    expect(get.responses!['200']).toHaveProperty(['headers', 'ETag']);

    const put = doc.paths!['/api/recommendations/{id}']!.put!;
    expect(Object.keys(put.responses!)).toEqual(expect.arrayContaining(['403', '412', '413', '415', '428']));
    expect(put.responses!['200']).toHaveProperty(['headers', 'ETag']);
    expect(put.parameters!.find((p) => 'name' in p && p.name === 'If-Match')).toMatchObject({ in: 'header', required: true });
    expect(put['x-mizaj-permission']).toEqual({ level: 'write', roles: ['clinician', 'admin'], apiKeyScopes: ['write'] });
    expect(put.description).toContain('**Permission:**');
    expect(get.operationId).toBe('getRecommendation');
    expect(get.responses!['401']).toHaveProperty(['headers', 'WWW-Authenticate']);
    expect(get.responses!['503']).toHaveProperty(['headers', 'Retry-After']);
    expect(JSON.stringify(put.requestBody)).toContain('"additionalProperties":false');
    expect(doc.paths!['/api/cache/invalidate']!.post!.security).toEqual([{ sessionCookie: [] }]);
    expect(doc.paths!['/api/health']!.get!.security).toEqual([]);
    expect(doc.components?.securitySchemes).toHaveProperty('apiKey');
    expect(doc.components?.schemas).toHaveProperty('Problem');
  });
});
