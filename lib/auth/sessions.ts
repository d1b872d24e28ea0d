import 'server-only';
import { and, eq, gt, isNull, lte } from 'drizzle-orm';
import type { Db } from '@/lib/db/client';
import { sessions, users, type UserRole } from '@/lib/db/schema';
import { SESSION_TOKEN_PATTERN } from './credential';
import { randomToken, sha256Hex } from './crypto-utils';

export const SESSION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export type SessionUser = { id: number; email: string; name: string; role: UserRole };

/** Starts a session; the token goes in the cookie, only its SHA-256 is stored (a DB leak yields no sessions). */
export async function createSession(db: Db, userId: number, opts: { ttlMs?: number; now?: Date } = {}) {
  const token = randomToken();
  const now = opts.now ?? new Date();
  const expiresAt = new Date(now.getTime() + (opts.ttlMs ?? SESSION_TTL_MS));
  await db.insert(sessions).values({ id: sha256Hex(token), userId, expiresAt });
  return { token, expiresAt };
}

/** The signed-in user for a cookie token, or null when unknown, malformed or expired. */
export async function getSessionUser(db: Db, token: string | undefined, now = new Date()): Promise<SessionUser | null> {
  if (!token || !SESSION_TOKEN_PATTERN.test(token)) return null;
  const row = await getSessionByDigest(db, sha256Hex(token), now);
  return row && { id: row.id, email: row.email, name: row.name, role: row.role };
}

/** The session's user and expiry for a token already hashed (the cached identity lookup keys on the digest); none for a disabled user. */
export async function getSessionByDigest(db: Db, digest: string, now = new Date()): Promise<(SessionUser & { expiresAt: Date }) | null> {
  const [row] = await db
    .select({ id: users.id, email: users.email, name: users.name, role: users.role, expiresAt: sessions.expiresAt })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.id, digest), gt(sessions.expiresAt, now), isNull(users.disabledAt)))
    .limit(1);
  return row ?? null;
}

/** Deletes a session; returns whose it was (and its digest) so the caller can drop what was cached for it. */
export async function deleteSession(db: Db, token: string | undefined): Promise<{ userId: number; digest: string } | null> {
  if (!token || !SESSION_TOKEN_PATTERN.test(token)) return null;
  const [row] = await db.delete(sessions).where(eq(sessions.id, sha256Hex(token))).returning({ userId: sessions.userId, id: sessions.id });
  return row ? { userId: row.userId, digest: row.id } : null;
}

/** Housekeeping for a periodic job; expired sessions are already ignored by getSessionUser. */
export async function deleteExpiredSessions(db: Db, now = new Date()): Promise<number> {
  const rows = await db.delete(sessions).where(lte(sessions.expiresAt, now)).returning({ id: sessions.id });
  return rows.length;
}
