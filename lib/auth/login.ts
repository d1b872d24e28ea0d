import 'server-only';
import { eq } from 'drizzle-orm';
import { getDb, type Db } from '@/lib/db/client';
import { users } from '@/lib/db/schema';
import { UnauthorizedError } from '@/lib/errors';
import { demoSignInRefused } from './demo-users';
import { hashPassword, needsRehash, verifyAgainstDummy, verifyPassword } from './password';
import { getLoginRateLimiter, type LoginRateLimiter } from './rate-limit';
import { createSession, type SessionUser } from './sessions';
import { findUserByEmail } from './users';

export type LoginResult = { user: SessionUser; token: string; expiresAt: Date };

/**
 * Takes an attempt from the rate limits, then checks the password, then opens a session. "No such user",
 * "wrong password", "disabled" and "demo account in production" give the same error after the same work,
 * so sign-in does not reveal which accounts exist.
 */
export async function loginWithPassword(
  db: Db,
  input: { email: string; password: string; ip: string },
  limiter: LoginRateLimiter = getLoginRateLimiter(),
  nodeEnv = process.env.NODE_ENV,
): Promise<LoginResult> {
  await limiter.consume(db, input.ip, input.email);
  const user = await findUserByEmail(db, input.email);
  const ok = user ? await verifyPassword(input.password, user.passwordHash) : await verifyAgainstDummy(input.password);
  if (!user || !ok || user.disabledAt || demoSignInRefused(user.email, nodeEnv)) throw new UnauthorizedError('Email or password is incorrect');
  await limiter.refund(db, input.ip, input.email);
  if (needsRehash(user.passwordHash)) {
    await db.update(users).set({ passwordHash: await hashPassword(input.password) }).where(eq(users.id, user.id));
  }
  const { token, expiresAt } = await createSession(db, user.id);
  return { user: { id: user.id, email: user.email, name: user.name, role: user.role }, token, expiresAt };
}

/** loginWithPassword on the app's database (the sign-in form's action). */
export async function signInWithPassword(input: { email: string; password: string; ip: string }): Promise<LoginResult> {
  return loginWithPassword(await getDb(), input);
}
