import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '@/lib/auth/api-keys';
import { authenticateCached } from '@/lib/auth/cached-identity';
import { createSession } from '@/lib/auth/sessions';
import { createCache, setCacheForTesting, type Cache } from '@/lib/cache';
import { apiKeys, cacheOutbox, users } from '@/lib/db/schema';
import { useApi } from '../api/support';

const api = useApi({ patients: 10 });
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

// The cache's clock, moved by the test: "after the refresh interval" without waiting a minute.
let clock = Date.now();
let cache: Cache;
beforeAll(async () => {
  cache = createCache({ prefix: `${api.prefix}-rv`, redis: { url: REDIS_URL, commandTimeoutMs: 2_000 }, now: () => clock });
  await setCacheForTesting(cache);
  await cache.ready();
});
afterAll(() => setCacheForTesting(undefined));

const AUTH_TTL_MS = 60_000;

describe('revocation is final', () => {
  it('a key revoked by SQL is refused once its cached identity is due for refresh: no stale answer within the grace', async () => {
    const { key, info } = await createApiKey(api.db.db, { name: 'revoked by sql', scopes: ['read'] });
    const headers = { authorization: `Bearer ${key}` };
    expect((await authenticateCached(headers)).identity).toMatchObject({ kind: 'apikey', id: info.id });
    await api.db.db.update(apiKeys).set({ revokedAt: sql`now()` }).where(eq(apiKeys.id, info.id));
    clock += AUTH_TTL_MS + 1_000; // stale, well inside the 15-min grace
    expect(await authenticateCached(headers)).toEqual({ identity: null, reason: 'invalid_api_key' });
    expect((await authenticateCached(headers)).identity).toBeNull();
  });

  it('a disabled user\'s session and a deleted session are refused the same way', async () => {
    const [u] = await api.db.db.insert(users).values({ email: 'leaving@test.local', name: 'L', role: 'clinician', passwordHash: 'x' }).returning();
    const disabled = { cookie: `mizaj_session=${(await createSession(api.db.db, u!.id)).token}` };
    const [c] = await api.db.db.select().from(users).where(eq(users.email, 'clinician@demo.mizaj.local'));
    const { token } = await createSession(api.db.db, c!.id);
    const deleted = { cookie: `mizaj_session=${token}` };
    expect((await authenticateCached(disabled)).identity).toMatchObject({ kind: 'user', id: u!.id });
    expect((await authenticateCached(deleted)).identity).toMatchObject({ kind: 'user', id: c!.id });
    await api.db.db.update(users).set({ disabledAt: sql`now()` }).where(eq(users.id, u!.id));
    await api.db.db.execute(sql`delete from sessions where user_id = ${c!.id}`);
    clock += AUTH_TTL_MS + 1_000;
    expect((await authenticateCached(disabled)).identity).toBeNull();
    expect((await authenticateCached(deleted)).identity).toBeNull();
  });

  it('a still valid credential keeps working when its identity is stale (the refresh confirms it)', async () => {
    const { key, info } = await createApiKey(api.db.db, { name: 'still good', scopes: ['read'] });
    const headers = { authorization: `Bearer ${key}` };
    expect((await authenticateCached(headers)).identity).toMatchObject({ id: info.id });
    clock += AUTH_TTL_MS + 1_000;
    expect((await authenticateCached(headers)).identity).toMatchObject({ id: info.id });
  });
});

describe('npm run apikey:revoke', () => {
  const run = (env: Record<string, string | undefined>, id: number) =>
    promisify(execFile)('npx', ['tsx', '--conditions=react-server', 'scripts/apikey-revoke.ts', '--id', String(id)], {
      cwd: path.resolve(import.meta.dirname, '../..'),
      env: { ...process.env, NODE_ENV: 'test', DATABASE_URL: api.db.url, CACHE_PREFIX: api.prefix, ...env } as NodeJS.ProcessEnv,
    }).then(
      (r) => ({ code: 0, stderr: r.stderr }),
      (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
    );

  it('without a reachable cache it still revokes for good: the invalidation commits with the revocation (outbox), no false success', async () => {
    for (const env of [{ REDIS_URL: undefined }, { REDIS_URL: 'redis://127.0.0.1:1' }]) {
      const { info } = await createApiKey(api.db.db, { name: 'to revoke', scopes: ['read'] });
      const [row] = await api.db.db.select().from(apiKeys).where(eq(apiKeys.id, info.id));
      const r = await run(env, info.id);
      expect(r, JSON.stringify(env)).toMatchObject({ code: 0, stderr: expect.stringMatching(/Revoked API key/) });
      expect((await api.db.db.select().from(apiKeys).where(eq(apiKeys.id, info.id)))[0]!.revokedAt).not.toBeNull();
      const outbox = await api.db.db.select().from(cacheOutbox).where(sql`${`credential:${row!.hash.slice(0, 32)}`} = any(${cacheOutbox.tags})`);
      expect(outbox.length, JSON.stringify(env)).toBe(1);
    }
  }, 90_000);
});
