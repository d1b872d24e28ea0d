import { afterEach, describe, expect, it, vi } from 'vitest';
import { call, useApi } from './support';

const api = useApi();

/** One id of each kind from the seeded data. */
async function ids() {
  const { db } = api.db;
  const { diagnoses, recommendations, patients } = await import('@/lib/db/schema');
  const [d] = await db.select({ id: diagnoses.id }).from(diagnoses).limit(1);
  const [r] = await db.select({ id: recommendations.id }).from(recommendations).limit(1);
  const [p] = await db.select({ id: patients.id }).from(patients).limit(1);
  return { diagnosis: d!.id, recommendation: r!.id, patient: p!.id };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('cached GETs', () => {
  const paths = async () => {
    const i = await ids();
    return [
      `/api/predictions/diagnosis/${i.diagnosis}/predict`,
      `/api/analytics/recommendation/${i.recommendation}`,
      `/api/feedback/recommendation/${i.recommendation}/summary`,
      `/api/recommendations/${i.recommendation}`,
      `/api/patients/${i.patient}/profile`,
      `/api/trending?days=30&limit=5`,
    ];
  };

  it('answer MISS then HIT with the identical body, a strong ETag, and 304 on If-None-Match', async () => {
    for (const path of await paths()) {
      const first = await call('GET', path, { headers: api.as.readKey });
      expect(first.status, path).toBe(200);
      expect(first.headers.get('x-cache'), path).toBe('MISS');
      expect(first.headers.get('content-type')).toMatch(/^application\/json/);
      const etag = first.headers.get('etag')!;
      expect(etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
      expect(first.headers.get('server-timing')).toMatch(/db;dur=/);
      const body = await first.text();

      const second = await call('GET', path, { headers: api.as.readKey });
      expect(second.headers.get('x-cache'), path).toBe('HIT');
      expect(second.headers.get('etag')).toBe(etag);
      expect(await second.text()).toBe(body);
      // Answers naming a patient are revalidated every time (docs/api-auth.md, personal answers).
      const personal = /\/profile$|\/predict$/.test(path);
      expect(second.headers.get('cache-control')).toMatch(personal ? /^private, no-cache$/ : /^private, max-age=\d+, stale-while-revalidate=\d+$/);

      const conditional = await call('GET', path, { headers: { ...api.as.readKey, 'if-none-match': etag } });
      expect(conditional.status, path).toBe(304);
      expect(await conditional.text()).toBe('');
      expect(conditional.headers.get('etag')).toBe(etag);

      const other = await call('GET', path, { headers: { ...api.as.readKey, 'if-none-match': '"not-it"' } });
      expect(other.status).toBe(200);
    }
  });

  it("Cache-Control's max-age falls as the entry ages", async () => {
    const { recommendation } = await ids();
    const path = `/api/analytics/recommendation/${recommendation}`;
    await call('GET', path, { headers: api.as.clinician });
    const maxAge = (r: Response) => Number(r.headers.get('cache-control')!.match(/max-age=(\d+)/)![1]);
    const before = maxAge(await call('GET', path, { headers: api.as.clinician }));
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 600_000 });
    const after = await call('GET', path, { headers: api.as.clinician });
    expect(after.headers.get('x-cache')).toBe('HIT');
    expect(before - maxAge(after)).toBeGreaterThanOrEqual(599);
    expect(before - maxAge(after)).toBeLessThanOrEqual(601);
  });

  it('keys profiles per patient: another identity hits the entry the first one filled', async () => {
    const { patient } = await ids();
    const path = `/api/patients/${patient}/profile`;
    expect((await call('GET', path, { headers: api.as.clinician })).status).toBe(200);
    // Neither admin nor the read key has asked for it before: keyed per viewer, both would miss.
    expect((await call('GET', path, { headers: api.as.admin })).headers.get('x-cache')).toBe('HIT');
    expect((await call('GET', path, { headers: api.as.readKey })).headers.get('x-cache')).toBe('HIT');
  });

  it('keys each answer by the dictionary it is packed against and sends the JSON\'s ETag', async () => {
    const { strongEtag } = await import('@/lib/etag');
    for (const path of await paths()) {
      const res = await call('GET', path, { headers: api.as.readKey });
      const json = await res.text();
      expect(res.headers.get('etag'), path).toBe(strongEtag(json));
    }
    // The dictionary's id is in every API key: an entry is only ever unpacked with its own dictionary.
    const { JSON_DICTIONARY_ID } = await import('@/lib/cached-reads/json-dictionary');
    const keys: string[] = [];
    for await (const batch of api.redis.scanStream({ match: `${api.prefix}:*:api.*`, count: 1000 }) as AsyncIterable<string[]>) keys.push(...batch);
    expect(keys.length).toBeGreaterThanOrEqual(6);
    expect(keys.filter((k) => !k.includes(`.${JSON_DICTIONARY_ID.toLowerCase()}.`))).toEqual([]);
  });

  it('packs what json-resource stores: the JSON back byte for byte, gzip for clients, none for a body gzip cannot shrink', async () => {
    const { gunzipSync } = await import('node:zlib');
    const { storedAnswer, jsonBytes, jsonText, sentForms } = await import('@/lib/cached-reads/json-resource');
    const { strongEtag } = await import('@/lib/etag');
    const path = `/api/predictions/diagnosis/${(await ids()).diagnosis}/predict`;
    const json = await (await call('GET', path, { headers: api.as.readKey })).text();
    const entry = storedAnswer(json, 1);
    expect(entry.body).toBeInstanceOf(Uint8Array);
    // The dictionary holds the keys and vocabulary: a third of what gzip alone makes of it, or less.
    expect(entry.body.length).toBeLessThan(sentForms(entry).gzip!.length / 2);
    expect(jsonText(entry)).toBe(json);
    expect(sentForms(entry).etag).toBe(strongEtag(json));
    expect(gunzipSync(sentForms(entry).gzip!).toString()).toBe(json);
    // As another instance reads it from Redis: a new object, its forms derived from the packed bytes.
    const { CachedRaw } = await import('@/lib/cache');
    const read = new CachedRaw(entry.body, entry.meta);
    expect(sentForms(read).etag).toBe(strongEtag(json));
    expect(gunzipSync(sentForms(read).gzip!).toString()).toBe(json);
    expect(jsonText(read)).toBe(json);
    // What L1 keeps owns its bytes: not a view of zlib's 16 KB output chunk, which each small entry would pin.
    for (const kept of [entry.body as Uint8Array, sentForms(entry).gzip!, sentForms(read).gzip!, jsonBytes(read)]) {
      expect(kept.buffer.byteLength).toBe(kept.byteLength);
    }
    // The gzip window is fitted to the answer: bodies either side of each window size still come back whole.
    const { gzipCopy } = await import('@/lib/cached-reads/json-resource');
    for (const bytes of [1, 249, 250, 251, 4096 - 262, 4096 - 261, 32_768 - 262, 32_768 - 261, 100_000]) {
      const body = Buffer.from(JSON.stringify(Array.from({ length: bytes }, (_, i) => (i * 7919) % 97)).slice(0, bytes));
      expect(gunzipSync(gzipCopy(body)).equals(body), `${bytes} B`).toBe(true);
    }
    const tiny = storedAnswer('[]', 0.1);
    expect(tiny.body).toBe('[]');
    expect(sentForms(tiny)).toEqual({ etag: strongEtag('[]'), gzip: null });
  });
});
