'use client';

import { useTranslations } from 'next-intl';

/** Any failure while rendering a page (typically the database going away mid-request). */
export default function ErrorPage({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const t = useTranslations('Errors');
  return (
    <div role="alert" className="stack narrow">
      <h1>{t('errorTitle')}</h1>
      <p>{t('errorText')}</p>
      <p>
        <button type="button" className="button" onClick={reset}>
          {t('retry')}
        </button>
      </p>
    </div>
  );
}
