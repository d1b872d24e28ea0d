'use client';

import { useLocale, useTranslations } from 'next-intl';
import { Link, usePathname } from '@/lib/i18n/navigation';
import { routing } from '@/lib/i18n/routing';

/** Switches language on the same page; next-intl's locale cookie remembers the choice. */
export function LocaleSwitcher() {
  const t = useTranslations('Locale');
  const current = useLocale();
  const pathname = usePathname();
  return (
    <nav className="locale-switcher" aria-label={t('label')}>
      {routing.locales.map((locale) => (
        <Link key={locale} href={pathname} locale={locale} lang={locale} aria-current={locale === current}>
          {t(locale)}
        </Link>
      ))}
    </nav>
  );
}
