import { readdirSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import Redis from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { serveFromCache } from '@/lib/json-api/fast-path';
import { createApiKey, markApiKeyRevoked } from '@/lib/auth/api-keys';
import { ensureDemoUsers } from '@/lib/auth/demo-users';
import { createSession } from '@/lib/auth/sessions';
import { users } from '@/lib/db/schema';
import { RESOURCES } from '@/lib/resources';
import { seedDatabase } from '@/drizzle/seed/seed-database';
import { createConformance, snapshot, type OpenApiDoc } from '../support/openapi-conformance';
import { createTestDb, destroyTestDb, type TestDb } from '../support/test-db';

const ROOT = path.resolve(import.meta.dirname, '../..');
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

type Handler = (req: Request, ctx: { params: Promise<Record<string, string | string[]>> }) => Promise<Response>;
type RouteFile = { file: string; pattern: RegExp; names: string[]; rank: number; urlPath: string };

/**
 * Every route.ts under app/ that answers an API path, with the URL pattern Next derives from its folders,
 * and every declared resource path the catch-all serves (lib/json-api/resource-routes.ts) as that file.
 */
export function apiRouteFiles(): RouteFile[] {
  const found: RouteFile[] = [];
  const walk = (dir: string, segments: string[]) => {
    for (const entry of readdirSync(dir)) {
      const full = path.join(dir, entry);
      if (statSync(full).isDirectory()) walk(full, [...segments, entry]);
      else if (entry === 'route.ts') {
        const names: string[] = [];
        let rank = 0;
        const source = segments
          .map((s) => {
            if (s.startsWith('[...')) return names.push(s.slice(4, -1)), (rank += 100), '(.+)';
            if (s.startsWith('[')) return names.push(s.slice(1, -1)), (rank += 10), '([^/]+)';
            return s.replace(/[.]/g, '\\.');
          })
          .join('/');
        const urlPath = '/' + segments.map((s) => (s.startsWith('[...') ? `{${s.slice(4, -1)}}` : s.startsWith('[') ? `{${s.slice(1, -1)}}` : s)).join('/');
        found.push({ file: full, pattern: new RegExp(`^/${source}$`), names, rank, urlPath });
      }
    }
  };
  walk(path.join(ROOT, 'app/api'), ['api']);
  walk(path.join(ROOT, 'app/metrics'), ['metrics']);
  const catchAll = found.find((r) => r.urlPath === '/api/{path}')!;
  for (const resource of RESOURCES) {
    const urlPath = resource.op?.path;
    if (!urlPath || found.some((r) => r.file !== catchAll.file && r.pattern.test(urlPath.replace(/\{[a-z]+\}/g, '1')))) continue;
    const names = [...urlPath.matchAll(/\{([a-z]+)\}/g)].map((m) => m[1]!);
    const source = urlPath.replace(/[.]/g, '\\.').replace(/\{[a-z]+\}/g, '([^/]+)');
    // Ranked like a route folder with these params: before the catch-all, as Next's own folders are.
    found.push({ file: catchAll.file, pattern: new RegExp(`^${source}$`), names, rank: names.length * 10, urlPath });
  }
  return found.sort((a, b) => a.rank - b.rank);
}

const modules = new Map<string, Record<string, Handler>>();

/** Calls the route handler Next would call for this method and path (same params Promise Next passes). */
export async function call(method: string, url: string, init: { headers?: Record<string, string>; body?: string | object } = {}): Promise<Response> {
  const { pathname } = new URL(url, 'http://mizaj.test');
  const route = apiRouteFiles().find((r) => r.pattern.test(pathname));
  if (!route) throw new Error(`no route for ${pathname}`);
  let mod = modules.get(route.file);
  if (!mod) modules.set(route.file, (mod = (await import(route.file)) as Record<string, Handler>));
  const handler = mod[method];
  if (!handler) throw new Error(`${route.file} exports no ${method}`);
  const match = pathname.match(route.pattern)!;
  const params = Object.fromEntries(route.names.map((n, i) => [n, n === 'path' ? decodeURIComponent(match[i + 1]!).split('/') : decodeURIComponent(match[i + 1]!)]));
  const headers = new Headers(init.headers);
  let body: string | undefined;
  if (init.body !== undefined) {
    body = typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
    if (!headers.has('content-type')) headers.set('content-type', 'application/json');
  }
  const res = await handler(new Request(new URL(url, 'http://mizaj.test'), { method, headers, body }), { params: Promise.resolve(params) });
  // Every answer an API test sees is checked against the OpenAPI document: a drift fails the test that saw it.
  const { seen, response } = await snapshot(method, url, res);
  (await conformance()).check(seen);
  return response;
}

let checker: ReturnType<typeof createConformance> | undefined;

/** The conformance checker over the document the app serves (built in-process from lib/json-api/operations). */
export async function conformance() {
  if (!checker) {
    await import('@/lib/json-api/operations');
    const { buildOpenApiDocument } = await import('@/lib/http/openapi');
    checker = createConformance(buildOpenApiDocument() as unknown as OpenApiDoc);
  }
  return checker;
}

export type Identities = Record<'anonymous' | 'clinician' | 'admin' | 'readKey' | 'writeKey' | 'writeOnlyKey' | 'revokedKey', Record<string, string>>;

export type ApiFixture = { db: TestDb; prefix: string; as: Identities; redis: Redis };

/**
 * A fresh database seeded with a small deterministic demo set, a Redis prefix of its own, and one identity
 * of each kind. The app's singletons (getDb, getCache) read the env set here on first use.
 */
export function useApi(opts: { patients?: number } = {}): ApiFixture {
  const fixture = {} as ApiFixture;
  beforeAll(async () => {
    const db = await createTestDb();
    await seedDatabase(db, { patients: opts.patients ?? 300, seed: 11, now: new Date('2026-11-20T00:00:00Z') });
    await ensureDemoUsers(db.db, 'test');
    const prefix = `t-api-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    Object.assign(process.env, { DATABASE_URL: db.url, REDIS_URL, CACHE_PREFIX: prefix, NODE_ENV: 'test', CACHE_COMMAND_TIMEOUT_MS: '2000' });
    // Until Redis is connected the cache is bypassed (by design: nothing waits for a connection), which
    // would make a test's first reads MISS twice.
    const { getCache } = await import('@/lib/cache');
    await getCache().ready();
    const session = async (email: string) => {
      const [u] = await db.db.select({ id: users.id }).from(users).where(eq(users.email, email));
      return { cookie: `mizaj_session=${(await createSession(db.db, u!.id)).token}` };
    };
    const key = async (name: string, scopes: string[]) => (await createApiKey(db.db, { name, scopes })).key;
    const revoked = await createApiKey(db.db, { name: 'revoked', scopes: ['read', 'write'] });
    await markApiKeyRevoked(db.db, revoked.info.id);
    Object.assign(fixture, {
      db,
      prefix,
      redis: new Redis(REDIS_URL),
      as: {
        anonymous: {},
        clinician: await session('clinician@demo.mizaj.local'),
        admin: await session('admin@demo.mizaj.local'),
        readKey: { authorization: `Bearer ${await key('reader', ['read'])}` },
        writeKey: { authorization: `Bearer ${await key('writer', ['read', 'write'])}` },
        writeOnlyKey: { authorization: `Bearer ${await key('write only', ['write'])}` },
        revokedKey: { authorization: `Bearer ${revoked.key}` },
      },
    });
  }, 120_000);
  afterAll(async () => {
    const { setCacheForTesting } = await import('@/lib/cache');
    await setCacheForTesting(undefined);
    // Patient views still waiting for their batch: written now, so the flush timer cannot reopen the database
    // after closeDb (a connection dropped mid-handshake with the test database was an unhandled ECONNRESET).
    const { flushPatientViews } = await import('@/lib/audit/patient-access');
    await flushPatientViews();
    const { closeDb } = await import('@/lib/db/client');
    await closeDb();
    for await (const keys of fixture.redis.scanStream({ match: `${fixture.prefix}:*`, count: 1000 }) as AsyncIterable<string[]>) {
      if (keys.length > 0) await fixture.redis.unlink(...keys);
    }
    fixture.redis.disconnect();
    await destroyTestDb(fixture.db);
  });
  return fixture;
}

/**
 * The fast path in front of a stand-in for Next that answers 599 (`x-fell-through: 1`), so a test sees who
 * answered: `fetch(path, headers)` against it, or `url(path)` for other clients.
 */
export function useFastPath(): { fetch(path: string, headers?: Record<string, string>): Promise<Response>; url(path: string): string } {
  let server: Server;
  let base = '';
  beforeAll(async () => {
    server = createServer((req, res) => {
      void Promise.resolve(serveFromCache(req, res)).then((served) => {
        if (!served) res.writeHead(599, { 'x-fell-through': '1' }).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  return { fetch: (path, headers = {}) => fetch(base + path, { headers }), url: (path) => base + path };
}
