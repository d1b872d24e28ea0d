import 'server-only';
import { getCurrentUser } from '@/lib/auth/current-user';
import type { SessionUser } from '@/lib/auth';
import type { Actor } from './cache-admin';

/**
 * The signed-in admin, or null. Server actions call this themselves instead of relying on the page's
 * redirect: anyone can POST to an action id. Refusals are logged without the session token.
 */
export async function checkAdmin(): Promise<SessionUser | null> {
  const user = await getCurrentUser();
  if (user?.role === 'admin') return user;
  console.warn(`admin action refused for ${user ? `user ${user.id} (${user.role})` : 'an anonymous caller'}`);
  return null;
}

/** Audit rows name admins by email, as the API's cache routes do. */
export const adminActor = (user: Pick<SessionUser, 'email'>): Actor => ({ label: user.email });
