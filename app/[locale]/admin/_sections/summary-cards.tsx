import type { DashboardData, RangeKey } from '@/lib/admin/dashboard';
import { formatNumber } from '@/lib/i18n/format';
import type { Locale } from '@/lib/i18n/routing';
import { adminFormat } from './format';

/** The summary cards: hit rate, memory, keys, evictions, backend, health, latency. */
export async function SummaryCards({ d, range, locale }: { d: DashboardData; range: RangeKey; locale: Locale }) {
  const { t, n, pct, bytes, share, when } = await adminFormat(locale);
  const totalKeys = d.categories.reduce((a, c) => a + (c.keys ?? 0), 0);
  const used = d.live?.usedMemory ?? d.series.memory.at(-1)?.used ?? null;
  const health = (ok: boolean, okText: string, badText: string) => <span className={ok ? 'status-ok' : 'status-bad'}>{ok ? okText : badText}</span>;
  return (
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
  );
}
