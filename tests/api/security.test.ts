import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { flushPatientViews } from '@/lib/audit/patient-access';
import { diagnoses, patientAccessAudit } from '@/lib/db/schema';
import { call, useApi, useFastPath } from './support';

process.env.METRICS_TOKEN = 'metrics-token-for-tests-0123456789';
const api = useApi({ patients: 40 });

// The fast path in front of a stand-in for Next that answers 599, so a test sees who answered.
const fastPath = useFastPath();
const fast = (path: string, headers: Record<string, string>) => fastPath.fetch(path, headers);

describe('read scope', () => {
  it('a key whose only scope is write gets 403 on reads; a read key gets 200', async () => {
    for (const path of ['/api/patients/1/profile', '/api/analytics/recommendation/1', '/api/trending', '/api/cache/health']) {
      const r = await call('GET', path, { headers: api.as.writeOnlyKey });
      expect(r.status, path).toBe(403);
      expect((await r.json()).detail).toBe('This API key lacks the read scope');
    }
    expect((await call('GET', '/api/analytics/recommendation/1', { headers: api.as.readKey })).status).toBe(200);
  });

  it('the fast path does not serve a cached read to a write-only key either', async () => {
    await call('GET', '/api/analytics/recommendation/2', { headers: api.as.readKey });
    expect((await fast('/api/analytics/recommendation/2', api.as.readKey)).status).toBe(200);
    expect((await fast('/api/analytics/recommendation/2', api.as.writeOnlyKey)).status).toBe(599); // left to Next: 403
  });
});

describe('personal answers in client caches', () => {
  it('a profile is private, no-cache with Vary: Authorization, Cookie on MISS and HIT, route handler and fast path alike', async () => {
    const path = '/api/patients/3/profile';
    const miss = await call('GET', path, { headers: api.as.readKey });
    const hit = await call('GET', path, { headers: api.as.readKey });
    const viaFast = await fast(path, api.as.readKey);
    expect([miss.headers.get('x-cache'), hit.headers.get('x-cache'), viaFast.headers.get('x-cache')]).toEqual(['MISS', 'HIT', 'HIT']);
    for (const r of [miss, hit, viaFast]) {
      expect(r.headers.get('cache-control')).toBe('private, no-cache');
      expect(r.headers.get('vary')).toMatch(/^Authorization, Cookie(, Accept-Encoding)?$/);
    }
    const notModified = await fast(path, { ...api.as.readKey, 'if-none-match': hit.headers.get('etag')! });
    expect(notModified.status).toBe(304);
    expect(notModified.headers.get('cache-control')).toBe('private, no-cache');
  });

  it('a prediction (one patient\'s diagnosis) is personal too; non-personal answers keep their max-age', async () => {
    const [d] = await api.db.db.select().from(diagnoses).limit(1);
    const predict = await call('GET', `/api/predictions/diagnosis/${d!.id}/predict`, { headers: api.as.readKey });
    expect(predict.headers.get('cache-control')).toBe('private, no-cache');
    const analytics = await call('GET', '/api/analytics/recommendation/4', { headers: api.as.readKey });
    expect(analytics.headers.get('cache-control')).toMatch(/^private, max-age=\d+, stale-while-revalidate=\d+$/);
    expect(analytics.headers.get('vary') ?? '').not.toMatch(/Authorization|Cookie/);
  });

  it('the OpenAPI document says so', async () => {
    const doc = await (await call('GET', '/api/openapi.json')).json();
    const headers = doc.paths['/api/patients/{id}/profile'].get.responses['200'].headers;
    expect(headers['Cache-Control'].schema).toMatchObject({ enum: ['private, no-cache'] });
    expect(headers.Vary).toBeDefined();
  });
});

describe('security headers on fast-path answers', () => {
  it('nosniff, frame-ancestors none, referrer and permissions policies, COOP; no HSTS without an https PUBLIC_URL', async () => {
    await call('GET', '/api/analytics/recommendation/5', { headers: api.as.readKey });
    const r = await fast('/api/analytics/recommendation/5', api.as.readKey);
    expect(r.status).toBe(200);
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(r.headers.get('x-frame-options')).toBe('DENY');
    expect(r.headers.get('referrer-policy')).toBe('same-origin');
    expect(r.headers.get('permissions-policy')).toContain('camera=()');
    expect(r.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(r.headers.get('strict-transport-security')).toBeNull();
  });
});

describe('operations endpoints', () => {
  it('/api/cache/health says up/down only to non-admins, details to admins', async () => {
    const reader = await (await call('GET', '/api/cache/health', { headers: api.as.readKey })).json();
    expect(reader).toEqual({ status: 'up' });
    const clinician = await (await call('GET', '/api/cache/health', { headers: api.as.clinician })).json();
    expect(clinician).toEqual({ status: 'up' });
    const admin = await (await call('GET', '/api/cache/health', { headers: api.as.admin })).json();
    expect(admin).toMatchObject({ backend: 'redis', reachable: true });
    expect(admin.instanceId).toEqual(expect.any(String));
  });

  it('/metrics needs Authorization: Bearer <METRICS_TOKEN>', async () => {
    expect((await call('GET', '/metrics')).status).toBe(401);
    expect((await call('GET', '/metrics', { headers: { authorization: 'Bearer wrong-token-of-the-same-len' } })).status).toBe(401);
    expect((await call('GET', '/metrics', { headers: api.as.admin })).status).toBe(401);
    const ok = await call('GET', '/metrics', { headers: { authorization: `Bearer ${process.env.METRICS_TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toMatch(/^mizaj_cache_breaker_open /m);
  });
});

describe('patient-access audit', () => {
  it('records every view of a profile or a diagnosis once, through the route handler and the fast path; admins read it', async () => {
    await flushPatientViews();
    await api.db.db.delete(patientAccessAudit);
    const path = '/api/patients/7/profile';
    await call('GET', path, { headers: api.as.clinician }); // MISS
    await call('GET', path, { headers: api.as.clinician }); // HIT via Next
    expect((await fast(path, api.as.clinician)).status).toBe(200);
    expect((await fast(path, api.as.clinician)).status).toBe(200);
    const [d] = await api.db.db.select().from(diagnoses).where(eq(diagnoses.patientId, 7)).limit(1);
    if (d) await call('GET', `/api/predictions/diagnosis/${d.id}/predict`, { headers: api.as.readKey });
    // Refused or failed requests are not views.
    await call('GET', path, { headers: api.as.writeOnlyKey });
    await call('GET', '/api/patients/999999/profile', { headers: api.as.clinician });
    await flushPatientViews();

    const rows = await api.db.db.select().from(patientAccessAudit).orderBy(patientAccessAudit.id);
    const profileViews = rows.filter((r) => r.resource === 'profile');
    expect(profileViews.map((r) => [r.patientId, r.via, r.viewerLabel])).toEqual([
      [7, 'api', 'clinician@demo.mizaj.local'],
      [7, 'api', 'clinician@demo.mizaj.local'],
      [7, 'fast-path', 'clinician@demo.mizaj.local'],
      [7, 'fast-path', 'clinician@demo.mizaj.local'],
    ]);
    if (d) expect(rows.filter((r) => r.resource !== 'profile').map((r) => [r.patientId, r.resource, r.viewerLabel])).toEqual([[7, `diagnosis:${d.id}`, 'api key "reader"']]);

    expect((await call('GET', '/api/audit/patient-access', { headers: api.as.clinician })).status).toBe(403);
    const page = await (await call('GET', '/api/audit/patient-access?limit=2&patientId=7', { headers: api.as.admin })).json();
    expect(page.items).toHaveLength(2);
    expect(page.items[0].id).toBeGreaterThan(page.items[1].id);
    const next = await (await call('GET', `/api/audit/patient-access?limit=100&patientId=7&before=${page.nextBefore}`, { headers: api.as.admin })).json();
    expect(page.items.length + next.items.length).toBe(rows.length);
    expect(next.nextBefore).toBeNull();
  });
});
