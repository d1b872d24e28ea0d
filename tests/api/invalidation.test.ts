import { and, eq, ne } from 'drizzle-orm';
import { describe, expect, it, vi } from 'vitest';
import { diagnoses, recommendations } from '@/lib/db/schema';
import { call, useApi } from './support';

const api = useApi();

/** Two recommendations of one condition (7 and 8 in the words), a diagnosis of that condition, one of another. */
async function fixture() {
  const { db } = api.db;
  const [d] = await db.select().from(diagnoses).limit(1);
  const recs = await db.select().from(recommendations).where(eq(recommendations.conditionId, d!.conditionId)).limit(2);
  const [other] = await db.select().from(diagnoses).where(ne(diagnoses.conditionId, d!.conditionId)).limit(1);
  const [otherRec] = await db.select().from(recommendations).where(and(ne(recommendations.conditionId, d!.conditionId))).limit(1);
  return { diagnosis: d!, rec7: recs[0]!, rec8: recs[1]!, otherDiagnosis: other!, otherRec: otherRec! };
}

const xcache = async (path: string) => (await call('GET', path, { headers: api.as.readKey })).headers.get('x-cache');

describe('precise invalidation', () => {
  it('feedback on 7 drops 7’s analytics and summary; 8, other conditions and the aggregates over all ratings (predictions, trending: recomputed on their short lifetime) stay cached', async () => {
    const f = await fixture();
    const paths = {
      analytics7: `/api/analytics/recommendation/${f.rec7.id}`,
      summary7: `/api/feedback/recommendation/${f.rec7.id}/summary`,
      analytics8: `/api/analytics/recommendation/${f.rec8.id}`,
      summary8: `/api/feedback/recommendation/${f.rec8.id}/summary`,
      rec7: `/api/recommendations/${f.rec7.id}`,
      predict: `/api/predictions/diagnosis/${f.diagnosis.id}/predict`,
      predictOther: `/api/predictions/diagnosis/${f.otherDiagnosis.id}/predict`,
      analyticsOther: `/api/analytics/recommendation/${f.otherRec.id}`,
      trending: `/api/trending`,
    };
    for (const p of Object.values(paths)) await call('GET', p, { headers: api.as.readKey });
    for (const p of Object.values(paths)) expect(await xcache(p), p).toBe('HIT');
    const before = (await (await call('GET', paths.analytics7, { headers: api.as.readKey })).json()) as { count: number };

    const submitted = await call('POST', '/api/feedback/submit', {
      headers: api.as.writeKey,
      body: { recommendationId: f.rec7.id, diagnosisId: f.diagnosis.id, rating: 5, adherence: 90 },
    });
    expect(submitted.status).toBe(201);

    const after = await call('GET', paths.analytics7, { headers: api.as.readKey });
    expect(after.headers.get('x-cache')).toBe('MISS');
    expect(((await after.json()) as { count: number }).count).toBe(before.count + 1);
    expect(await xcache(paths.summary7)).toBe('MISS');
    // Recomputed on their lifetime, not dropped per rating (docs/cache.md): 1 min for trending, 5 for a prediction.
    const trending = await call('GET', paths.trending, { headers: api.as.readKey });
    expect(trending.headers.get('x-cache')).toBe('HIT');
    expect(Number(/max-age=(\d+)/.exec(trending.headers.get('cache-control') ?? '')?.[1])).toBeLessThanOrEqual(60);
    expect(await xcache(paths.predict)).toBe('HIT');
    // Untouched: the other recommendation of the same condition, the row of 7 itself, other conditions.
    expect(await xcache(paths.analytics8)).toBe('HIT');
    expect(await xcache(paths.summary8)).toBe('HIT');
    expect(await xcache(paths.rec7)).toBe('HIT');
    expect(await xcache(paths.predictOther)).toBe('HIT');
    expect(await xcache(paths.analyticsOther)).toBe('HIT');
  });

  it('a recommendation update drops the row, its condition’s predictions and trending, not its analytics or other rows', async () => {
    const f = await fixture();
    const paths = {
      rec7: `/api/recommendations/${f.rec7.id}`,
      rec8: `/api/recommendations/${f.rec8.id}`,
      predict: `/api/predictions/diagnosis/${f.diagnosis.id}/predict`,
      predictOther: `/api/predictions/diagnosis/${f.otherDiagnosis.id}/predict`,
      analytics7: `/api/analytics/recommendation/${f.rec7.id}`,
    };
    for (const p of Object.values(paths)) await call('GET', p, { headers: api.as.readKey });
    const read = (await call('GET', paths.rec7, { headers: api.as.readKey })).headers.get('etag')!;
    const put = await call('PUT', paths.rec7, { headers: { ...api.as.clinician, 'if-match': read }, body: { dosage: '1 g twice a day' } });
    expect(put.status).toBe(200);
    const fresh = await call('GET', paths.rec7, { headers: api.as.readKey });
    expect(fresh.headers.get('x-cache')).toBe('MISS');
    // The write answered the ETag the next read sends.
    expect(put.headers.get('etag')).toBe(fresh.headers.get('etag'));
    expect(put.headers.get('etag')).not.toBe(read);
    expect(((await fresh.json()) as { dosage: string }).dosage).toBe('1 g twice a day');
    expect(await xcache(paths.predict)).toBe('MISS');
    expect(await xcache(paths.rec8)).toBe('HIT');
    expect(await xcache(paths.predictOther)).toBe('HIT');
    // Analytics carry the recommendation tag too (they name it), so they are recomputed.
    expect(await xcache(paths.analytics7)).toBe('MISS');
  });

  // A prediction reads its candidates through the condition's cached list (lib/resources/condition-recommendations.ts).
  it('a renamed recommendation shows its new name in its condition’s predictions at once', async () => {
    const f = await fixture();
    const predict = `/api/predictions/diagnosis/${f.diagnosis.id}/predict`;
    type Prediction = { predictions: { recommendationId: number; nameEn: string }[] };
    const nameIn = async () => ((await (await call('GET', predict, { headers: api.as.readKey })).json()) as Prediction).predictions.find((p) => p.recommendationId === f.rec7.id)?.nameEn;
    const before = await nameIn();
    expect(before).toBeDefined();
    expect(await xcache(`/api/conditions/${f.rec7.conditionId}/recommendations`)).toBe('HIT'); // read by the prediction
    const etag = (await call('GET', `/api/recommendations/${f.rec7.id}`, { headers: api.as.readKey })).headers.get('etag')!;
    const put = await call('PUT', `/api/recommendations/${f.rec7.id}`, { headers: { ...api.as.clinician, 'if-match': etag }, body: { nameEn: `${before} (renamed)` } });
    expect(put.status).toBe(200);
    expect(await nameIn()).toBe(`${before} (renamed)`);
  });

  it('an admin purge of a category drops only that category and leaves an audit row', async () => {
    const f = await fixture();
    const rec = `/api/recommendations/${f.rec8.id}`;
    const predict = `/api/predictions/diagnosis/${f.otherDiagnosis.id}/predict`;
    await call('GET', rec, { headers: api.as.readKey });
    await call('GET', predict, { headers: api.as.readKey });
    const purge = await call('POST', '/api/cache/invalidate', { headers: api.as.admin, body: { category: 'predictions' } });
    // 202: the category is invalidated before the answer; a job frees its keys and writes the audit row.
    expect(purge.status).toBe(202);
    expect(await xcache(predict)).toBe('MISS');
    expect(await xcache(rec)).toBe('HIT');
    const { getJob } = await import('@/lib/admin/jobs');
    const { id } = (await purge.json()) as { id: string };
    await vi.waitFor(() => expect(getJob(id)?.status).toBe('done'), { timeout: 10_000 });
    const { adminAudit } = await import('@/lib/db/schema');
    const rows = await api.db.db.select().from(adminAudit);
    expect(rows.some((r) => r.action === 'purge-category' && r.target === 'predictions' && r.ok && r.actor === 'admin@demo.mizaj.local')).toBe(true);
  });
});
