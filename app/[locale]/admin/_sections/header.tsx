import { getTranslations } from 'next-intl/server';
import { RANGE_KEYS, type RangeKey } from '@/lib/admin/dashboard';
import { Link } from '@/lib/i18n/navigation';
import { AutoRefresh } from '../_components/auto-refresh';

/** Title, range picker and the auto-refresh control. */
export async function AdminHeader({ range, generatedAt, intlLocale }: { range: RangeKey; generatedAt: number; intlLocale: string }) {
  const t = await getTranslations('Admin');
  return (
    <header className="admin-head">
      <div>
        <h1>{t('title')}</h1>
        <p className="muted">{t('intro')}</p>
      </div>
      <div className="admin-controls">
        <nav aria-label={t('range.label')} className="range-picker">
          <ul>
            {RANGE_KEYS.map((r) => (
              <li key={r}>
                <Link href={{ pathname: '/admin', query: { range: r } }} aria-current={r === range ? 'page' : undefined} className={r === range ? 'range-current' : undefined}>
                  {t(`range.${r}`)}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <AutoRefresh generatedAt={generatedAt} intlLocale={intlLocale} />
      </div>
    </header>
  );
}
