import { RANGES, type DashboardData, type RangeKey } from '@/lib/admin/dashboard';
import type { Locale } from '@/lib/i18n/routing';
import { adminFormat } from './format';

/** What is wrong or missing right now: Redis down, the memory backend, no samples yet, failed sample reads. */
export async function DashboardAlerts({ d, range, locale }: { d: DashboardData; range: RangeKey; locale: Locale }) {
  const { t, n } = await adminFormat(locale);
  const noSamples = d.series.counts.categorySamples === 0 && d.series.counts.redisSamples === 0;
  const redisDown = d.backend !== 'memory' && !d.redis.reachable;
  return (
    <>
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
    </>
  );
}
