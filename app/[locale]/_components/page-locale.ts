import 'server-only';
import { notFound } from 'next/navigation';
import { hasLocale } from 'next-intl';
import { setRequestLocale } from 'next-intl/server';
import { routing, type Locale } from '@/lib/i18n/routing';

/** The page's locale from its params (404 for an unknown one), registered for next-intl's server helpers. */
export async function pageLocale(params: Promise<{ locale: string }>): Promise<Locale> {
  const { locale } = await params;
  if (!hasLocale(routing.locales, locale)) notFound();
  setRequestLocale(locale);
  return locale;
}

/** A positive integer id from a URL segment, or a 404: `/patients/abc` is a page that does not exist. */
export function idParam(raw: string): number {
  if (!/^\d{1,9}$/.test(raw)) notFound();
  const id = Number(raw);
  if (id < 1) notFound();
  return id;
}
