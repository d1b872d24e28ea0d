'use client';

import { Suspense } from 'react';
import { useSearchParams } from 'next/navigation';
import { useLocale, useTranslations } from 'next-intl';
import { Link, usePathname } from '@/lib/i18n/navigation';
import { routing } from '@/lib/i18n/routing';

/**
 * Switches language on the same page, keeping the query (search, filters, page); next-intl writes its
 * locale cookie on the switch, so `/` later opens in the chosen language.
 */
export function LocaleSwitcher() {
  return (
    <Suspense fallback={<Links query={undefined} />}>
      <WithQuery />
    </Suspense>
  );
}

function WithQuery() {
  const params = useSearchParams();
  return <Links query={Object.fromEntries(params.entries())} />;
}

function Links({ query }: { query: Record<string, string> | undefined }) {
  const t = useTranslations('Locale');
  const current = useLocale();
  const pathname = usePathname();
  return (
    <nav className="locale-switcher" aria-label={t('label')}>
      <ul>
        {routing.locales.map((locale) => (
          <li key={locale}>
            <Link
              href={{ pathname, query }}
              locale={locale}
              lang={locale}
              aria-current={locale === current ? 'true' : undefined}
              data-testid={`locale-${locale}`}
            >
              {t(locale)}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
