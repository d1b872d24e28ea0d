'use server';

import { cookies } from 'next/headers';
import { getLocale } from 'next-intl/server';
import { SESSION_COOKIE } from '@/lib/auth';
import { redirect } from '@/lib/i18n/navigation';
import { endSession } from '@/lib/write-door';

/** Ends the session server-side (which drops the user's cached entries), then clears the cookie. */
export async function signOut(): Promise<void> {
  const jar = await cookies();
  const token = jar.get(SESSION_COOKIE)?.value;
  try {
    await endSession(token);
  } catch {
    // The database is down: the cookie still goes, and the session row expires on its own.
  }
  jar.delete(SESSION_COOKIE);
  redirect({ href: '/sign-in', locale: await getLocale() });
}
