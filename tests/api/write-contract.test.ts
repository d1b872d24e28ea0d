import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { diagnoses, healthRecords, recommendations } from '@/lib/db/schema';
import { call, useApi } from './support';

const api = useApi({ patients: 60 });

describe('PUT /api/recommendations/{id} honours If-Match', () => {
  it('of two clinicians editing the same version, exactly one wins and the other gets 412; the row holds the winner', async () => {
    const [rec] = await api.db.db.select().from(recommendations).limit(1);
    const path = `/api/recommendations/${rec!.id}`;
    const etag = (await call('GET', path, { headers: api.as.readKey })).headers.get('etag')!;
    const [a, b] = await Promise.all([
      call('PUT', path, { headers: { ...api.as.clinician, 'if-match': etag }, body: { dosage: 'from A' } }),
      call('PUT', path, { headers: { ...api.as.writeKey, 'if-match': etag }, body: { dosage: 'from B' } }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 412]);
    const winner = a.status === 200 ? 'from A' : 'from B';
    const [row] = await api.db.db.select().from(recommendations).where(eq(recommendations.id, rec!.id));
    expect(row!.dosage).toBe(winner);
    const loser = a.status === 412 ? a : b;
    expect(((await loser.json()) as { code: string }).code).toBe('precondition_failed');
    // The loser reads again and retries with the new ETag: accepted.
    const again = (await call('GET', path, { headers: api.as.readKey })).headers.get('etag')!;
    expect((await call('PUT', path, { headers: { ...api.as.clinician, 'if-match': again }, body: { dosage: 'merged' } })).status).toBe(200);
  });

  it('answers 428 without If-Match and writes nothing', async () => {
    const [rec] = await api.db.db.select().from(recommendations).limit(1);
    const res = await call('PUT', `/api/recommendations/${rec!.id}`, { headers: api.as.clinician, body: { dosage: 'blind' } });
    expect(res.status).toBe(428);
    expect(((await res.json()) as { code: string }).code).toBe('precondition_required');
    const [row] = await api.db.db.select().from(recommendations).where(eq(recommendations.id, rec!.id));
    expect(row!.dosage).not.toBe('blind');
  });
});

describe('POST /api/feedback/submit', () => {
  it('answers 201 with Location and the ETag that GET on that Location sends', async () => {
    const [d] = await api.db.db.select().from(diagnoses).limit(1);
    const [r] = await api.db.db.select().from(recommendations).where(eq(recommendations.conditionId, d!.conditionId)).limit(1);
    const res = await call('POST', '/api/feedback/submit', { headers: api.as.writeKey, body: { recommendationId: r!.id, diagnosisId: d!.id, rating: 5, adherence: 90 } });
    expect(res.status).toBe(201);
    const location = res.headers.get('location')!;
    const created = (await res.json()) as { feedbackId: number };
    expect(location).toBe(`/api/feedback/${created.feedbackId}`);
    const read = await call('GET', location, { headers: api.as.readKey });
    expect(read.status).toBe(200);
    expect(read.headers.get('etag')).toBe(res.headers.get('etag'));
    expect((await call('GET', location, { headers: { ...api.as.readKey, 'if-none-match': res.headers.get('etag')! } })).status).toBe(304);
  });
});

describe('cursor pagination', () => {
  it('walks every health record of a patient once, newest first, ending with next: null', async () => {
    const [busiest] = await api.db.db.select({ patientId: healthRecords.patientId }).from(healthRecords).limit(1);
    const all = await api.db.db.select({ id: healthRecords.id }).from(healthRecords).where(eq(healthRecords.patientId, busiest!.patientId));
    const seen: number[] = [];
    let url: string | null = `/api/patients/${busiest!.patientId}/health-records?limit=1`;
    while (url) {
      const res = await call('GET', url, { headers: api.as.readKey });
      expect(res.status).toBe(200);
      const page = (await res.json()) as { items: { id: number; createdAt: string }[]; next: string | null };
      seen.push(...page.items.map((i) => i.id));
      url = page.next ? `/api/patients/${busiest!.patientId}/health-records?limit=1&cursor=${page.next}` : null;
    }
    expect(seen.sort((a, b) => a - b)).toEqual(all.map((r) => r.id).sort((a, b) => a - b));
    const profile = (await (await call('GET', `/api/patients/${busiest!.patientId}/profile`, { headers: api.as.readKey })).json()) as { healthRecordsNext: string | null; healthRecords: unknown[] };
    expect(profile.healthRecordsNext === null).toBe(all.length <= 10);
  });

  it('404s the lists of an unknown patient or recommendation', async () => {
    for (const path of ['/api/patients/2000000000/health-records', '/api/patients/2000000000/diagnoses', '/api/feedback/recommendation/2000000000/comments', '/api/feedback/2000000000']) {
      expect((await call('GET', path, { headers: api.as.readKey })).status, path).toBe(404);
    }
  });
});
