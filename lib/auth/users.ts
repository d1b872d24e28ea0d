import 'server-only';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '@/lib/db/client';
import { sessions, USER_ROLES, users, type UserRole } from '@/lib/db/schema';
import { ConflictError, toFieldIssues, ValidationError } from '@/lib/errors';
import { hashPassword } from './password';

export const normalizeEmail = (email: string) => email.trim().toLowerCase();

export const newUserSchema = z.strictObject({
  email: z.string().trim().toLowerCase().pipe(z.email().max(254)),
  name: z.string().trim().min(1).max(200),
  role: z.enum(USER_ROLES),
  password: z.string().min(10, 'must be at least 10 characters').max(1024),
});
export type NewUser = z.input<typeof newUserSchema>;

export async function createUser(db: Db, input: NewUser): Promise<{ id: number; email: string; name: string; role: UserRole }> {
  const parsed = newUserSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError('Invalid user', toFieldIssues(parsed.error));
  const { email, name, role, password } = parsed.data;
  const passwordHash = await hashPassword(password);
  const [row] = await db
    .insert(users)
    .values({ email, name, role, passwordHash })
    .onConflictDoNothing({ target: users.email })
    .returning({ id: users.id, email: users.email, name: users.name, role: users.role });
  if (!row) throw new ConflictError('A user with this email already exists');
  return row;
}

export async function findUserByEmail(db: Db, email: string) {
  const [row] = await db.select().from(users).where(eq(users.email, normalizeEmail(email))).limit(1);
  return row ?? null;
}

/**
 * Disables a user and ends their sessions; returns whose sessions they were (digests), so the caller (the write
 * door) drops the cached identities in the same write. Null: no such user.
 */
export async function markUserDisabled(db: Db, email: string): Promise<{ userId: number; digests: string[] } | null> {
  const [user] = await db.update(users).set({ disabledAt: new Date() }).where(eq(users.email, normalizeEmail(email))).returning({ id: users.id });
  if (!user) return null;
  const ended = await db.delete(sessions).where(eq(sessions.userId, user.id)).returning({ id: sessions.id });
  return { userId: user.id, digests: ended.map((s) => s.id) };
}
