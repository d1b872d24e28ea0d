import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { ensureDemoUsers, DEMO_USERS } from '@/lib/auth/demo-users';
import { loginWithPassword } from '@/lib/auth/login';
import { createLoginRateLimiter } from '@/lib/auth/rate-limit';
import { createSession, getSessionUser } from '@/lib/auth/sessions';
import { createUser } from '@/lib/auth/users';
import { users } from '@/lib/db/schema';
import { queryRows } from '@/lib/db/rows';
import { TooManyRequestsError, UnauthorizedError } from '@/lib/errors';
// Renamed on import: it is a vitest helper, not a React hook (react-hooks/rules-of-hooks misfires on `use…`).
import { useTestDb as withTestDb } from '@/tests/support/test-db';

const t = withTestDb();
const outcome = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: unknown) => (e instanceof TooManyRequestsError ? 429 : e instanceof UnauthorizedError ? 401 : e),
  );

describe('sign-in rate limit (PostgreSQL)', () => {
  it('blocks the (address, email) pair after N attempts, with Retry-After, even for the right password', async () => {
    await createUser(t.db, { email: 'victim@test.local', name: 'V', role: 'clinician', password: 'right-password' });
    const limiter = createLoginRateLimiter({ maxPerPair: 3 });
    for (let i = 0; i < 3; i++) {
      await expect(loginWithPassword(t.db, { email: 'victim@test.local', password: 'wrong', ip: '10.0.0.1' }, limiter)).rejects.toBeInstanceOf(UnauthorizedError);
    }
    const blocked = loginWithPassword(t.db, { email: 'Victim@test.local', password: 'right-password', ip: '10.0.0.1' }, limiter);
    const err = (await blocked.catch((e: unknown) => e)) as TooManyRequestsError;
    expect(err).toBeInstanceOf(TooManyRequestsError);
    expect(err.retryAfterSeconds).toBeGreaterThan(0);
    // Another address is not affected.
    const ok = await loginWithPassword(t.db, { email: 'victim@test.local', password: 'right-password', ip: '10.0.0.2' }, limiter);
    expect(await getSessionUser(t.db, ok.token)).toMatchObject({ email: 'victim@test.local' });
    // The counters hold neither the email, nor the address, nor the password.
    const rows = await queryRows<{ key: string }>(t.db, sql`select key from login_limits`);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.map((r) => r.key).join(' ')).not.toMatch(/victim|10\.0\.0|password|wrong/i);
  });

  it('20 concurrent wrong passwords: at most 5 reach the password check, the rest get 429', async () => {
    await createUser(t.db, { email: 'parallel@test.local', name: 'P', role: 'clinician', password: 'right-password' });
    const limiter = createLoginRateLimiter();
    const results = await Promise.all(
      Array.from({ length: 20 }, () => outcome(loginWithPassword(t.db, { email: 'parallel@test.local', password: 'wrong', ip: '10.0.1.1' }, limiter))),
    );
    // A 401 means scrypt ran; a 429 means the attempt was refused before it.
    expect(results.filter((r) => r === 401).length).toBeLessThanOrEqual(5);
    expect(results.filter((r) => r === 429).length).toBeGreaterThanOrEqual(15);
    expect(results.every((r) => r === 401 || r === 429)).toBe(true);
  });

  it('a success gives its attempt back; unknown emails fail the same way as wrong passwords', async () => {
    await createUser(t.db, { email: 'u2@test.local', name: 'U', role: 'admin', password: 'right-password' });
    const limiter = createLoginRateLimiter({ maxPerPair: 2 });
    const ip = '10.0.0.3';
    for (let i = 0; i < 5; i++) await loginWithPassword(t.db, { email: 'u2@test.local', password: 'right-password', ip }, limiter);
    await expect(loginWithPassword(t.db, { email: 'u2@test.local', password: 'x', ip }, limiter)).rejects.toThrow('Email or password is incorrect');
    await expect(loginWithPassword(t.db, { email: 'ghost@test.local', password: 'x', ip }, limiter)).rejects.toThrow('Email or password is incorrect');
  });

  it('caps attempts per address across emails (credential stuffing) and per email across addresses', async () => {
    const limiter = createLoginRateLimiter({ maxPerPair: 100, maxPerAddress: 4, maxPerEmail: 6 });
    for (let i = 0; i < 4; i++) {
      await expect(loginWithPassword(t.db, { email: `n${i}@test.local`, password: 'x', ip: '10.0.0.9' }, limiter)).rejects.toBeInstanceOf(UnauthorizedError);
    }
    await expect(loginWithPassword(t.db, { email: 'someone-else@test.local', password: 'x', ip: '10.0.0.9' }, limiter)).rejects.toBeInstanceOf(TooManyRequestsError);

    for (let i = 0; i < 6; i++) {
      await expect(loginWithPassword(t.db, { email: 'target@test.local', password: 'x', ip: `10.9.0.${i}` }, limiter)).rejects.toBeInstanceOf(UnauthorizedError);
    }
    await expect(loginWithPassword(t.db, { email: 'target@test.local', password: 'x', ip: '10.9.1.1' }, limiter)).rejects.toBeInstanceOf(TooManyRequestsError);
  });
});

describe('who may sign in', () => {
  it('a disabled user cannot sign in, and their open sessions are refused', async () => {
    const u = await createUser(t.db, { email: 'leaver@test.local', name: 'L', role: 'clinician', password: 'right-password' });
    const session = await createSession(t.db, u.id);
    await t.db.execute(sql`update users set disabled_at = now() where id = ${u.id}`);
    await expect(loginWithPassword(t.db, { email: 'leaver@test.local', password: 'right-password', ip: '10.0.2.1' }, createLoginRateLimiter())).rejects.toBeInstanceOf(UnauthorizedError);
    expect(await getSessionUser(t.db, session.token)).toBeNull();
  });
});

describe('demo users', () => {
  it('are never created in production', async () => {
    expect(await ensureDemoUsers(t.db, 'production')).toEqual({ created: [] });
    const emails = (await t.db.select({ email: users.email }).from(users)).map((r) => r.email);
    expect(emails).not.toContain('admin@demo.mizaj.local');
  });

  it('are created once (idempotent) and can sign in with the documented passwords outside production', async () => {
    expect((await ensureDemoUsers(t.db, 'development')).created.sort()).toEqual(['admin@demo.mizaj.local', 'clinician@demo.mizaj.local']);
    expect(await ensureDemoUsers(t.db, 'development')).toEqual({ created: [] });
    const limiter = createLoginRateLimiter();
    for (const u of DEMO_USERS) {
      const r = await loginWithPassword(t.db, { email: u.email, password: u.password, ip: '127.0.0.1' }, limiter, 'development');
      expect(r.user.role).toBe(u.role);
    }
  });

  it('cannot sign in under NODE_ENV=production, even when the database holds them', async () => {
    await ensureDemoUsers(t.db, 'development'); // as a db:seed run from a shell against production would
    const limiter = createLoginRateLimiter();
    for (const u of DEMO_USERS) {
      await expect(loginWithPassword(t.db, { email: u.email, password: u.password, ip: '127.0.0.2' }, limiter, 'production')).rejects.toBeInstanceOf(UnauthorizedError);
    }
  });
});
