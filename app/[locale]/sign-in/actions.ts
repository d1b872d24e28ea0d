'use server';

import { cookies, headers } from 'next/headers';
import { getLocale } from 'next-intl/server';
import { z } from 'zod';
import { sessionCookieOptions, SESSION_COOKIE, signInWithPassword } from '@/lib/auth';
import { isSafeReturnTo } from '@/lib/auth/current-user';
import { AppError } from '@/lib/errors';
import { clientIp } from '@/lib/http/client-address';
import { redirect } from '@/lib/i18n/navigation';

export type SignInState = { error?: 'invalid' | 'missing' | 'tooMany' | 'unavailable'; email?: string };

const form = z.object({ email: z.string().trim().min(1).max(320), password: z.string().min(1).max(1024), next: z.string().max(2000).optional() });

export async function signIn(_prev: SignInState, data: FormData): Promise<SignInState> {
  const parsed = form.safeParse({ email: data.get('email'), password: data.get('password'), next: data.get('next') ?? undefined });
  const email = typeof data.get('email') === 'string' ? String(data.get('email')) : '';
  if (!parsed.success) return { error: 'missing', email };
  const locale = await getLocale();
  try {
    const { token, expiresAt } = await signInWithPassword({ email: parsed.data.email, password: parsed.data.password, ip: clientIp(await headers()) });
    (await cookies()).set(SESSION_COOKIE, token, sessionCookieOptions(expiresAt));
  } catch (err) {
    if (err instanceof AppError && err.status === 401) return { error: 'invalid', email };
    if (err instanceof AppError && err.status === 429) return { error: 'tooMany', email };
    return { error: 'unavailable', email };
  }
  const next = parsed.data.next && isSafeReturnTo(parsed.data.next) ? parsed.data.next : '/patients';
  redirect({ href: next, locale });
  return {};
}
