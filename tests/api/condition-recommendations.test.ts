import { asc, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { recommendations } from '@/lib/db/schema';
import { call, useApi, useFastPath } from './support';

/**
 * GET /api/conditions/{id}/recommendations, added by one declaration (lib/resources/condition-recommendations.ts):
 * documented (every `call` is checked against the OpenAPI document), cached, dropped by an edit of any of
 * its recommendations, served by the fast path with the handler's bytes, and warmed with its category.
 */
const api = useApi({ patients: 30 });

const fastPath = useFastPath();

type Rec = { id: number; conditionId: number; dosage: string; effectivenessScore: number };

async function someCondition(offset = 0): Promise<{ conditionId: number; ids: number[] }> {
  const [first] = await api.db.db.select({ conditionId: recommendations.conditionId }).from(recommendations).orderBy(asc(recommendations.id)).offset(offset).limit(1);
  const rows = await api.db.db.select({ id: recommendations.id }).from(recommendations).where(eq(recommendations.conditionId, first!.conditionId));
  return { conditionId: first!.conditionId, ids: rows.map((r) => r.id).sort((a, b) => a - b) };
}

describe('GET /api/conditions/{id}/recommendations', () => {
  it("lists every recommendation of the condition, most effective first, and caches the answer", async () => {
    const { conditionId, ids } = await someCondition();
    const path = `/api/conditions/${conditionId}/recommendations`;
    const first = await call('GET', path, { headers: api.as.readKey });
    expect(first.status).toBe(200);
    expect(first.headers.get('x-cache')).toBe('MISS');
    const list = (await first.json()) as Rec[];
    expect(list.map((r) => r.id).sort((a, b) => a - b)).toEqual(ids);
    expect(list.every((r) => r.conditionId === conditionId)).toBe(true);
    for (let i = 1; i < list.length; i++) expect(list[i - 1]!.effectivenessScore).toBeGreaterThanOrEqual(list[i]!.effectivenessScore);
    const again = await call('GET', path, { headers: api.as.clinician });
    expect(again.headers.get('x-cache')).toBe('HIT');
    expect(again.headers.get('etag')).toBe(first.headers.get('etag'));
  });

  it('is served by the fast path with the same bytes and headers as the route handler', async () => {
    const { conditionId } = await someCondition(1);
    const path = `/api/conditions/${conditionId}/recommendations`;
    expect((await fastPath.fetch(path, api.as.readKey)).headers.get('x-cache')).toBe('MISS'); // computed there
    const viaNext = await call('GET', path, { headers: api.as.readKey });
    expect(viaNext.headers.get('x-cache')).toBe('HIT');
    const body = await viaNext.text();
    const fast = await fastPath.fetch(path, api.as.readKey);
    expect(fast.status).toBe(200);
    expect(fast.headers.get('x-cache')).toBe('HIT');
    expect(fast.headers.get('etag')).toBe(viaNext.headers.get('etag'));
    expect(fast.headers.get('cache-control')).toMatch(/^private, max-age=\d+, stale-while-revalidate=600$/);
    expect(await fast.text()).toBe(body);
    // Bad input is left to the route handler, which explains it.
    expect((await fastPath.fetch('/api/conditions/0/recommendations', api.as.readKey)).status).toBe(599);
  });

  it('is dropped when one of its recommendations is edited', async () => {
    const { conditionId, ids } = await someCondition(2);
    const path = `/api/conditions/${conditionId}/recommendations`;
    await call('GET', path, { headers: api.as.readKey });
    expect((await call('GET', path, { headers: api.as.readKey })).headers.get('x-cache')).toBe('HIT');
    const target = ids[0]!;
    const etag = (await call('GET', `/api/recommendations/${target}`, { headers: api.as.writeKey })).headers.get('etag')!;
    const put = await call('PUT', `/api/recommendations/${target}`, { headers: { ...api.as.writeKey, 'if-match': etag }, body: { dosage: 'half a teaspoon at night' } });
    expect(put.status).toBe(200);
    const after = await call('GET', path, { headers: api.as.readKey });
    expect(after.headers.get('x-cache')).toBe('MISS');
    expect(((await after.json()) as Rec[]).find((r) => r.id === target)!.dosage).toBe('half a teaspoon at night');
  });

  it('passes the request gate in front of the fast path and Next (GET; other methods are 405 there)', async () => {
    const { judge } = await import('@/lib/json-api/request-gate');
    expect(judge('GET', '/api/conditions/3/recommendations').refusal).toBeUndefined();
    expect(judge('DELETE', '/api/conditions/3/recommendations').refusal).toMatchObject({ status: 405, allow: ['GET', 'HEAD', 'OPTIONS'] });
  });

  it('answers 404 problem+json for an unknown condition and 400 for a bad id', async () => {
    const missing = await call('GET', '/api/conditions/2000000000/recommendations', { headers: api.as.readKey });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('application/problem+json');
    const bad = await call('GET', '/api/conditions/abc/recommendations', { headers: api.as.readKey });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { errors: { path: string }[] }).errors[0]!.path).toBe('params.id');
    expect((await call('GET', '/api/conditions/1/recommendations', { headers: api.as.anonymous })).status).toBe(401);
  });

  it('is warmed with the recommendations category: the hot recommendations’ conditions', async () => {
    const { registerWarmers } = await import('@/lib/cached-reads/warmers');
    const { getCache } = await import('@/lib/cache');
    const { listTopRecommendations } = await import('@/lib/domain');
    registerWarmers();
    await getCache().invalidateCategory('recommendations');
    const report = await getCache().warm('recommendations');
    expect(report.failed).toBe(0);
    const [top] = await listTopRecommendations(api.db.db, 1);
    const warmed = await call('GET', `/api/conditions/${top!.conditionId}/recommendations`, { headers: api.as.readKey });
    expect(warmed.status).toBe(200);
    expect(warmed.headers.get('x-cache')).toBe('HIT');
  });
});
