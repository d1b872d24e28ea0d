import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { expect, test } from '@playwright/test';
import { createMizajClient, MemoryStorage, OfflineCache, SqliteStorage, type CacheStorage } from '../../client/dist/index.js';
import { createConformance, snapshot, type OpenApiDoc } from '../../tests/support/openapi-conformance';
import { createApiKey, ROOT, SERVER_ENV } from '../api/support';
import { serverArgv } from '../../scripts/server-command';

/**
 * The built client package (client/dist) against the production build: a server of our own on the e2e
 * database, stopped by pid to go offline. Every answer the client receives from the network is checked
 * against the document that server serves.
 */

const PORT = Number(process.env.E2E_PORT ?? 3100) + 17;
const BASE = `http://127.0.0.1:${PORT}`;
const ENV = { ...SERVER_ENV, PUBLIC_URL: BASE, HOST: '127.0.0.1', PORT: String(PORT), WEB_CONCURRENCY: '1' };

let server: ChildProcess | undefined;
let apiKey = '';
let conformance: ReturnType<typeof createConformance>;
const checked: string[] = [];

async function startServer() {
  server = spawn(process.execPath, serverArgv(ROOT), { cwd: ROOT, env: ENV, stdio: 'ignore' });
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${BASE}/api/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('own production server did not start');
}

async function stopServer() {
  const s = server!;
  const exited = new Promise((r) => s.once('exit', r));
  s.kill('SIGTERM');
  await exited;
  server = undefined;
}

/** The network as the client sees it, with every answer checked against the document. */
async function network(req: Request): Promise<Response> {
  const method = req.method;
  const res = await fetch(req);
  const { seen, response } = await snapshot(method, req.url, res);
  conformance.check(seen);
  checked.push(`${method} ${new URL(req.url).pathname} ${res.status}`);
  return response;
}

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  apiKey = createApiKey('client e2e', 'read,write');
  await startServer();
  const doc = (await (await fetch(`${BASE}/api/openapi.json`)).json()) as OpenApiDoc & { servers: { url: string }[] };
  expect(doc.servers[0]!.url).toBe(BASE);
  conformance = createConformance(doc);
});

test.afterAll(async () => {
  if (server) await stopServer();
});

for (const kind of ['memory', 'sqlite'] as const) {
  test(`${kind} storage: typed reads, revalidation, a write that changes the ETag, offline, sign-out`, async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mizaj-client-'));
    const db = kind === 'sqlite' ? new Database(path.join(dir, 'cache.db')) : undefined;
    const storage: CacheStorage = db ? new SqliteStorage(db) : new MemoryStorage();
    try {
      if (!server) await startServer();
      const cache = new OfflineCache({ storage, maxBytes: 1024 * 1024 });
      const api = createMizajClient({ baseUrl: BASE, apiKey, cache, fetch: network });

      const first = await api.GET('/api/recommendations/{id}', { params: { path: { id: 1 } } });
      expect(first.response.headers.get('x-client-cache')).toBe('MISS');
      expect(first.data!.id).toBe(1);
      const etag = first.response.headers.get('etag')!;
      const again = await api.GET('/api/recommendations/{id}', { params: { path: { id: 1 } } });
      expect(again.response.headers.get('x-client-cache')).toBe('HIT');

      // A personal answer is `no-cache` or short-lived: it is kept, and revalidated with If-None-Match.
      const profile = await api.GET('/api/patients/{id}/profile', { params: { path: { id: 1 } } });
      expect(profile.data!.patient.id).toBe(1);
      const records = await api.GET('/api/patients/{id}/health-records', { params: { path: { id: 1 }, query: { limit: 3 } } });
      expect(records.response.headers.get('x-client-cache')).toBe('MISS');
      const trending = await api.GET('/api/trending', { params: { query: { days: 30, limit: 5 } } });
      expect(Array.isArray(trending.data)).toBe(true);

      // A write through the client: If-Match from what it read, the new ETag back, and the next read sees it.
      const put = await api.PUT('/api/recommendations/{id}', {
        params: { path: { id: 1 }, header: { 'If-Match': etag } },
        body: { dosage: `${kind} client dosage` },
      });
      expect(put.response.status).toBe(200);
      const newEtag = put.response.headers.get('etag')!;
      expect(newEtag).not.toBe(etag);
      const afterWrite = await api.GET('/api/recommendations/{id}', { params: { path: { id: 1 } } });
      expect(afterWrite.response.headers.get('x-client-cache')).toBe('MISS');
      expect(afterWrite.response.headers.get('etag')).toBe(newEtag);
      expect(afterWrite.data!.dosage).toBe(`${kind} client dosage`);

      const before = cache.stats();
      expect(before.entries).toBeGreaterThanOrEqual(3);
      expect(before.bytes).toBeGreaterThan(0);

      // Offline: the server stopped by pid; what the cache has is served and flagged.
      await stopServer();
      const offline = await api.GET('/api/patients/{id}/health-records', { params: { path: { id: 1 }, query: { limit: 3 } } });
      expect(offline.response.headers.get('x-client-cache')).toBe('STALE-OFFLINE');
      expect(offline.data!.items.length).toBeGreaterThan(0);
      await expect(api.GET('/api/recommendations/{id}', { params: { path: { id: 2 } } })).rejects.toThrow();
      expect(cache.stats().staleServed).toBe(1);

      if (db) {
        // Persistent: a new cache over the same SQLite file still has it after the "app" restarts.
        const reopened = new OfflineCache({ storage: new SqliteStorage(new Database(path.join(dir, 'cache.db'))) });
        const replay = await createMizajClient({ baseUrl: BASE, apiKey, cache: reopened, fetch: network }).GET('/api/patients/{id}/health-records', { params: { path: { id: 1 }, query: { limit: 3 } } });
        expect(replay.response.headers.get('x-client-cache')).toBe('STALE-OFFLINE');
      }

      // Sign-out forgets everything personal, keeps the rest; cleanup by category.
      api.signOut();
      await expect(api.GET('/api/patients/{id}/health-records', { params: { path: { id: 1 }, query: { limit: 3 } } })).rejects.toThrow();
      expect(storage.list().some((e) => e.personal)).toBe(false);
      expect(storage.list().map((e) => e.category)).toEqual(expect.arrayContaining(['recommendations', 'trending']));
      cache.clearCategory('trending');
      expect(storage.list().map((e) => e.category)).not.toContain('trending');
      await startServer();
    } finally {
      db?.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('the size limit evicts the oldest entries; stats count hits, misses, revalidations and bytes', async () => {
  const cache = new OfflineCache({ maxBytes: 1200 });
  const api = createMizajClient({ baseUrl: BASE, apiKey, cache, fetch: network });
  for (let id = 1; id <= 8; id++) await api.GET('/api/recommendations/{id}', { params: { path: { id } } });
  const s = cache.stats();
  expect(s.misses).toBe(8);
  expect(s.bytes).toBeLessThanOrEqual(1200);
  expect(s.entries).toBeGreaterThanOrEqual(2);
  expect(s.entries).toBeLessThan(8);
  expect(cache.storage.get('/api/recommendations/8')).toBeDefined();
  expect(cache.storage.get('/api/recommendations/1')).toBeUndefined();
  // A `no-cache` answer (a page of a list) is revalidated: 304 from the server, served from the cache.
  await api.GET('/api/patients/{id}/health-records', { params: { path: { id: 1 }, query: { limit: 2 } } });
  const revalidated = await api.GET('/api/patients/{id}/health-records', { params: { path: { id: 1 }, query: { limit: 2 } } });
  expect(revalidated.response.headers.get('x-client-cache')).toBe('REVALIDATED');
  expect(cache.stats().revalidations).toBe(1);
  expect(checked.length).toBeGreaterThan(10);
});
