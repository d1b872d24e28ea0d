import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import { eq, sql } from 'drizzle-orm';
import Redis from 'ioredis';
import { createApiKey } from '@/lib/auth/api-keys';
import { ensureDemoUsers } from '@/lib/auth/demo-users';
import { createSession } from '@/lib/auth/sessions';
import { feedback, patients, users } from '@/lib/db/schema';
import { seedDatabase } from '@/drizzle/seed/seed-database';
import { createTestDb, destroyTestDb, type TestDb } from '../support/test-db';
import { serverArgv } from '../../scripts/server-command';

/**
 * The production build (`npm run build` → .next/mizaj-server.mjs) started as its own process on a fresh
 * database, for the tests that must see what a real client sees: node:http's parser, the fast path, Next.
 * MIZAJ_APP_DIR points at another checkout's build (to check that a test fails on older code).
 */

export const APP_DIR = path.resolve(process.env.MIZAJ_APP_DIR ?? path.resolve(import.meta.dirname, '../..'));
/**
 * Every production server's output lands here (`*.log`), next to the personal data its database was seeded
 * with (`*.pii.txt`); tests/prod/log-scan.test.ts reads them all at the end. scripts/test.sh empties it.
 */
export const LOG_DIR = path.resolve(import.meta.dirname, '../../test-logs');
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Stands for personal data in request bodies the tests send: the log scan looks for it too. */
export const PII_MARKER = 'Parvaneh-Sadeghi-PII-marker';

export type Identities = { readKey: string; writeKey: string; adminCookie: string; unknownKey: string };

export type ProdServer = {
  url: string;
  fastPath: boolean;
  db: TestDb;
  prefix: string;
  as: Identities;
  /** Personal data the seed wrote (names, emails, comments): never in a log or an anonymous answer. */
  pii: string[];
  pid: number;
  alive(): boolean;
  /** SIGTERM, then how the process ended (it must end by itself: no SIGKILL here). */
  stopWithCode(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): Promise<void>;
};

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function waitHealthy(url: string, child: ChildProcess, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode} before it was healthy`);
    try {
      const r = await fetch(`${url}/api/health`);
      if (r.ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`server not healthy after ${timeoutMs} ms`);
}

/** Starts one production server (fast path on or off) on its own seeded database and key prefix. */
export async function startProdServer(opts: { name: string; fastPath: boolean; patients?: number; env?: Record<string, string> }): Promise<ProdServer> {
  const entry = path.join(APP_DIR, '.next/mizaj-server.mjs');
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run npm run build first`);
  const db = await createTestDb();
  await seedDatabase(db, { patients: opts.patients ?? 150, seed: 23, now: new Date('2026-11-20T00:00:00Z') });
  await ensureDemoUsers(db.db, 'test');
  const [admin] = await db.db.select({ id: users.id }).from(users).where(eq(users.email, 'admin@demo.mizaj.local'));
  const as: Identities = {
    readKey: `Bearer ${(await createApiKey(db.db, { name: 'prod-reader', scopes: ['read'] })).key}`,
    writeKey: `Bearer ${(await createApiKey(db.db, { name: 'prod-writer', scopes: ['read', 'write'] })).key}`,
    adminCookie: `mizaj_session=${(await createSession(db.db, admin!.id)).token}`,
    unknownKey: `Bearer mz_${'A'.repeat(43)}`,
  };
  const pii = await personalData(db);
  const prefix = `t-prod-${opts.name}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const port = await freePort();
  mkdirSync(LOG_DIR, { recursive: true });
  const base = path.join(LOG_DIR, `${opts.name}-${process.pid}-${port}`);
  writeFileSync(`${base}.pii.txt`, pii.join('\n'));
  const log = createWriteStream(`${base}.log`);
  const child = spawn(process.execPath, serverArgv(APP_DIR), {
    cwd: APP_DIR,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      VITEST: '',
      HOST: '127.0.0.1',
      PORT: String(port),
      // One process unless a test asks for workers (tests/prod/cluster.test.ts).
      WEB_CONCURRENCY: '1',
      FAST_PATH: opts.fastPath ? 'on' : 'off',
      DATABASE_URL: db.url,
      REDIS_URL,
      CACHE_PREFIX: prefix,
      SESSION_SECRET: 'prod-test-only-session-secret-0123456789',
      // Production refuses to start without a key for cached patient data (issue 10).
      CACHE_ENCRYPTION_KEYS: 'cHJvZC10ZXN0LW9ubHktY2FjaGUta2V5LTAxMjM0NTY=',
      LOG_LEVEL: 'info',
      // As in tests/api: on a loaded CI machine Redis round trips pass the 200 ms default, and these tests
      // are about input, not Redis faults (the chaos suite's).
      CACHE_COMMAND_TIMEOUT_MS: '2000',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.pipe(log, { end: false });
  child.stderr!.pipe(log, { end: false });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitHealthy(url, child);
  } catch (error) {
    child.kill('SIGKILL');
    await destroyTestDb(db);
    throw error;
  }
  return {
    url,
    fastPath: opts.fastPath,
    db,
    prefix,
    as,
    pii,
    pid: child.pid!,
    alive: () => child.exitCode === null && child.signalCode === null,
    async stopWithCode() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      return { code: child.exitCode, signal: child.signalCode };
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      log.end();
      const redis = new Redis(REDIS_URL);
      for await (const keys of redis.scanStream({ match: `${prefix}:*`, count: 1000 }) as AsyncIterable<string[]>) {
        if (keys.length > 0) await redis.unlink(...keys);
      }
      redis.disconnect();
      await destroyTestDb(db);
    },
  };
}

/** Seeded personal data worth looking for: every patient name, user email and non-empty feedback comment. */
async function personalData(db: TestDb): Promise<string[]> {
  const names = await db.db.select({ v: patients.name }).from(patients);
  const emails = await db.db.select({ v: users.email }).from(users);
  const comments = await db.db
    .select({ v: feedback.comment })
    .from(feedback)
    .where(sql`length(${feedback.comment}) >= 12`);
  return [...new Set([...names, ...emails, ...comments].map((r) => r.v).filter((v): v is string => !!v && v.length >= 6))];
}

export type Answer = { status: number; headers: Record<string, string | string[] | undefined>; body: string; headerBytes: number };

/**
 * One raw HTTP/1.1 request (no client-side normalisation: bytes, methods and targets go out as given), with
 * the connection closed after it.
 */
export async function raw(server: { url: string }, method: string, target: string, opts: { headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<Answer> {
  const { port } = new URL(server.url);
  const { connect } = await import('node:net');
  const body = opts.body === undefined ? undefined : Buffer.isBuffer(opts.body) ? opts.body : Buffer.from(opts.body);
  const headers: Record<string, string> = { Host: `127.0.0.1:${port}`, Connection: 'close', ...opts.headers };
  if (body) headers['Content-Length'] = String(body.byteLength);
  const head = `${method} ${target} HTTP/1.1\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\r\n')}\r\n\r\n`;
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.setTimeout(60_000, () => socket.destroy(new Error(`timeout: ${method} ${target.slice(0, 80)}`)));
    let failure: Error | undefined;
    socket.on('data', (c) => chunks.push(c));
    // A server may answer (413, 431…) and close before the whole body is written: the answer still counts.
    socket.on('error', (e) => (failure = e));
    socket.on('close', finish);
    let done = false;
    function finish() {
      if (done) return;
      done = true;
      if (chunks.length === 0) return reject(failure ?? new Error(`connection closed without an answer: ${method} ${target.slice(0, 80)}`));
      try {
        resolve(parseResponse(Buffer.concat(chunks), method));
      } catch (e) {
        reject(e);
      }
    }
    socket.write(Buffer.concat([Buffer.from(head, 'latin1'), ...(body ? [body] : [])]));
  });
}

function parseResponse(buf: Buffer, method: string): Answer {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) throw new Error(`no response head (${buf.byteLength} bytes)`);
  const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(lines[0]!.split(' ')[1]);
  const headers: Record<string, string | string[] | undefined> = {};
  for (const line of lines.slice(1)) {
    const i = line.indexOf(':');
    const k = line.slice(0, i).trim().toLowerCase();
    const v = line.slice(i + 1).trim();
    const prev = headers[k];
    headers[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  let rest = buf.subarray(end + 4);
  if (method === 'HEAD' || status === 204 || status === 304) rest = Buffer.alloc(0);
  else if (String(headers['transfer-encoding']).toLowerCase() === 'chunked') rest = dechunk(rest);
  const encoding = String(headers['content-encoding'] ?? '').toLowerCase();
  if (rest.byteLength > 0 && encoding === 'gzip') rest = gunzipSync(rest);
  else if (rest.byteLength > 0 && encoding === 'br') rest = brotliDecompressSync(rest);
  else if (rest.byteLength > 0 && encoding === 'deflate') rest = inflateSync(rest);
  return { status, headers, body: rest.toString('utf8'), headerBytes: end + 4 };
}

function dechunk(buf: Buffer): Buffer {
  const out: Buffer[] = [];
  let i = 0;
  while (i < buf.length) {
    const lineEnd = buf.indexOf('\r\n', i);
    if (lineEnd < 0) break;
    const size = parseInt(buf.subarray(i, lineEnd).toString('latin1'), 16);
    if (!size) break;
    out.push(buf.subarray(lineEnd + 2, lineEnd + 2 + size));
    i = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(out);
}

/** The assertion every /api answer must pass when it is not a success: problem+json with its own status. */
export function problemOf(a: Answer): { status?: number; code?: string } | undefined {
  if (!String(a.headers['content-type'] ?? '').startsWith('application/problem+json')) return undefined;
  try {
    return JSON.parse(a.body) as { status?: number; code?: string };
  } catch {
    return undefined;
  }
}
