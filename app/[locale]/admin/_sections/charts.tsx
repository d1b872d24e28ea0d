import { RANGES, type DashboardData, type RangeKey } from '@/lib/admin/dashboard';
import { formatSeconds } from '@/lib/admin/format';
import { INTL_LOCALE } from '@/lib/i18n/format';
import { directionOf, type Locale } from '@/lib/i18n/routing';
import { DashboardCharts, type ChartLabels } from '../_components/dashboard-charts';
import { adminFormat } from './format';

/** The time-series charts for the chosen range, with their labels and a footer on where the samples came from. */
export async function ChartsSection({ d, range, locale }: { d: DashboardData; range: RangeKey; locale: Locale }) {
  const { t, n, bytes, catLabel } = await adminFormat(locale);
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
  return (
    <section aria-labelledby="charts-h" className="stack">
      <h2 id="charts-h">{t('charts.heading', { range: t(`range.${range}`) })}</h2>
      <DashboardCharts
        locale={locale}
        intlLocale={INTL_LOCALE[locale]}
        rtl={directionOf(locale) === 'rtl'}
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
  );
}
