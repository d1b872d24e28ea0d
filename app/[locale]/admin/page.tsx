import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import { ClusterNodes } from './_components/cluster-nodes';
import { requireUser } from '@/lib/auth/current-user';
import { loadDashboard, parseRange, RANGE_KEYS, RANGES } from '@/lib/admin/dashboard';
import { formatBytes, formatSeconds } from '@/lib/admin/format';
import { TTL_BUCKETS } from '@/lib/admin/keyspace';
import { formatDate, formatNumber, formatPercent, INTL_LOCALE } from '@/lib/i18n/format';
import { Link } from '@/lib/i18n/navigation';
import { directionOf } from '@/lib/i18n/routing';
import { pageLocale } from '../_components/page-locale';
import { AutoRefresh } from './_components/auto-refresh';
import { CategoryActions } from './_components/category-actions';
import { DashboardCharts, type ChartLabels } from './_components/dashboard-charts';
import { PatientAccessSection } from './_components/patient-access';
import { TagPurgeForm } from './_components/tag-purge-form';
import './admin.css';

type Props = { params: Promise<{ locale: string }>; searchParams: Promise<{ range?: string | string[] }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { locale } = await params;
  return { title: (await getTranslations({ locale, namespace: 'Admin' }))('title') };
}

/** Always rendered per request: it shows live figures and checks the session. */
export const dynamic = 'force-dynamic';

export default async function AdminPage({ params, searchParams }: Props) {
  const locale = await pageLocale(params);
  const range = parseRange((await searchParams).range);
  // Not signed in → sign-in; signed in without the admin role → sign-in with "needs an admin account".
  await requireUser({ role: 'admin', returnTo: `/admin?range=${range}` });
  const [d, t] = await Promise.all([loadDashboard(range), getTranslations('Admin')]);
  const intl = INTL_LOCALE[locale];
  const rtl = directionOf(locale) === 'rtl';
  const n = (v: number) => formatNumber(locale, v);
  const pct = (v: number | null) => (v === null ? t('none') : formatPercent(locale, v, 1));
  const bytes = (v: number) => formatBytes(locale, v);
  // A tiny share of a big host reads better as "< 0.1 %" than as a flat 0 %.
  const share = (f: number) => (f > 0 && f < 0.001 ? `< ${formatPercent(locale, 0.001, 1)}` : formatPercent(locale, f, 1));
  const when = (ms: number) => formatDate(locale, new Date(ms), 'datetime');
  const catLabel = (c: string) => (t.has(`category.${c}`) ? t(`category.${c}`) : c);
  const noSamples = d.series.counts.categorySamples === 0 && d.series.counts.redisSamples === 0;
  const redisDown = d.backend !== 'memory' && !d.redis.reachable;
  const totalKeys = d.categories.reduce((a, c) => a + (c.keys ?? 0), 0);
  const used = d.live?.usedMemory ?? d.series.memory.at(-1)?.used ?? null;

  const labels: ChartLabels = {
    memory: t('charts.memory'),
    used: t('charts.used'),
    peak: t('charts.peak'),
    max: t('charts.max'),
    hitRate: t('charts.hitRate'),
    overall: t('charts.overall'),
    churn: t('charts.churn'),
    evicted: t('charts.evicted'),
    expired: t('charts.expired'),
    ops: t('charts.ops'),
    opsUnit: t('charts.opsUnit'),
    empty: t('charts.empty'),
    memoryNote:
      d.memoryLimit.kind === 'maxmemory'
        ? t('charts.memoryNoteMax')
        : d.memoryLimit.kind === 'system'
          ? t('charts.memoryNoteSystem', { system: bytes(d.memoryLimit.bytes) })
          : t('charts.memoryNoteStore', { limit: bytes(d.memoryLimit.bytes) }),
    hitRateNote: t('charts.hitRateNote'),
    churnNote: t('charts.churnNote', { step: formatSeconds(locale, Math.round(d.series.stepMs / 1000)) }),
    opsNote: t('charts.opsNote'),
    categories: Object.fromEntries(d.categories.map((c) => [c.name, catLabel(c.name)])),
  };

  const health = (ok: boolean, okText: string, badText: string) => <span className={ok ? 'status-ok' : 'status-bad'}>{ok ? okText : badText}</span>;

  return (
    <div className="stack admin" data-range={range}>
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
          <AutoRefresh generatedAt={d.generatedAt} intlLocale={intl} />
        </div>
      </header>

      {redisDown ? (
        <p role="alert" className="alert alert-error" data-state="redis-down">
          {t('states.redisDown', { error: d.redis.error ?? '' })}
        </p>
      ) : null}
      {d.backend === 'memory' ? (
        <p className="alert alert-warn" data-state="memory-backend">
          {t('states.memoryBackend')}
        </p>
      ) : null}
      {noSamples ? (
        <p className="alert alert-warn" data-state="no-samples">
          {RANGES[range].resolution > 0 ? t('states.noRollups') : t('states.noSamples', { seconds: n(Math.round(d.sampleIntervalMs / 1000)) })}
        </p>
      ) : null}
      {d.problems.samples ? (
        <p role="alert" className="alert alert-error">
          {t('states.samplesError', { error: d.problems.samples })}
        </p>
      ) : null}

      <section aria-labelledby="summary-h">
        <h2 id="summary-h" className="visually-hidden">
          {t('cards.heading')}
        </h2>
        <ul className="cards admin-cards">
          <li className="card" data-card="hit-rate">
            <span className="label">{t('cards.hitRate', { range: t(`range.${range}`) })}</span>
            <span className="value">{pct(d.series.totals.hitRate)}</span>
            <span className="small muted">{t('cards.hitRateSub', { hits: n(d.series.totals.hits), misses: n(d.series.totals.misses) })}</span>
          </li>
          <li className="card" data-card="memory">
            <span className="label">{t('cards.memory')}</span>
            <span className="value">{used === null ? t('none') : bytes(used)}</span>
            <span className="small muted">
              {t(`cards.memoryOf.${d.memoryLimit.kind === 'system' && d.backend === 'cluster' ? 'systemPerNode' : d.memoryLimit.kind}`, { limit: bytes(d.memoryLimit.bytes), share: used === null || d.memoryLimit.bytes === 0 ? '—' : share(used / d.memoryLimit.bytes) })}
              {d.live && d.backend !== 'memory' ? ` · ${t('cards.peak', { peak: bytes(d.live.usedMemoryPeak), frag: formatNumber(locale, d.live.fragmentationRatio, { maximumFractionDigits: 2 }) })}` : ''}
            </span>
          </li>
          <li className="card" data-card="keys">
            <span className="label">{t('cards.keys')}</span>
            <span className="value">{d.keyspace ? n(totalKeys) : t('none')}</span>
            <span className="small muted">{d.keyspace ? t('cards.keysSub', { time: when(d.keyspace.takenAt) }) : t('cards.keysNone')}</span>
          </li>
          <li className="card" data-card="evictions">
            <span className="label">{t('cards.evictions', { range: t(`range.${range}`) })}</span>
            <span className="value">{n(d.series.totals.evicted)}</span>
            <span className="small muted">{t('cards.expiredSub', { expired: n(d.series.totals.expired) })}</span>
          </li>
          <li className="card" data-card="backend">
            <span className="label">{t('cards.backend')}</span>
            <span className="value value-sm">{t(`backend.${d.backend}`)}</span>
            <span className="small muted">
              {d.cacheEnabled ? t('cards.instance', { id: d.instanceId }) : t('cards.disabled')}
              {d.l1.enabled ? ` · ${t('cards.l1', { entries: n(d.l1.entries), bytes: bytes(d.l1.bytes), max: bytes(d.l1.maxBytes) })}` : ''}
            </span>
          </li>
          <li className="card" data-card="health">
            <span className="label">{t('cards.health')}</span>
            <dl className="health-list">
              {d.backend !== 'memory' ? (
                <div>
                  <dt>{t('health.redis')}</dt>
                  <dd data-health="redis">{health(d.redis.reachable, t('health.up', { ms: formatNumber(locale, d.redis.latencyMs ?? 0, { maximumFractionDigits: 1 }) }), t('health.down'))}</dd>
                </div>
              ) : null}
              <div>
                <dt>{t('health.database')}</dt>
                <dd data-health="database">{health(d.database.ok, t('health.up', { ms: formatNumber(locale, d.database.latencyMs, { maximumFractionDigits: 1 }) }), t('health.down'))}</dd>
              </div>
              <div>
                <dt>{t('health.breaker')}</dt>
                <dd data-health="breaker">{health(d.breaker === 'closed', t('breaker.closed'), t.has(`breaker.${d.breaker}`) ? t(`breaker.${d.breaker}`) : d.breaker)}</dd>
              </div>
            </dl>
          </li>
          {d.latency ? (
            <li className="card" data-card="latency">
              <span className="label">{t('cards.latency')}</span>
              <span className="value value-sm">
                {d.latency.overall
                  ? t('latency.pair', { p50: formatNumber(locale, d.latency.overall.p50, { maximumFractionDigits: 1 }), p99: formatNumber(locale, d.latency.overall.p99, { maximumFractionDigits: 1 }) })
                  : t('none')}
              </span>
              <span className="small muted">{t('latency.approx')}</span>
            </li>
          ) : null}
        </ul>
      </section>

      <section aria-labelledby="charts-h" className="stack">
        <h2 id="charts-h">{t('charts.heading', { range: t(`range.${range}`) })}</h2>
        <DashboardCharts
          locale={locale}
          intlLocale={intl}
          rtl={rtl}
          rangeMs={RANGES[range].ms}
          series={{ memory: d.series.memory, hitRate: d.series.hitRate, churn: d.series.churn, ops: d.series.ops }}
          categories={d.categories.map((c) => c.name)}
          labels={labels}
        />
        <p className="small muted">
          {t('charts.footer', { samples: n(d.series.counts.categorySamples + d.series.counts.redisSamples), instances: n(d.series.counts.instances), interval: formatSeconds(locale, Math.max(1, Math.round(d.sampleIntervalMs / 1000))) })}
          {d.series.totals.redisRestarted ? ` ${t('charts.restarted')}` : ''}
        </p>
      </section>

      {d.latency ? (
        <section aria-labelledby="latency-h" className="stack">
          <h2 id="latency-h">{t('latency.heading')}</h2>
          <div className="table-scroll">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('latency.command')}</th>
                  <th scope="col">{t('latency.calls')}</th>
                  <th scope="col">p50</th>
                  <th scope="col">p99</th>
                </tr>
              </thead>
              <tbody>
                {d.latency.commands.map((c) => (
                  <tr key={c.command}>
                    <td dir="ltr">{c.command.toUpperCase()}</td>
                    <td className="num">{n(c.calls)}</td>
                    <td className="num">{t('latency.us', { v: formatNumber(locale, c.p50, { maximumFractionDigits: 1 }) })}</td>
                    <td className="num">{t('latency.us', { v: formatNumber(locale, c.p99, { maximumFractionDigits: 1 }) })}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ) : null}

      {d.nodes ? <ClusterNodes nodes={d.nodes} locale={locale} bytes={bytes} /> : null}

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

      <section aria-labelledby="tag-h" className="stack">
        <h2 id="tag-h">{t('tag.heading')}</h2>
        <TagPurgeForm />
      </section>

      <section aria-labelledby="audit-h" className="stack">
        <h2 id="audit-h">{t('audit.heading')}</h2>
        {d.problems.audit ? <p className="alert alert-error">{t('audit.error')}</p> : null}
        {d.audit.length === 0 ? (
          <p className="muted">{t('audit.empty')}</p>
        ) : (
          <div className="table-scroll">
            <table className="audit-table">
              <thead>
                <tr>
                  <th scope="col">{t('audit.when')}</th>
                  <th scope="col">{t('audit.who')}</th>
                  <th scope="col">{t('audit.what')}</th>
                  <th scope="col">{t('audit.target')}</th>
                  <th scope="col">{t('audit.result')}</th>
                </tr>
              </thead>
              <tbody>
                {d.audit.map((a) => (
                  <tr key={a.id} data-audit-action={a.action} data-audit-target={a.target}>
                    <td className="num">{formatDate(locale, a.createdAt, 'datetime')}</td>
                    <td dir="ltr">{a.actor}</td>
                    <td>{t.has(`audit.actions.${a.action}`) ? t(`audit.actions.${a.action}`) : a.action}</td>
                    <td dir="ltr">{a.target}</td>
                    <td>
                      <span className={a.ok ? 'status-ok' : 'status-bad'}>{a.ok ? t('audit.ok') : t('audit.failed')}</span>
                      {a.keys !== null ? ` · ${t('audit.keys', { keys: n(a.keys) })}` : ''}
                      {a.ms !== null ? ` · ${t('audit.ms', { ms: n(a.ms) })}` : ''}
                      {a.error ? <div className="small status-bad">{a.error}</div> : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <PatientAccessSection locale={locale} />
    </div>
  );
}
