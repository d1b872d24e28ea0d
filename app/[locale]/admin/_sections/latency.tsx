import type { DashboardData } from '@/lib/admin/dashboard';
import { formatNumber } from '@/lib/i18n/format';
import type { Locale } from '@/lib/i18n/routing';
import { adminFormat } from './format';

/** Redis command latency (p50/p99 per command), when the server reports it. */
export async function LatencySection({ latency, locale }: { latency: NonNullable<DashboardData['latency']>; locale: Locale }) {
  const { t, n } = await adminFormat(locale);
  return (
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
            {latency.commands.map((c) => (
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
  );
}
