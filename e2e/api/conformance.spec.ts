import { expect, test } from '@playwright/test';
import { createConformance, snapshot, type OpenApiDoc } from '../../tests/support/openapi-conformance';
import { createApiKey } from './support';

/**
 * The outside check of issue 13, over HTTP against the production build with the fast path on: every
 * documented operation is called the ways a client would (with and without a key, twice for a cache hit,
 * with If-None-Match, HEAD, an unknown id, a bad id, another method) and every answer is checked against
 * the document the server itself serves.
 */

type Op = { operationId: string; parameters?: { name: string; in: string }[]; requestBody?: { content: Record<string, { example?: unknown }> }; 'x-mizaj-permission': { level: string } };

test('every answer of every documented operation conforms to /api/openapi.json', async ({ baseURL }) => {
  const read = createApiKey('conformance read', 'read');
  const write = createApiKey('conformance write', 'read,write');
  const docRes = await fetch(`${baseURL}/api/openapi.json`);
  const doc = (await docRes.json()) as OpenApiDoc & { paths: Record<string, Record<string, Op>> };
  const conformance = createConformance(doc);
  let answers = 0;
  const send = async (method: string, path: string, headers: Record<string, string> = {}, body?: unknown) => {
    const url = `${baseURL}${path}`;
    const res = await fetch(url, { method, headers: { ...headers, ...(body !== undefined && { 'content-type': 'application/json' }) }, ...(body !== undefined && { body: JSON.stringify(body) }) });
    const { seen } = await snapshot(method, url, res);
    conformance.check(seen);
    answers++;
    return seen;
  };

  for (const [template, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const M = method.toUpperCase();
      const level = op['x-mizaj-permission'].level;
      const key = { authorization: `Bearer ${level === 'read' ? read : write}` };
      const hasId = template.includes('{id}');
      const at = (id: string) => template.replace('{id}', id);
      const body = op.requestBody?.content['application/json']?.example;
      const extra: Record<string, string> = op.parameters?.some((p) => p.name === 'If-Match') ? { 'if-match': '*' } : {};
      if (M === 'GET') {
        const first = await send('GET', at('1'), key);
        const second = await send('GET', at('1'), key);
        const etag = second.headers.get('etag');
        if (etag) expect((await send('GET', at('1'), { ...key, 'if-none-match': etag })).status, template).toBe(304);
        await send('HEAD', at('1'), key);
        expect([first.status, second.status].every((s) => s < 500), template).toBe(true);
      } else {
        await send(M, at('1'), { ...key, ...extra }, body);
        if (op.parameters?.some((p) => p.name === 'If-Match')) await send(M, at('1'), key, body);
      }
      if (hasId) {
        await send(M, at('2000000000'), { ...key, ...extra }, body);
        await send(M, at('abc'), { ...key, ...extra }, body);
      }
      if (level !== 'public') await send(M, at('1'), {}, body);
      await send('OPTIONS', at('1'));
    }
    // A method the path does not have.
    const methods = Object.keys(item);
    await send(methods.includes('post') ? 'PATCH' : 'DELETE', template.replace('{id}', '1'), { authorization: `Bearer ${write}` });
  }
  await send('GET', '/api/no/such/path', { authorization: `Bearer ${read}` });

  const seenOps = new Set([...conformance.coverage.keys()].map((k) => k.split(' ')[0]));
  const documentedOps = Object.values(doc.paths).flatMap((item) => Object.values(item).map((op) => (op as Op).operationId));
  expect(documentedOps.filter((id) => !seenOps.has(id))).toEqual([]);
  expect(answers).toBeGreaterThan(100);
  console.log(`conformance: ${answers} answers, ${conformance.coverage.size} (operation, status) pairs, all conform`);
});
