import { validate } from '@readme/openapi-parser';
import { describe, expect, it } from 'vitest';
import { apiRouteFiles, call, useApi } from './support';

const api = useApi({ patients: 30 });

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

describe('GET /api/openapi.json', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const res = await call('GET', '/api/openapi.json', { headers: api.as.anonymous });
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string };
    expect(doc.openapi).toBe('3.1.0');
    const result = await validate(structuredClone(doc) as Parameters<typeof validate>[0]);
    expect(result.valid, JSON.stringify(result)).toBe(true);
  });

  it('documents every method of every route the app serves, and nothing it does not serve', async () => {
    const doc = (await (await call('GET', '/api/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
    const served = new Set<string>();
    for (const route of apiRouteFiles()) {
      if (route.urlPath.includes('{path}')) continue; // the catch-all only answers 404
      const mod = (await import(route.file)) as Record<string, unknown>;
      for (const m of METHODS) {
        if (typeof mod[m] !== 'function') continue;
        // A method that only answers 405 is not served.
        const probe = await call(m, route.urlPath.replace(/\{[a-z]+\}/g, '1'), { headers: api.as.admin, ...(m !== 'GET' && { body: {} }) });
        if (probe.status !== 405) served.add(`${m} ${route.urlPath}`);
      }
    }
    const documented = new Set(Object.entries(doc.paths).flatMap(([p, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${p}`)));
    expect([...served].sort()).toEqual([...documented].sort());
    // Each documented error answer is problem+json.
    const problemOnly = Object.values(doc.paths)
      .flatMap((item) => Object.values(item as Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>))
      .flatMap((op) => Object.entries(op.responses).filter(([s]) => Number(s) >= 400 && (op as { operationId?: string }).operationId !== 'getHealth'))
      .every(([, r]) => r.content && Object.keys(r.content).includes('application/problem+json'));
    expect(problemOnly).toBe(true);
  });
});
