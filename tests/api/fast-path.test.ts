import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { waitFor } from '../cache/support/own-redis';
import { serveFromCache } from '@/lib/json-api/fast-path';
import { call, useApi, useFastPath } from './support';

const api = useApi({ patients: 60 });

/** The fast path in front of a stand-in for Next that answers 599, so a test sees who answered. */
const fastPath = useFastPath();
const get = (path: string, headers: Record<string, string> = {}) => fastPath.fetch(path, headers);

describe('fast path', () => {
  it('serves a fresh hit with the same bytes and cache headers as the route handler, and nothing else', async () => {
    const path = '/api/analytics/recommendation/3';
    const miss = await get(path, api.as.readKey); // computed here, within the soft wait
    expect(miss.status).toBe(200);
    expect(miss.headers.get('x-cache')).toBe('MISS');
    expect(miss.headers.get('server-timing')).toMatch(/db;dur=/);
    const viaNext = await call('GET', path, { headers: api.as.readKey });
    expect(viaNext.headers.get('x-cache')).toBe('HIT');
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
    // A computation that fails (no such recommendation): the route wrapper gives the error its answer.
    expect((await get('/api/analytics/recommendation/999999', api.as.readKey)).status).toBe(599);
  });

  it('never serves an entry after its invalidation returned', async () => {
    const { recommendations } = await import('@/lib/db/schema');
    const [r] = await api.db.db.select().from(recommendations).limit(1);
    const path = `/api/recommendations/${r!.id}`;
    await call('GET', path, { headers: api.as.readKey });
    expect((await get(path, api.as.readKey)).status).toBe(200);
    expect((await call('PUT', path, { headers: { ...api.as.writeKey, 'if-match': '*' }, body: { dosage: 'changed' } })).status).toBe(200);
    const after = await get(path, api.as.readKey);
    expect(after.headers.get('x-cache')).toBe('MISS');
    expect(((await after.json()) as { dosage: string }).dosage).toBe('changed');
  });

  it('serves a profile to every reader from one entry, and keyed query variants separately', async () => {
    const { patients } = await import('@/lib/db/schema');
    const [p] = await api.db.db.select().from(patients).limit(1);
    const path = `/api/patients/${p!.id}/profile`;
    await call('GET', path, { headers: api.as.clinician });
    expect((await get(path, api.as.clinician)).status).toBe(200);
    expect((await get(path, api.as.admin)).status).toBe(200);
    expect((await get(path, { authorization: 'Bearer not-a-key' })).status).toBe(599);

    await call('GET', '/api/trending?days=30&limit=5', { headers: api.as.readKey });
    expect((await get('/api/trending?days=30&limit=5', api.as.readKey)).status).toBe(200);
    expect((await get('/api/trending?days=7&limit=5', api.as.readKey)).headers.get('x-cache')).toBe('MISS');
  });
});

/**
 * The fast path in front of the real route handler (what Next would call), so a request it leaves to Next
 * is still answered; `x-via: next` says which one did.
 */
describe('fast path in front of the route handler', () => {
  let front: Server;
  let frontBase: string;
  /** Requests the fast path left to Next. */
  let handedToNext = 0;
  beforeAll(async () => {
    front = createServer((req, res) => {
      void Promise.resolve(serveFromCache(req, res)).then(async (served) => {
        if (served) return;
        handedToNext++;
        const answer = await call(req.method!, req.url!, { headers: Object.fromEntries(Object.entries(req.headers).filter(([, v]) => typeof v === 'string')) as Record<string, string> });
        res.writeHead(answer.status, { ...Object.fromEntries(answer.headers), 'x-via': 'next' }).end(Buffer.from(await answer.arrayBuffer()));
      });
    });
    await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
    frontBase = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => front.close(() => r())));

  /** A request whose bytes are read as sent (fetch would decompress them). */
  const raw = (path: string, headers: Record<string, string>) =>
    new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>((resolve, reject) => {
      request(frontBase + path, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      })
        .on('error', reject)
        .end();
    });

  /** What must be identical between the two paths (timings, request ids and framing aside). */
  const comparable = (status: number, h: (name: string) => string | null | undefined, body: Buffer) => ({
    status,
    etag: h('etag'),
    xCache: h('x-cache'),
    contentType: h('content-type') ?? null,
    vary: h('vary') ?? null,
    // Seconds left fall by one between two requests that straddle a second (seen in CI): compared as a form here;
    // cached-gets.test.ts checks how max-age falls.
    cacheControl: h('cache-control')?.replace(/max-age=\d+/, 'max-age=N').replace(/stale-while-revalidate=\d+/, 'stale-while-revalidate=N'),
    body: body.toString('base64'),
  });
  const viaHandler = async (path: string, headers: Record<string, string>) => {
    const res = await call('GET', path, { headers });
    return comparable(res.status, (n) => res.headers.get(n), Buffer.from(await res.arrayBuffer()));
  };
  const viaFastPath = async (path: string, headers: Record<string, string>, decode = false) => {
    const res = await raw(path, headers);
    expect(res.headers['x-via']).toBeUndefined(); // the fast path answered, not Next
    const body = decode && res.headers['content-encoding'] === 'gzip' ? gunzipSync(res.body) : res.body;
    return comparable(res.status, (n) => res.headers[n] as string | undefined, body);
  };

  /** Holds the tables an analytics computation reads until the returned function is called. */
  async function holdAnalyticsTables() {
    const sql = postgres(api.db.url, { max: 2, onnotice: () => {} });
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const tx = sql.begin(async (t) => {
      await t`lock table feedback, recommendations in access exclusive mode`;
      locked();
      await released;
    });
    await isLocked;
    const waiting = async () => Number((await sql`select count(*)::int as n from pg_locks where not granted`)[0]!.n) > 0;
    return {
      /** A query is blocked on the lock (a computation has started). */
      blocked: () => waitFor(waiting, 10_000),
      async release() {
        release();
        await tx;
        await sql.end();
      },
    };
  }

  const analyticsStats = async () => {
    const { getCache } = await import('@/lib/cache');
    return getCache().statsSnapshot().categories.analytics!;
  };

  it('answers HIT, 304, gzip and identity with the bytes and headers of the route handler', async () => {
    const { diagnoses } = await import('@/lib/db/schema');
    const [d] = await api.db.db.select().from(diagnoses).limit(1);
    let compressed = 0;
    for (const path of [`/api/predictions/diagnosis/${d!.id}/predict`, '/api/feedback/recommendation/4/summary', '/api/trending?days=7&limit=20']) {
      await call('GET', path, { headers: api.as.readKey }); // computed by the route handler
      const handler = await viaHandler(path, api.as.readKey);
      expect(handler.xCache).toBe('HIT');
      expect(await viaFastPath(path, { ...api.as.readKey, 'accept-encoding': 'identity' })).toEqual(handler);
      // Next compresses the route handler's answer itself; the fast path sends the stored bytes, which are that JSON.
      const gzipped = await raw(path, { ...api.as.readKey, 'accept-encoding': 'gzip' });
      if (gzipped.headers['content-encoding'] === 'gzip') compressed++;
      expect(await viaFastPath(path, { ...api.as.readKey, 'accept-encoding': 'gzip' }, true)).toEqual(handler);
      const conditional = { ...api.as.readKey, 'if-none-match': handler.etag! };
      expect(await viaFastPath(path, conditional)).toEqual(await viaHandler(path, conditional));
    }
    expect(compressed).toBeGreaterThan(0);
  });

  it('serves a stale entry within grace as the route handler does: STALE after the soft timeout, one refresh', async () => {
    const analyticsResource = (await import('@/lib/resources')).analytics.entry;
    const path = '/api/analytics/recommendation/6';
    await call('GET', path, { headers: api.as.readKey });
    expect(await analyticsResource.expire(6)).toBe(true);
    const before = await analyticsStats();
    const tables = await holdAnalyticsTables();
    try {
      const fast = await viaFastPath(path, { ...api.as.readKey, 'accept-encoding': 'identity' });
      expect(fast.xCache).toBe('STALE'); // the refresh is held, so the soft timeout passed
      expect(fast).toEqual(await viaHandler(path, api.as.readKey));
      const conditional = { ...api.as.readKey, 'if-none-match': fast.etag! };
      const notModified = await viaFastPath(path, conditional);
      expect(notModified).toMatchObject({ status: 304, xCache: 'STALE' });
      expect(notModified).toEqual(await viaHandler(path, conditional));
      await tables.blocked();
      expect((await analyticsStats()).refreshes - before.refreshes).toBe(1); // every stale read joined the one refresh
    } finally {
      await tables.release();
    }
    await waitFor(async () => (await analyticsResource.peek(6))?.status === 'HIT', 10_000);
    expect((await analyticsStats()).misses - before.misses).toBe(1);
    expect((await viaFastPath(path, api.as.readKey)).xCache).toBe('HIT');
  });

  it('computes a miss itself with one read of Redis for the entry, and stores what it served', async () => {
    const { getCache } = await import('@/lib/cache');
    const { profile } = await import('@/lib/resources');
    const { patients } = await import('@/lib/db/schema');
    const [p] = await api.db.db.select().from(patients).orderBy(patients.id).limit(1).offset(17);
    const key = profile.entry.key(p!.id);
    const store = getCache().store;
    const reads = vi.spyOn(store, 'mgetBuffer');
    try {
      const handedBefore = handedToNext;
      const miss = await raw(`/api/patients/${p!.id}/profile`, { ...api.as.readKey, 'accept-encoding': 'gzip' });
      expect(miss.status).toBe(200);
      expect(miss.headers['x-cache']).toBe('MISS');
      expect(miss.headers['x-via']).toBeUndefined();
      expect(handedToNext).toBe(handedBefore);
      // A peek and then withMeta read the entry twice (stop 23).
      expect(reads.mock.calls.filter(([keys]) => keys.includes(key))).toHaveLength(1);
    } finally {
      reads.mockRestore();
    }
    const stored = await profile.entry.peek(p!.id);
    expect(stored?.status).toBe('HIT');
    expect((await viaFastPath(`/api/patients/${p!.id}/profile`, api.as.readKey)).xCache).toBe('HIT');
  });

  it('serves a miss slower than the soft timeout itself, and makes a stampede on it wait for that one computation', async () => {
    type Joins = { join: (...a: unknown[]) => unknown; joinLocal: (...a: unknown[]) => unknown };
    const runner = (await import('@/lib/cache/factory-runner')).FactoryRunner.prototype as unknown as Joins;
    const { analytics } = await import('@/lib/resources');
    const path = '/api/analytics/recommendation/7';
    const before = await analyticsStats();
    const tables = await holdAnalyticsTables();
    // Joined after a Redis read (join) or, with nothing invalidated since it began, without one (joinLocal).
    let joined = 0;
    const spies = (['join', 'joinLocal'] as const).map((name) => {
      const original = runner[name];
      return vi.spyOn(runner, name).mockImplementation(function (this: unknown, ...a: unknown[]) {
        const flight = original.apply(this, a);
        if (flight) joined++;
        return flight;
      });
    });
    let first: Promise<Response>;
    let stampede: Promise<Awaited<ReturnType<typeof raw>>[]>;
    const N = 40;
    const handedBefore = handedToNext;
    try {
      // Nothing in flight: the fast path starts the computation and waits for it; every request of the stampede
      // joins it from the fast path.
      first = fetch(frontBase + path, { headers: api.as.readKey });
      await tables.blocked();
      stampede = Promise.all(Array.from({ length: N }, () => raw(path, { ...api.as.readKey, 'accept-encoding': 'gzip' })));
      await waitFor(() => joined === N, 10_000);
      // Held past the soft timeout: the fast path used to hand the first request to Next here.
      await new Promise((r) => setTimeout(r, 2 * analytics.waits.timeout));
    } finally {
      await tables.release();
      for (const spy of spies) spy.mockRestore();
    }
    const firstAnswer = await first;
    expect(firstAnswer.headers.get('x-via')).toBeNull();
    expect(firstAnswer.headers.get('x-cache')).toBe('MISS');
    const body = await firstAnswer.text();
    for (const r of await stampede) {
      expect(r.headers['x-via']).toBeUndefined();
      expect(r.status).toBe(200);
      expect(r.headers['x-cache']).toBe('MISS');
      expect(r.headers.etag).toBe(firstAnswer.headers.get('etag'));
      expect(gunzipSync(r.body).toString()).toBe(body);
    }
    expect(handedToNext).toBe(handedBefore);
    expect((await analyticsStats()).misses - before.misses).toBe(1);
  });

  it('drops a wait deadline and a stored gzip mark a client sent: only server.ts sets them', async () => {
    const { prepareIncoming } = await import('@/lib/http/incoming');
    const req = { headers: { 'x-mizaj-wait-deadline': '1', 'x-mizaj-stored-gzip': '1' }, socket: { remoteAddress: '127.0.0.1' } } as unknown as IncomingMessage;
    prepareIncoming(req);
    expect(req.headers['x-mizaj-wait-deadline']).toBeUndefined();
    expect(req.headers['x-mizaj-stored-gzip']).toBeUndefined();
  });

  // Next drops a route handler's Content-Encoding; server.ts marks what it hands over and restores the name
  // (lib/http/stored-gzip.ts; end to end through Next: tests/prod/hostile-input.test.ts).
  it('the route handler answers a marked gzip request with the fast path\'s stored bytes, its encoding renamed', async () => {
    const path = '/api/feedback/recommendation/4/summary';
    await call('GET', path, { headers: api.as.readKey });
    const fast = await raw(path, { ...api.as.readKey, 'accept-encoding': 'gzip' });
    expect(fast.headers['content-encoding']).toBe('gzip');
    const marked = { ...api.as.readKey, 'x-mizaj-stored-gzip': '1' };
    const handler = await call('GET', path, { headers: { ...marked, 'accept-encoding': 'gzip' } });
    expect(handler.headers.get('content-encoding')).toBeNull();
    expect(handler.headers.get('x-mizaj-content-encoding')).toBe('gzip');
    expect(handler.headers.get('etag')).toBe(fast.headers.etag);
    expect(handler.headers.get('vary')).toBe(fast.headers.vary);
    expect(Buffer.from(await handler.arrayBuffer()).equals(fast.body)).toBe(true);
    // Marked, but the client does not take gzip; and a client taking gzip without server.ts's mark: the JSON.
    for (const headers of [{ ...marked, 'accept-encoding': 'identity' }, { ...api.as.readKey, 'accept-encoding': 'gzip' }]) {
      const plain = await call('GET', path, { headers });
      expect(plain.headers.get('x-mizaj-content-encoding')).toBeNull();
      expect(Buffer.from(await plain.arrayBuffer()).equals(gunzipSync(fast.body))).toBe(true);
    }
  });

  it('a request handed to Next with its wait spent gets 503 at once, not after another hard timeout', { timeout: 3_000 }, async () => {
    const { analytics } = await import('@/lib/resources');
    expect(analytics.waits.hardTimeout).toBeGreaterThanOrEqual(3_000 * 2); // the test's own timeout is the assertion
    const tables = await holdAnalyticsTables();
    try {
      const res = await call('GET', '/api/analytics/recommendation/9', { headers: { ...api.as.readKey, 'x-mizaj-wait-deadline': String(Date.now()) } });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).not.toBeNull();
    } finally {
      await tables.release();
    }
  });
});
