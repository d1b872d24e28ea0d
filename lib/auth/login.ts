import 'server-only';
import { eq } from 'drizzle-orm';
import type { Db } from '@/lib/db/client';
import { users } from '@/lib/db/schema';
import { UnauthorizedError } from '@/lib/errors';
import { hashPassword, needsRehash, verifyAgainstDummy, verifyPassword } from './password';
import { getLoginRateLimiter, type LoginRateLimiter } from './rate-limit';
import { createSession, type SessionUser } from './sessions';
import { findUserByEmail } from './users';

export type LoginResult = { user: SessionUser; token: string; expiresAt: Date };

/**
 * Checks the rate limit, then the password, then opens a session. "No such user" and "wrong password" give
 * the same error after the same work, so sign-in does not reveal which emails exist.
 */
export async function loginWithPassword(
  db: Db,
  input: { email: string; password: string; ip: string },
  limiter: LoginRateLimiter = getLoginRateLimiter(),
): Promise<LoginResult> {
  await limiter.check(input.ip, input.email);
  const user = await findUserByEmail(db, input.email);
  const ok = user ? await verifyPassword(input.password, user.passwordHash) : await verifyAgainstDummy(input.password);
  if (!user || !ok) {
    await limiter.fail(input.ip, input.email);
    throw new UnauthorizedError('Email or password is incorrect');
  }
  await limiter.succeed(input.ip, input.email);
  if (needsRehash(user.passwordHash)) {
    await db.update(users).set({ passwordHash: await hashPassword(input.password) }).where(eq(users.id, user.id));
  }
  const { token, expiresAt } = await createSession(db, user.id);
  return { user: { id: user.id, email: user.email, name: user.name, role: user.role }, token, expiresAt };
}
