import 'server-only';
import { sql } from 'drizzle-orm';
import type { Db } from '@/lib/db/client';
import { users, type UserRole } from '@/lib/db/schema';
import { hashPassword } from './password';

/** Published in README and docs/api-auth.md on purpose: they exist only outside production. */
export const DEMO_USERS: readonly { email: string; name: string; role: UserRole; password: string }[] = [
  { email: 'admin@demo.mizaj.local', name: 'Demo Admin', role: 'admin', password: 'mizaj-admin-demo' },
  { email: 'clinician@demo.mizaj.local', name: 'Demo Clinician', role: 'clinician', password: 'mizaj-clinician-demo' },
];

const DEMO_EMAILS: ReadonlySet<string> = new Set(DEMO_USERS.map((u) => u.email));

/**
 * Their passwords are public, so in production they never sign in, whatever the database holds (a seed run
 * from a shell against the production database creates them).
 */
export const demoSignInRefused = (email: string, nodeEnv = process.env.NODE_ENV) => nodeEnv === 'production' && DEMO_EMAILS.has(email.trim().toLowerCase());

/**
 * Creates the demo admin and clinician if missing (idempotent; existing rows and changed passwords are left
 * alone). Refuses in production so a demo password can never open a real deployment.
 */
export async function ensureDemoUsers(db: Db, nodeEnv = process.env.NODE_ENV): Promise<{ created: string[] }> {
  if (nodeEnv === 'production') return { created: [] };
  const existing = await db.select({ email: users.email }).from(users).where(sql`${users.email} in ${DEMO_USERS.map((u) => u.email)}`);
  const have = new Set(existing.map((r) => r.email));
  const created: string[] = [];
  for (const u of DEMO_USERS) {
    if (have.has(u.email)) continue;
    const rows = await db
      .insert(users)
      .values({ email: u.email, name: u.name, role: u.role, passwordHash: await hashPassword(u.password) })
      .onConflictDoNothing({ target: users.email })
      .returning({ email: users.email });
    if (rows.length) created.push(u.email);
  }
  return { created };
}
