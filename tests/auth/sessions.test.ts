import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { createHash } from 'node:crypto';
import { getIdentity } from '@/lib/auth/identity';
import { clearSessionCookie, readCookie, serializeSessionCookie, SESSION_COOKIE, sessionCookieOptions } from '@/lib/auth/session-cookie';
import { createSession, deleteExpiredSessions, deleteSession, getSessionUser } from '@/lib/auth/sessions';
import { createUser } from '@/lib/auth/users';
import { sessions } from '@/lib/db/schema';
import { ConflictError, ValidationError } from '@/lib/errors';
// Renamed on import: it is a vitest helper, not a React hook (react-hooks/rules-of-hooks misfires on `use…`).
import { useTestDb as withTestDb } from '@/tests/support/test-db';

const t = withTestDb();

describe('users', () => {
  it('normalises the email and refuses duplicates and weak input', async () => {
    const u = await createUser(t.db, { email: '  Dr.Rahimi@Example.COM ', name: 'Dr Rahimi', role: 'clinician', password: 'long-enough-pw' });
    expect(u.email).toBe('dr.rahimi@example.com');
    await expect(createUser(t.db, { email: 'dr.rahimi@example.com', name: 'x', role: 'admin', password: 'long-enough-pw' })).rejects.toBeInstanceOf(ConflictError);
    await expect(createUser(t.db, { email: 'nope', name: 'x', role: 'admin', password: 'short' })).rejects.toBeInstanceOf(ValidationError);
  });
});

describe('sessions', () => {
  it('create → read → delete, storing only the token hash; delete returns whose session it was', async () => {
    const u = await createUser(t.db, { email: 's1@test.local', name: 'S', role: 'admin', password: 'long-enough-pw' });
    const { token, expiresAt } = await createSession(t.db, u.id);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(expiresAt.getTime()).toBeGreaterThan(Date.now() + 6 * 86_400_000);
    const [row] = await t.db.select().from(sessions).where(eq(sessions.userId, u.id));
    expect(row!.id).toBe(createHash('sha256').update(token).digest('hex'));

    expect(await getSessionUser(t.db, token)).toEqual({ id: u.id, email: 's1@test.local', name: 'S', role: 'admin' });
    expect(await getIdentity(t.db, new Headers({ cookie: `a=b; ${SESSION_COOKIE}=${token}` }))).toMatchObject({ kind: 'user', id: u.id, role: 'admin' });
    // node:http style headers work too (the fast path).
    expect(await getIdentity(t.db, { cookie: `${SESSION_COOKIE}=${token}` })).toMatchObject({ kind: 'user', id: u.id });

    expect(await deleteSession(t.db, token)).toEqual({ userId: u.id, digest: row!.id });
    expect(await getSessionUser(t.db, token)).toBeNull();
    expect(await deleteSession(t.db, token)).toBeNull();
  });

  it('expires without sleeping (clock passed in) and expired rows can be swept', async () => {
    const u = await createUser(t.db, { email: 's2@test.local', name: 'S', role: 'clinician', password: 'long-enough-pw' });
    const now = new Date();
    const { token } = await createSession(t.db, u.id, { ttlMs: 60_000, now });
    expect(await getSessionUser(t.db, token, new Date(now.getTime() + 59_000))).not.toBeNull();
    expect(await getSessionUser(t.db, token, new Date(now.getTime() + 60_000))).toBeNull();
    expect(await deleteExpiredSessions(t.db, new Date(now.getTime() + 61_000))).toBeGreaterThanOrEqual(1);
    expect(await t.db.select().from(sessions).where(eq(sessions.userId, u.id))).toEqual([]);
  });

  it('ignores unknown or malformed tokens', async () => {
    expect(await getSessionUser(t.db, undefined)).toBeNull();
    expect(await getSessionUser(t.db, 'x')).toBeNull();
    expect(await getSessionUser(t.db, 'A'.repeat(43))).toBeNull();
    expect(await deleteSession(t.db, "'; drop table users; --")).toBeNull();
  });

  it('cookie is httpOnly, SameSite=Lax, Secure only in production', () => {
    const exp = new Date('2030-01-01T00:00:00Z');
    expect(serializeSessionCookie('tok', exp, 'development')).toBe('mizaj_session=tok; Path=/; Expires=Tue, 01 Jan 2030 00:00:00 GMT; HttpOnly; SameSite=Lax');
    expect(serializeSessionCookie('tok', exp, 'production')).toMatch(/; Secure$/);
    expect(sessionCookieOptions(exp, 'production')).toEqual({ httpOnly: true, sameSite: 'lax', secure: true, path: '/', expires: exp });
    expect(clearSessionCookie('test')).toContain('Expires=Thu, 01 Jan 1970');
    expect(readCookie('a=1; mizaj_session=abc; b=2', SESSION_COOKIE)).toBe('abc');
    expect(readCookie('xmizaj_session=abc', SESSION_COOKIE)).toBeUndefined();
  });
});
