import { describe, expect, it } from 'vitest';
import { serveFromCache } from '@/lib/api/fast-path';
import { call, useApi, useFastPath } from './support';

const api = useApi({ patients: 60 });

/** The fast path in front of a stand-in for Next that answers 599, so a test sees who answered. */
const fastPath = useFastPath();
const get = (path: string, headers: Record<string, string> = {}) => fastPath.fetch(path, headers);

describe('fast path', () => {
  it('serves a fresh hit with the same bytes and cache headers as the route handler, and nothing else', async () => {
    const path = '/api/analytics/recommendation/3';
    expect((await get(path, api.as.readKey)).status).toBe(599); // miss: Next computes it
    const viaNext = await call('GET', path, { headers: api.as.readKey });
    const body = await viaNext.text();

    const fast = await get(path, api.as.readKey);
    expect(fast.status).toBe(200);
    expect(fast.headers.get('x-cache')).toBe('HIT');
    expect(fast.headers.get('etag')).toBe(viaNext.headers.get('etag'));
    expect(fast.headers.get('content-type')).toBe('application/json');
    expect(fast.headers.get('cache-control')).toMatch(/^private, max-age=\d+, stale-while-revalidate=300$/);
    expect(fast.headers.get('server-timing')).toMatch(/cache;dur=.*auth;dur=.*app;dur=/);
    expect(await fast.text()).toBe(body);

    const notModified = await get(path, { ...api.as.readKey, 'if-none-match': viaNext.headers.get('etag')! });
    expect(notModified.status).toBe(304);
    expect(await notModified.text()).toBe('');
  });

  it('sends the stored gzip copy to clients that accept it, with the same ETag', async () => {
    const { diagnoses } = await import('@/lib/db/schema');
    const [d] = await api.db.db.select().from(diagnoses).limit(1);
    const path = `/api/predictions/diagnosis/${d!.id}/predict`;
    const viaNext = await call('GET', path, { headers: api.as.readKey });
    const plain = await viaNext.text();
    expect(plain.length).toBeGreaterThan(1024);
    const { request } = await import('node:http');
    const { gunzipSync } = await import('node:zlib');
    const raw = (encoding: string) =>
      new Promise<{ headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
        request(fastPath.url(path), { headers: { ...api.as.readKey, 'accept-encoding': encoding } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
        })
          .on('error', reject)
          .end();
      });
    const gz = await raw('br;q=1.0, gzip;q=0.8');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.headers['vary']).toBe('Authorization, Cookie, Accept-Encoding'); // a prediction is personal
    expect(gz.headers['etag']).toBe(viaNext.headers.get('etag'));
    expect(gz.body.length).toBeLessThan(plain.length / 2);
    expect(gunzipSync(gz.body).toString()).toBe(plain);
    for (const refused of ['gzip;q=0, deflate', 'identity']) {
      const r = await raw(refused);
      expect(r.headers['content-encoding']).toBeUndefined();
      expect(r.body.toString()).toBe(plain);
    }
  });

  it('answers an L1 hit synchronously, without making a promise', async () => {
    const path = '/api/feedback/recommendation/3/summary';
    await call('GET', path, { headers: api.as.readKey });
    await call('GET', path, { headers: api.as.readKey }); // identity and entry now in this instance's L1
    let status = 0;
    let body: unknown;
    const res = { writeHead: (s: number) => ((status = s), res), end: (b: unknown) => void (body = b) };
    const served = serveFromCache({ method: 'GET', url: path, headers: { ...api.as.readKey } } as never, res as never);
    expect(served).toBe(true);
    expect(status).toBe(200);
    expect(new TextDecoder().decode(body as Uint8Array)).toBe(await (await call('GET', path, { headers: api.as.readKey })).text());
  });

  it('leaves refusals, bad input and other routes to Next', async () => {
    const path = '/api/analytics/recommendation/3';
    await call('GET', path, { headers: api.as.readKey });
    expect((await get(path)).status).toBe(599); // anonymous → Next's 401
    expect((await get(path, api.as.revokedKey)).status).toBe(599);
    expect((await get(path, { authorization: 'Bearer nope' })).status).toBe(599);
    expect((await get('/api/analytics/recommendation/abc', api.as.readKey)).status).toBe(599);
    expect((await get(`${path}?extra=1`, api.as.readKey)).status).toBe(599);
    expect((await get('/api/trending?days=7&days=30', api.as.readKey)).status).toBe(599);
    expect((await get('/api/cache/stats', api.as.admin)).status).toBe(599);
    expect((await fetch(fastPath.url(path), { method: 'POST', headers: api.as.writeKey })).status).toBe(599);
  });

  it('never serves an entry after its invalidation returned', async () => {
    const { recommendations } = await import('@/lib/db/schema');
    const [r] = await api.db.db.select().from(recommendations).limit(1);
    const path = `/api/recommendations/${r!.id}`;
    await call('GET', path, { headers: api.as.readKey });
    expect((await get(path, api.as.readKey)).status).toBe(200);
    expect((await call('PUT', path, { headers: { ...api.as.writeKey, 'if-match': '*' }, body: { dosage: 'changed' } })).status).toBe(200);
    expect((await get(path, api.as.readKey)).status).toBe(599);
  });

  it('serves per-viewer entries only to their viewer, and keyed query variants separately', async () => {
    const { patients } = await import('@/lib/db/schema');
    const [p] = await api.db.db.select().from(patients).limit(1);
    const path = `/api/patients/${p!.id}/profile`;
    await call('GET', path, { headers: api.as.clinician });
    expect((await get(path, api.as.clinician)).status).toBe(200);
    expect((await get(path, api.as.admin)).status).toBe(599);

    await call('GET', '/api/trending?days=30&limit=5', { headers: api.as.readKey });
    expect((await get('/api/trending?days=30&limit=5', api.as.readKey)).status).toBe(200);
    expect((await get('/api/trending?days=7&limit=5', api.as.readKey)).status).toBe(599);
  });
});
