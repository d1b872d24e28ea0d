import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { ensureDemoUsers, DEMO_USERS } from '@/lib/auth/demo-users';
import { loginWithPassword } from '@/lib/auth/login';
import { clientIp, createLoginRateLimiter } from '@/lib/auth/rate-limit';
import { getSessionUser } from '@/lib/auth/sessions';
import { createUser } from '@/lib/auth/users';
import { users } from '@/lib/db/schema';
import { UnauthorizedError } from '@/lib/errors';
import { TooManyRequestsError } from '@/lib/http/http-errors';
// Renamed on import: it is a vitest helper, not a React hook (react-hooks/rules-of-hooks misfires on `use…`).
import { useTestDb as withTestDb } from '@/tests/support/test-db';

const t = withTestDb();
const redis = new Redis(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
const prefix = `test-login-${process.pid}-${randomBytes(4).toString('hex')}`;

afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

describe('login rate limit (Redis)', () => {
  it('blocks the (IP, email) pair after N failures, with Retry-After, even for the right password', async () => {
    await createUser(t.db, { email: 'victim@test.local', name: 'V', role: 'clinician', password: 'right-password' });
    const limiter = createLoginRateLimiter({ redis, keyPrefix: prefix, maxFailures: 3 });
    expect(limiter.store).toBe('redis');
    for (let i = 0; i < 3; i++) {
      await expect(loginWithPassword(t.db, { email: 'victim@test.local', password: 'wrong', ip: '10.0.0.1' }, limiter)).rejects.toBeInstanceOf(UnauthorizedError);
    }
    const blocked = loginWithPassword(t.db, { email: 'Victim@test.local', password: 'right-password', ip: '10.0.0.1' }, limiter);
    await expect(blocked).rejects.toBeInstanceOf(TooManyRequestsError);
    const err = (await blocked.catch((e: unknown) => e)) as TooManyRequestsError;
    expect(err.retryAfterSeconds).toBeGreaterThan(0);
    // Another IP is not affected.
    const ok = await loginWithPassword(t.db, { email: 'victim@test.local', password: 'right-password', ip: '10.0.0.2' }, limiter);
    expect(await getSessionUser(t.db, ok.token)).toMatchObject({ email: 'victim@test.local' });

    // Keys hold neither the raw email nor the password.
    const keys = await redis.keys(`${prefix}*`);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.join(' ')).not.toMatch(/victim|password|wrong/i);
  });

  it('a success clears the pair; unknown emails fail the same way as wrong passwords', async () => {
    await createUser(t.db, { email: 'u2@test.local', name: 'U', role: 'admin', password: 'right-password' });
    const limiter = createLoginRateLimiter({ redis, keyPrefix: `${prefix}-b`, maxFailures: 2 });
    const ip = '10.0.0.3';
    await expect(loginWithPassword(t.db, { email: 'u2@test.local', password: 'x', ip }, limiter)).rejects.toThrow('Email or password is incorrect');
    await loginWithPassword(t.db, { email: 'u2@test.local', password: 'right-password', ip }, limiter);
    await expect(loginWithPassword(t.db, { email: 'u2@test.local', password: 'x', ip }, limiter)).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(loginWithPassword(t.db, { email: 'ghost@test.local', password: 'x', ip }, limiter)).rejects.toThrow('Email or password is incorrect');
  });

  it('caps failures per IP across emails (credential stuffing)', async () => {
    const limiter = createLoginRateLimiter({ redis, keyPrefix: `${prefix}-c`, maxFailures: 100, maxFailuresPerIp: 4 });
    for (let i = 0; i < 4; i++) {
      await expect(loginWithPassword(t.db, { email: `n${i}@test.local`, password: 'x', ip: '10.0.0.9' }, limiter)).rejects.toBeInstanceOf(UnauthorizedError);
    }
    await expect(limiter.check('10.0.0.9', 'someone-else@test.local')).rejects.toBeInstanceOf(TooManyRequestsError);
  });

  it('works in memory without Redis', async () => {
    const limiter = createLoginRateLimiter({ maxFailures: 2 });
    expect(limiter.store).toBe('memory');
    await limiter.fail('1.1.1.1', 'a@b.c');
    await limiter.check('1.1.1.1', 'a@b.c');
    await limiter.fail('1.1.1.1', 'a@b.c');
    await expect(limiter.check('1.1.1.1', 'A@B.C ')).rejects.toBeInstanceOf(TooManyRequestsError);
  });

  it('takes the right-most X-Forwarded-For hop (the one our proxy added)', () => {
    expect(clientIp(new Headers({ 'x-forwarded-for': '6.6.6.6, 10.1.1.1' }))).toBe('10.1.1.1');
    expect(clientIp(new Headers({ 'x-real-ip': '10.2.2.2' }))).toBe('10.2.2.2');
    expect(clientIp(new Headers())).toBe('unknown');
  });
});

describe('demo users', () => {
  it('are never created in production', async () => {
    expect(await ensureDemoUsers(t.db, 'production')).toEqual({ created: [] });
    const emails = (await t.db.select({ email: users.email }).from(users)).map((r) => r.email);
    expect(emails).not.toContain('admin@demo.mizaj.local');
  });

  it('are created once (idempotent) and can sign in with the documented passwords', async () => {
    expect((await ensureDemoUsers(t.db, 'development')).created.sort()).toEqual(['admin@demo.mizaj.local', 'clinician@demo.mizaj.local']);
    expect(await ensureDemoUsers(t.db, 'development')).toEqual({ created: [] });
    const limiter = createLoginRateLimiter();
    for (const u of DEMO_USERS) {
      const r = await loginWithPassword(t.db, { email: u.email, password: u.password, ip: '127.0.0.1' }, limiter);
      expect(r.user.role).toBe(u.role);
    }
  });
});
