import { connection } from 'next/server';
import { getTranslations } from 'next-intl/server';
import { formatNumber } from '@/lib/i18n/format';
import { Link } from '@/lib/i18n/navigation';
import type { Counts } from '@/lib/domain';
import { statusOverview } from '@/lib/status/system-health';
import { pageLocale } from './_components/page-locale';

type Props = { params: Promise<{ locale: string }> };

/** Public status page: live counts and backends. Each probe fails on its own so an outage still renders. */
export default async function StatusPage({ params }: Props) {
  const locale = await pageLocale(params);
  await connection();
  const [t, { database: db, cache, counts }] = await Promise.all([getTranslations('Home'), statusOverview()]);
  const cards: (keyof Counts)[] = ['patients', 'recommendations', 'diagnoses', 'feedback'];
  return (
    <div className="stack">
      <h1>{t('title')}</h1>
      <section aria-labelledby="counts-heading" className="stack">
        <h2 id="counts-heading">{t('counts')}</h2>
        {counts ? (
          <dl className="cards" data-testid="counts">
            {cards.map((k) => (
              <div className="card" key={k} data-testid={`count-${k}`} data-value={counts[k]}>
                <dt>{t(k)}</dt>
                <dd className="value">{formatNumber(locale, counts[k])}</dd>
              </div>
            ))}
          </dl>
        ) : (
          <p role="alert" className="alert alert-error">
            {t('unavailable')}
          </p>
        )}
      </section>
      <section aria-labelledby="backends-heading" className="stack">
        <h2 id="backends-heading">{t('backends')}</h2>
        <dl className="cards">
          <div className="card" data-testid="database" data-kind={db.kind}>
            <dt>{t('database')}</dt>
            <dd className="value-sm">{t('databaseKind', { kind: db.kind })}</dd>
            <dd className={db.ok ? 'status-ok' : 'status-bad'}>{t('reachable', { ok: String(db.ok) })}</dd>
          </div>
          <div className="card" data-testid="cache" data-kind={cache?.backend ?? 'unknown'}>
            <dt>{t('cache')}</dt>
            <dd className="value-sm">{cache ? t('cacheKind', { kind: cache.enabled ? cache.backend : 'disabled' }) : t('cacheKind', { kind: 'unknown' })}</dd>
            <dd className={cache?.reachable ? 'status-ok' : 'status-bad'}>{t('reachable', { ok: String(Boolean(cache?.reachable)) })}</dd>
            {cache ? <dd className="muted">{t('breaker', { state: cache.breaker.replace('-', '_') })}</dd> : null}
          </div>
        </dl>
      </section>
      <p>
        <Link href="/patients" className="button">
          {t('openPatients')}
        </Link>
      </p>
    </div>
  );
}
