import type { DashboardData, RangeKey } from '@/lib/admin/dashboard';
import { formatSeconds } from '@/lib/admin/format';
import { TTL_BUCKETS } from '@/lib/admin/keyspace';
import { INTL_LOCALE } from '@/lib/i18n/format';
import type { Locale } from '@/lib/i18n/routing';
import { CategoryActions } from '../_components/category-actions';
import { adminFormat } from './format';

/** Cache categories: keys, memory, TTL and hit rate per category with its Warm/Purge actions, and the keyspace details. */
export async function CategoriesSection({ d, range, locale }: { d: DashboardData; range: RangeKey; locale: Locale }) {
  const { t, n, pct, bytes, when, catLabel } = await adminFormat(locale);
  const intl = INTL_LOCALE[locale];
  return (
    <section aria-labelledby="categories-h" className="stack">
      <h2 id="categories-h">{t('categories.heading')}</h2>
      <p className="small muted" data-keyspace-taken={d.keyspace?.takenAt ?? ''}>
        {d.keyspace
          ? t(d.keyspace.exact ? 'categories.exact' : 'categories.estimate', { time: when(d.keyspace.takenAt), ms: n(d.keyspace.ms), scanned: n(d.keyspace.scanned) })
          : t('categories.noScan')}
      </p>
      <div className="table-scroll">
        <table className="categories-table">
          <thead>
            <tr>
              <th scope="col">{t('categories.name')}</th>
              <th scope="col">{t('categories.keys')}</th>
              <th scope="col">{t('categories.memory')}</th>
              <th scope="col">{t('categories.ttl')}</th>
              <th scope="col">{t('categories.hitRate', { range: t(`range.${range}`) })}</th>
              <th scope="col">{t('categories.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {d.categories.map((c) => (
              <tr key={c.name} data-category={c.name}>
                <th scope="row">
                  {catLabel(c.name)}
                  <div className="small muted" dir="ltr">
                    {c.name}
                  </div>
                </th>
                <td className="num" data-col="keys">
                  {c.keys === null ? t('none') : n(c.keys)}
                </td>
                <td className="num" data-col="memory">
                  {c.estBytes === null ? t('none') : `≈ ${bytes(c.estBytes)}`}
                </td>
                <td className="num">{t('categories.ttlValue', { ttl: formatSeconds(locale, c.ttlSeconds), grace: formatSeconds(locale, c.graceSeconds) })}</td>
                <td className="num" data-col="hit-rate">
                  {pct(c.hitRate)}
                  <div className="small muted">{t('categories.hitsMisses', { hits: n(c.hits), misses: n(c.misses) })}</div>
                  {c.oversize > 0 ? (
                    <div className="small status-bad" data-col="oversize">
                      {t('categories.oversize', { count: n(c.oversize), limit: bytes(d.maxEntryBytes) })}
                    </div>
                  ) : null}
                </td>
                <td>
                  <CategoryActions
                    category={c.name}
                    label={catLabel(c.name)}
                    keys={c.keys === null ? '?' : n(c.keys)}
                    bytes={c.estBytes === null ? '?' : bytes(c.estBytes)}
                    typedConfirm={d.typedConfirm}
                    intlLocale={intl}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      {d.keyspace ? (
        <div className="key-details">
          {d.categories
            .filter((c) => (c.keys ?? 0) > 0)
            .map((c) => (
              <details key={c.name} data-details={c.name}>
                <summary>{t('categories.details', { category: catLabel(c.name), keys: n(c.keys ?? 0) })}</summary>
                <div className="details-grid">
                  <div>
                    <h3>{t('categories.ttlDistribution')}</h3>
                    <dl className="ttl-bars">
                      {TTL_BUCKETS.map((b) => {
                        const v = c.ttl?.[b] ?? 0;
                        const share = c.keys ? v / c.keys : 0;
                        return (
                          <div key={b}>
                            <dt>{t(`ttl.${b}`)}</dt>
                            <dd>
                              <span className="meter" aria-hidden="true">
                                <span style={{ inlineSize: `${Math.round(share * 100)}%` }} />
                              </span>{' '}
                              {n(v)}
                            </dd>
                          </div>
                        );
                      })}
                    </dl>
                  </div>
                  <div>
                    <h3>{t('categories.top')}</h3>
                    <ol className="top-keys">
                      {c.top.map((k) => (
                        <li key={k.key}>
                          <code dir="ltr">{k.key}</code> <span className="muted small">{bytes(k.bytes)}</span>
                        </li>
                      ))}
                    </ol>
                  </div>
                </div>
              </details>
            ))}
        </div>
      ) : null}
    </section>
  );
}
