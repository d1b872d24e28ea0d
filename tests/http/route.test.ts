import { describe, expect, it, beforeAll } from 'vitest';
import fc from 'fast-check';
import { authenticate } from '@/lib/auth/identity';
import { createDb } from '@/lib/db/client';
import { NotFoundError } from '@/lib/errors';
import { apiNotFound, methodNotAllowed, otherMethods } from '@/lib/http/methods';
import { createRoute, type RouteDeps } from '@/lib/http/route';
import { defineOperation } from '@/lib/http/openapi';
import { idParams } from '@/lib/http/schemas';
import { z } from '@/lib/http/zod';
// Renamed on import: it is a vitest helper, not a React hook (react-hooks/rules-of-hooks misfires on `use…`).
import { useTestDb as withTestDb } from '@/tests/support/test-db';
import { makeIdentities, type Who } from './identities';

const t = withTestDb();
const route = createRoute({ authenticate: (h) => authenticate(t.db, h) });
let who: Awaited<ReturnType<typeof makeIdentities>>;
beforeAll(async () => {
  who = await makeIdentities(t.db);
});

const ctx = (params: Record<string, string> = {}) => ({ params: Promise.resolve(params) });
const url = 'http://localhost/api/things/7';

async function problem(res: Response) {
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  return (await res.json()) as { status: number; code: string; errors?: { path: string; message: string }[] };
}

describe('auth matrix', () => {
  const levels = ['public', 'read', 'write', 'admin'] as const;
  const expected: Record<Who, [number, number, number, number]> = {
    anonymous: [200, 401, 401, 401],
    clinician: [200, 200, 200, 403],
    admin: [200, 200, 200, 200],
    readKey: [200, 200, 403, 403],
    writeKey: [200, 200, 200, 403],
    revokedKey: [200, 401, 401, 401],
  };
  const handlers = Object.fromEntries(levels.map((auth) => [auth, route({ auth }, ({ identity }) => ({ kind: identity?.kind ?? null }))]));

  for (const [name, statuses] of Object.entries(expected) as [Who, number[]][]) {
    it(`${name}: public/read/write/admin → ${statuses.join('/')}`, async () => {
      const got: number[] = [];
      for (const auth of levels) {
        const res = await handlers[auth]!(new Request(url, { method: 'POST', headers: who[name] }), ctx());
        got.push(res.status);
        if (res.status >= 400) await problem(res);
        if (res.status === 401) expect(res.headers.get('www-authenticate')).toContain('Bearer');
      }
      expect(got).toEqual(statuses);
    });
  }

  it('says why a key was refused, and refuses a malformed Authorization header', async () => {
    const h = handlers.read!;
    const revoked = await h(new Request(url, { headers: who.revokedKey }), ctx());
    expect(((await revoked.json()) as { detail: string }).detail).toMatch(/revoked/);
    const basic = await h(new Request(url, { headers: { authorization: 'Basic Zm9vOmJhcg==' } }), ctx());
    expect(basic.status).toBe(401);
    const garbage = await h(new Request(url, { headers: { authorization: 'Bearer mz_short' } }), ctx());
    expect(garbage.status).toBe(401);
    const badCookie = await h(new Request(url, { headers: { cookie: 'mizaj_session=not-a-token' } }), ctx());
    expect(badCookie.status).toBe(401);
  });

  it('refuses a cross-site cookie write but not a cross-site API-key write or cookie read', async () => {
    const w = handlers.write!;
    const cross = { 'sec-fetch-site': 'cross-site' };
    expect((await w(new Request(url, { method: 'POST', headers: { ...who.clinician, ...cross } }), ctx())).status).toBe(403);
    expect((await w(new Request(url, { method: 'POST', headers: { ...who.writeKey, ...cross } }), ctx())).status).toBe(200);
    expect((await handlers.read!(new Request(url, { headers: { ...who.clinician, ...cross } }), ctx())).status).toBe(200);
  });
});

describe('input parsing', () => {
  const body = z.object({ rating: z.number().int().min(1).max(5), comment: z.string().max(2000).optional() });
  const update = route({ auth: 'write', params: idParams, body }, ({ params, body, identity }) => ({ id: params.id, rating: body.rating, by: identity.kind }));
  const list = route({ auth: 'read', query: z.object({ days: z.coerce.number().int().min(1).max(30).default(7) }) }, ({ query }) => ({ days: query.days }));
  const post = (b: BodyInit | null, headers: Record<string, string> = { 'content-type': 'application/json' }, params = { id: '7' }) =>
    update(new Request(url, { method: 'PUT', body: b, headers: { ...who.writeKey, ...headers } }), ctx(params));

  it('passes typed params, query and body to the handler', async () => {
    const res = await post(JSON.stringify({ rating: 4 }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: 7, rating: 4, by: 'apikey' });
    expect(res.headers.get('server-timing')).toMatch(/auth;dur=[\d.]+, app;dur=[\d.]+/);
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const q = await list(new Request('http://localhost/api/t?days=30', { headers: who.readKey }), ctx());
    expect(await q.json()).toEqual({ days: 30 });
    const d = await list(new Request('http://localhost/api/t', { headers: who.readKey }), ctx());
    expect(await d.json()).toEqual({ days: 7 });
  });

  it.each(['abc', '-1', '0', '1e3', '0x1f', ' 7', '7.5', '99999999999', ''])('id %j → 400 at params.id', async (id) => {
    const res = await post(JSON.stringify({ rating: 4 }), undefined, { id });
    expect(res.status).toBe(400);
    const p = await problem(res);
    expect(p.errors?.[0]?.path).toBe('params.id');
  });

  it('malformed JSON → 400 malformed_body', async () => {
    for (const raw of ['{"rating":', 'not json', '{"rating":4}}', '\u00ff']) {
      const res = await post(raw);
      expect(res.status).toBe(400);
      expect((await problem(res)).code).toBe('malformed_body');
    }
  });

  it('invalid UTF-8 → 400', async () => {
    const res = await post(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]));
    expect(res.status).toBe(400);
  });

  it('extra field, missing field, wrong type → 400 with field paths', async () => {
    const extra = await problem(await post(JSON.stringify({ rating: 4, ratting: 5 })));
    expect(extra.errors).toEqual([{ path: 'body.ratting', message: 'Unrecognized field' }]);
    const missing = await problem(await post(JSON.stringify({})));
    expect(missing.errors?.map((e) => e.path)).toEqual(['body.rating']);
    const wrong = await problem(await post(JSON.stringify({ rating: 'five' })));
    expect(wrong.errors?.map((e) => e.path)).toEqual(['body.rating']);
    const notObject = await problem(await post(JSON.stringify([1, 2])));
    expect(notObject.errors?.map((e) => e.path)).toEqual(['body']);
    const extraQuery = await list(new Request('http://localhost/api/t?days=3&debug=1', { headers: who.readKey }), ctx());
    expect((await problem(extraQuery)).errors).toEqual([{ path: 'query.debug', message: 'Unrecognized field' }]);
    const repeated = await list(new Request('http://localhost/api/t?days=3&days=4', { headers: who.readKey }), ctx());
    expect(repeated.status).toBe(400);
  });

  it('no body → 400 naming the body', async () => {
    const res = await post(null);
    expect(res.status).toBe(400);
    expect((await problem(res)).errors?.[0]?.path).toBe('body');
  });

  it('a 1 MB string → 413, also when Content-Length lies or is absent (streamed)', async () => {
    const big = JSON.stringify({ rating: 4, comment: 'x'.repeat(1024 * 1024) });
    expect((await post(big)).status).toBe(413);
    expect((await post(big, { 'content-type': 'application/json', 'content-length': '20' })).status).toBe(413);
    const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        sent++;
        if (sent > 32) c.close();
        else c.enqueue(chunk);
      },
    });
    const res = await update(
      new Request(url, { method: 'PUT', body: stream, headers: { ...who.writeKey, 'content-type': 'application/json' }, duplex: 'half' } as RequestInit),
      ctx({ id: '7' }),
    );
    expect(res.status).toBe(413);
    expect((await problem(res)).code).toBe('payload_too_large');
    // Stopped reading soon after the cap instead of draining 2 MB.
    expect(sent).toBeLessThan(5);
  });

  it('maxBodyBytes is per route', async () => {
    const tiny = route({ auth: 'public', body: z.object({ a: z.string() }), maxBodyBytes: 10 }, ({ body }) => body);
    const ok = await tiny(new Request(url, { method: 'POST', body: '{"a":"b"}', headers: { 'content-type': 'application/json' } }), ctx());
    expect(ok.status).toBe(200);
    const tooBig = await tiny(new Request(url, { method: 'POST', body: '{"a":"bcdef"}', headers: { 'content-type': 'application/json' } }), ctx());
    expect(tooBig.status).toBe(413);
  });

  it('wrong or missing content type → 415; JSON variants accepted', async () => {
    for (const ct of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=latin1']) {
      const res = await post(JSON.stringify({ rating: 4 }), { 'content-type': ct });
      expect(res.status, ct).toBe(415);
    }
    // A Request with a string body defaults to text/plain; strip it to send none at all.
    const none = new Request(url, { method: 'PUT', body: JSON.stringify({ rating: 4 }), headers: who.writeKey });
    none.headers.delete('content-type');
    expect((await update(none, ctx({ id: '7' }))).status).toBe(415);
    for (const ct of ['application/json; charset=utf-8', 'Application/JSON', 'application/merge-patch+json']) {
      expect((await post(JSON.stringify({ rating: 4 }), { 'content-type': ct })).status, ct).toBe(200);
    }
  });

  it('a schema with an async refinement is parsed too: passes, and fails with its field path', async () => {
    const unique = z.object({ name: z.string() }).refine(async (v) => v.name !== 'taken', { message: 'name taken', path: ['name'] });
    const create = route({ auth: 'write', body: unique }, ({ body }) => ({ name: body.name }));
    const send = (name: string) => create(new Request(url, { method: 'POST', body: JSON.stringify({ name }), headers: { ...who.writeKey, 'content-type': 'application/json' } }), ctx());
    const ok = await send('free');
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ name: 'free' });
    const taken = await send('taken');
    expect(taken.status).toBe(400);
    expect((await problem(taken)).errors).toEqual([expect.objectContaining({ path: 'body.name', message: 'name taken' })]);
  });

  it('authentication comes before validation', async () => {
    const res = await update(new Request(url, { method: 'PUT', body: 'garbage', headers: { 'content-type': 'application/json' } }), ctx({ id: 'x' }));
    expect(res.status).toBe(401);
  });
});

describe('responses and errors', () => {
  it('maps thrown errors, passes Responses through, 204 for undefined', async () => {
    const nf = route({ auth: 'public' }, () => {
      throw new NotFoundError('Recommendation', 9);
    });
    const res = await nf(new Request(url), ctx());
    expect(res.status).toBe(404);
    expect(await problem(res)).toMatchObject({ code: 'not_found', instance: '/api/things/7' });

    const custom = route({ auth: 'public' }, () => new Response('hi', { status: 202, headers: { 'Server-Timing': 'db;dur=3' } }));
    const c = await custom(new Request(url), ctx());
    expect(c.status).toBe(202);
    expect(c.headers.get('server-timing')).toMatch(/^db;dur=3, app;dur=/);

    const immutable = route({ auth: 'public' }, () => Response.redirect('http://localhost/elsewhere', 302));
    const i = await immutable(new Request(url), ctx());
    expect(i.status).toBe(302);
    expect(i.headers.get('server-timing')).toMatch(/app;dur=/);

    const empty = route({ auth: 'public' }, () => undefined);
    expect((await empty(new Request(url), ctx())).status).toBe(204);
  });

  it('a database outage → 503 with Retry-After, not 500', async () => {
    const down = await createDb({ url: 'postgres://postgres@127.0.0.1:1/nothing', max: 1 });
    try {
      const r = createRoute({ authenticate: (h) => authenticate(down.db, h) });
      const res = await r({ auth: 'read' }, () => ({}))(new Request(url, { headers: who.readKey }), ctx());
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      await problem(res);
    } finally {
      await down.close();
    }
  });

  it('405 and unknown-path 404 are problem+json', async () => {
    const { POST, DELETE } = otherMethods(['GET']);
    const res = await POST(new Request(url, { method: 'POST' }));
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
    expect((await problem(res)).code).toBe('method_not_allowed');
    expect((await DELETE(new Request(url, { method: 'DELETE' }))).status).toBe(405);
    expect((await methodNotAllowed(['POST'])(new Request(url))).headers.get('allow')).toBe('POST, OPTIONS');
    const nf = await apiNotFound(new Request('http://localhost/api/nope'));
    expect(nf.status).toBe(404);
    await problem(nf);
  });

  it('an identity this process has at hand (authenticateNow) is used without the lookup; without one, the lookup answers', async () => {
    let lookups = 0;
    const lookup: RouteDeps['authenticate'] = (h) => (lookups++, authenticate(t.db, h));
    const refusedNow = createRoute({ authenticate: lookup, authenticateNow: () => ({ identity: null, reason: 'invalid_api_key' }) });
    const res = await refusedNow({ auth: 'read' }, () => ({}))(new Request(url, { headers: who.readKey }), ctx());
    expect(res.status).toBe(401);
    expect(res.headers.get('server-timing')).toMatch(/^auth;dur=[\d.]+, app;dur=/);
    expect(lookups).toBe(0);
    const notAtHand = createRoute({ authenticate: lookup, authenticateNow: () => undefined });
    expect((await notAtHand({ auth: 'read' }, () => ({}))(new Request(url, { headers: who.readKey }), ctx())).status).toBe(200);
    expect(lookups).toBe(1);
  });

  it('reports each request to the observer', async () => {
    const seen: { route: string; status: number }[] = [];
    const r = createRoute({ authenticate: (h) => authenticate(t.db, h), observe: (e) => seen.push(e) });
    await r({ auth: 'read', name: '/api/things/{id}' }, () => ({}))(new Request(url), ctx());
    expect(seen).toEqual([expect.objectContaining({ method: 'GET', route: '/api/things/{id}', status: 401 })]);
  });
});

describe('one operation for the handler and the OpenAPI document', () => {
  it('route() accepts a defineOperation() object and types params/body from it', async () => {
    const op = defineOperation({
      method: 'PUT',
      path: '/api/things/{id}',
      auth: 'write',
      params: idParams,
      body: z.object({ score: z.number().min(0).max(1) }),
      operationId: 'updateThing',
      summary: 'Update a thing',
      description: 'Changes its score',
      tags: ['things'],
    });
    const PUT = route(op, ({ params, body, identity }) => ({ id: params.id + 1, score: body.score, who: identity.id }));
    const res = await PUT(new Request(url, { method: 'PUT', body: '{"score":0.5}', headers: { ...who.clinician, 'content-type': 'application/json' } }), ctx({ id: '41' }));
    expect(await res.json()).toMatchObject({ id: 42, score: 0.5 });
  });
});

describe('property: random input never yields a 500', () => {
  const body = z.object({
    recommendationId: z.number().int().positive(),
    rating: z.number().int().min(1).max(5),
    adherence: z.number().int().min(0).max(100),
    comment: z.string().max(500).optional(),
    tags: z.array(z.enum(['a', 'b'])).max(3).optional(),
  });
  const handler = route({ auth: 'write', params: idParams, query: z.object({ lang: z.enum(['fa', 'en', 'ar']).optional() }), body, maxBodyBytes: 4096 }, ({ params, body }) => ({
    id: params.id,
    ...body,
  }));

  const jsonish = fc.oneof(
    fc.json(),
    fc.string(),
    fc.record({ recommendationId: fc.anything(), rating: fc.anything(), adherence: fc.anything() }, { requiredKeys: [] }).map((v) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? String(x) : x))),
    fc.record({ recommendationId: fc.integer(), rating: fc.integer({ min: 0, max: 6 }), adherence: fc.integer({ min: -1, max: 101 }), comment: fc.string({ maxLength: 600 }) }).map((v) => JSON.stringify(v)),
  );

  it('holds for random ids, queries, content types, auth headers and bodies', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string(), fc.nat().map(String), fc.integer().map(String)),
        fc.oneof(fc.constant(''), fc.string().map((s) => `?lang=${encodeURIComponent(s)}`), fc.constant('?lang=fa'), fc.string().map((s) => `?${encodeURIComponent(s)}=1`)),
        fc.constantFrom('application/json', 'text/plain', 'application/json; charset=utf-8', '', 'application/problem+json', 'x/y; charset=utf-16'),
        fc.constantFrom<Who>('writeKey', 'clinician', 'readKey', 'anonymous', 'revokedKey'),
        jsonish,
        async (id, search, ct, as, raw) => {
          const req = new Request(`http://localhost/api/things/x${search}`, { method: 'POST', body: raw, headers: { ...who[as], ...(ct ? { 'content-type': ct } : {}) } });
          if (!ct) req.headers.delete('content-type');
          const res = await handler(req, ctx({ id }));
          expect(res.status).not.toBe(500);
          expect(res.status).toBeLessThan(500);
          if (res.status >= 400) expect(res.headers.get('content-type')).toBe('application/problem+json');
        },
      ),
      { numRuns: 300 },
    );
  });
});
