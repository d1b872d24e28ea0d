import 'server-only';
import { cache } from 'react';
import { cookies } from 'next/headers';
import { getLocale } from 'next-intl/server';
import type { UserRole } from '@/lib/db/schema';
import { getDb } from '@/lib/db/client';
import { redirect } from '@/lib/i18n/navigation';
import { getSessionUser, type SessionUser } from './sessions';
import { SESSION_COOKIE } from './session-cookie';

/**
 * The signed-in user from the session cookie, once per request (React cache): the header and the page
 * both ask. A database outage reads as "not signed in" so public pages (the status page) still render.
 */
export const getCurrentUser = cache(async (): Promise<SessionUser | null> => {
  const token = (await cookies()).get(SESSION_COOKIE)?.value;
  if (!token) return null;
  try {
    return await getSessionUser(await getDb(), token);
  } catch {
    return null;
  }
});

/**
 * The signed-in user, or a redirect to this locale's sign-in page (back to `returnTo` afterwards).
 * Clinicians and admins may use the clinical pages; `role: 'admin'` narrows to admins. Every page calls
 * this itself: a layout's check does not protect the page rendered beside it.
 */
export async function requireUser(opts: { returnTo?: string; role?: UserRole } = {}): Promise<SessionUser> {
  const user = await getCurrentUser();
  const locale = await getLocale();
  if (!user) {
    const query = opts.returnTo && isSafeReturnTo(opts.returnTo) ? { next: opts.returnTo } : undefined;
    return redirect({ href: { pathname: '/sign-in', query }, locale });
  }
  if (opts.role === 'admin' && user.role !== 'admin') {
    return redirect({ href: { pathname: '/sign-in', query: { forbidden: '1' } }, locale });
  }
  return user;
}

/** Only same-site paths: `next=//evil.example` or an absolute URL must not become an open redirect. */
export function isSafeReturnTo(path: string): boolean {
  return path.startsWith('/') && !path.startsWith('//') && !path.startsWith('/\\');
}
