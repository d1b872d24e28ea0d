import { count, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { diagnoses, feedback, recommendations } from '@/lib/db/schema';
import { call, useApi } from './support';

const api = useApi({ patients: 120 });

async function target() {
  const [d] = await api.db.db.select().from(diagnoses).limit(1);
  const [r] = await api.db.db.select().from(recommendations).where(eq(recommendations.conditionId, d!.conditionId)).limit(1);
  return { diagnosisId: d!.id, recommendationId: r!.id };
}
const feedbackRows = async () => (await api.db.db.select({ n: count() }).from(feedback))[0]!.n;

describe('Idempotency-Key on the API writes', () => {
  it('POST /api/feedback/submit: a retry gets the first answer, byte for byte, marked as a replay, and writes nothing', async () => {
    const body = { ...(await target()), rating: 4, adherence: 70 };
    const headers = { ...api.as.writeKey, 'idempotency-key': '"fb-retry-1"' };
    const before = await feedbackRows();
    const first = await call('POST', '/api/feedback/submit', { headers, body });
    const retry = await call('POST', '/api/feedback/submit', { headers, body });
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(await retry.text()).toBe(await first.text());
    expect(await feedbackRows()).toBe(before + 1);
  });

  it('the same key with another body is 422; a malformed key is 400; both problem+json, nothing written', async () => {
    const body = { ...(await target()), rating: 2, adherence: 30 };
    const headers = { ...api.as.writeKey, 'idempotency-key': 'fb-reuse' };
    expect((await call('POST', '/api/feedback/submit', { headers, body })).status).toBe(201);
    const before = await feedbackRows();
    const reused = await call('POST', '/api/feedback/submit', { headers, body: { ...body, rating: 3 } });
    expect(reused.status).toBe(422);
    expect(reused.headers.get('content-type')).toContain('application/problem+json');
    expect(((await reused.json()) as { code: string }).code).toBe('idempotency_key_reused');
    const malformed = await call('POST', '/api/feedback/submit', { headers: { ...api.as.writeKey, 'idempotency-key': 'has space' }, body });
    expect(malformed.status).toBe(400);
    expect(await feedbackRows()).toBe(before);
  });

  it('keys belong to the credential that sent them: another client with the same key writes its own row', async () => {
    const body = { ...(await target()), rating: 5, adherence: 100 };
    const before = await feedbackRows();
    expect((await call('POST', '/api/feedback/submit', { headers: { ...api.as.writeKey, 'idempotency-key': 'shared' }, body })).status).toBe(201);
    const other = await call('POST', '/api/feedback/submit', { headers: { ...api.as.clinician, 'idempotency-key': 'shared' }, body });
    expect(other.status).toBe(201);
    expect(other.headers.get('idempotent-replayed')).toBeNull();
    expect(await feedbackRows()).toBe(before + 2);
  });

  it('PUT /api/recommendations/{id} and POST /api/predictions/optimize replay too', async () => {
    const { recommendationId } = await target();
    const headers = { ...api.as.writeKey, 'idempotency-key': 'put-1' };
    const put = await call('PUT', `/api/recommendations/${recommendationId}`, { headers, body: { dosage: '2 g twice a day' } });
    const putAgain = await call('PUT', `/api/recommendations/${recommendationId}`, { headers, body: { dosage: '2 g twice a day' } });
    expect(put.status).toBe(200);
    expect(putAgain.headers.get('idempotent-replayed')).toBe('true');
    expect(await putAgain.text()).toBe(await put.text());
    const optimize = await call('POST', '/api/predictions/optimize', { headers: { ...api.as.writeKey, 'idempotency-key': 'opt-1' }, body: {} });
    const optimizeAgain = await call('POST', '/api/predictions/optimize', { headers: { ...api.as.writeKey, 'idempotency-key': 'opt-1' }, body: {} });
    expect(optimize.status).toBe(200);
    expect(optimizeAgain.headers.get('idempotent-replayed')).toBe('true');
    expect(await optimizeAgain.text()).toBe(await optimize.text());
  });
});

describe('writes that fan out to many tags', () => {
  it('optimize rescoring many recommendations answers 200 and every cached recommendation shows its new score', async () => {
    const recs = await api.db.db.select({ id: recommendations.id }).from(recommendations);
    expect(recs.length).toBeGreaterThanOrEqual(16);
    // Move every score away from what optimize computes, then cache every recommendation.
    await api.db.db.update(recommendations).set({ effectivenessScore: 0.01 });
    const { getCache } = await import('@/lib/cache');
    await getCache().invalidateCategory('recommendations');
    for (const r of recs) await call('GET', `/api/recommendations/${r.id}`, { headers: api.as.readKey });
    const res = await call('POST', '/api/predictions/optimize', { headers: api.as.writeKey, body: {} });
    expect(res.status).toBe(200);
    const { changedIds } = (await res.json()) as { changedIds: number[] };
    expect(changedIds.length).toBeGreaterThanOrEqual(16);
    for (const id of changedIds) {
      const got = (await (await call('GET', `/api/recommendations/${id}`, { headers: api.as.readKey })).json()) as { effectivenessScore: number };
      expect(got.effectivenessScore, `recommendation ${id}`).not.toBe(0.01);
    }
  });
});
