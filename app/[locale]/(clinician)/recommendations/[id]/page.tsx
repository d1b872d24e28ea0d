import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { getTranslations } from 'next-intl/server';
import { requireUser } from '@/lib/auth/current-user';
import { AppError } from '@/lib/errors';
import { formatDate, formatDecimal, formatMonth, formatNumber, formatPercent, INTL_LOCALE, localName } from '@/lib/i18n/format';
import { directionOf } from '@/lib/i18n/routing';
import { readResource } from '@/lib/cached-reads';
import * as resources from '@/lib/resources';
import { idParam, pageLocale } from '../../../_components/page-locale';
import { CountBarChart, TrendLineChart, type ChartPoint } from './_components/charts';

type Props = { params: Promise<{ locale: string; id: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { locale } = await params;
  return { title: (await getTranslations({ locale, namespace: 'Recommendation' }))('metaTitle') };
}

const notFoundOn404 = (err: unknown): never => {
  if (err instanceof AppError && (err.status === 404 || err.status === 400)) notFound();
  throw err;
};

export default async function RecommendationPage({ params }: Props) {
  const locale = await pageLocale(params);
  const id = idParam((await params).id);
  const user = await requireUser({ returnTo: `/recommendations/${id}` });
  const [rec, analytics, summary] = await Promise.all([
    readResource(resources.recommendation, { id }, user).catch(notFoundOn404),
    readResource(resources.analytics, { id }, user).catch(notFoundOn404),
    readResource(resources.feedbackSummary, { id }, user).catch(notFoundOn404),
  ]);
  const [t, tMizaj, tKind, tDosage] = await Promise.all([
    getTranslations('Recommendation'),
    getTranslations('Mizaj'),
    getTranslations('Kind'),
    getTranslations('Dosage'),
  ]);
  const n = (v: number) => formatNumber(locale, v);
  const mean = (v: number | null) => (v === null ? t('none') : formatDecimal(locale, v));
  const list = (parts: string[]) => new Intl.ListFormat(INTL_LOCALE[locale], { type: 'unit', style: 'short' }).format(parts);

  const histogram: ChartPoint[] = analytics.histogram.map((count, i) => ({ label: n(i + 1), count, mean: null }));
  const byMizaj: ChartPoint[] = analytics.byMizaj.map((m) => ({ label: tMizaj(`short.${m.mizajType}`), count: m.count, mean: m.meanRating }));
  const monthly: ChartPoint[] = analytics.monthly.map((m) => ({ label: formatMonth(locale, m.month), count: m.count, mean: m.meanRating }));

  const busiest = analytics.monthly.reduce((a, b) => (b.count > a.count ? b : a), analytics.monthly[0]!);
  const latest = analytics.monthly.at(-1)!;
  const monthlyTotal = analytics.monthly.reduce((s, m) => s + m.count, 0);
  const chartProps = { intlLocale: INTL_LOCALE[locale], rtl: directionOf(locale) === 'rtl', countLabel: t('count'), meanLabel: t('mean') };

  return (
    <div className="stack">
      <h1>{localName(rec, locale)}</h1>
      <section className="card" aria-labelledby="about-heading">
        <h2 id="about-heading" className="visually-hidden">
          {t('about')}
        </h2>
        <dl className="facts">
          <div>
            <dt>{t('kind')}</dt>
            <dd>{tKind(rec.kind)}</dd>
          </div>
          <div>
            <dt>{t('temperament')}</dt>
            <dd>
              <span className={`mizaj mizaj-${rec.temperament}`}>{tMizaj(rec.temperament)}</span>
            </dd>
          </div>
          <div>
            <dt>{t('dosage')}</dt>
            <dd data-testid="dosage">{tDosage.has(rec.remedyCode) ? tDosage(rec.remedyCode) : rec.dosage}</dd>
          </div>
          <div>
            <dt>{t('effectiveness')}</dt>
            <dd>{formatPercent(locale, rec.effectivenessScore)}</dd>
          </div>
          <div>
            <dt>{t('updated')}</dt>
            <dd>{formatDate(locale, rec.updatedAt)}</dd>
          </div>
        </dl>
      </section>

      <section aria-labelledby="analytics-heading" className="stack">
        <h2 id="analytics-heading">{t('analytics')}</h2>
        <dl className="cards">
          <div className="card" data-testid="analytics-count" data-value={analytics.count}>
            <dt>{t('count')}</dt>
            <dd className="value">{n(analytics.count)}</dd>
          </div>
          <div className="card" data-testid="analytics-mean">
            <dt>{t('mean')}</dt>
            <dd className="value">{mean(analytics.meanRating)}</dd>
          </div>
          <div className="card">
            <dt>{t('adherence')}</dt>
            <dd className="value">{analytics.adherence.mean === null ? t('none') : formatPercent(locale, analytics.adherence.mean / 100)}</dd>
          </div>
        </dl>

        <div className="chart-grid">
          <figure className="card" aria-labelledby="histogram-title">
            <h3 id="histogram-title">{t('histogram')}</h3>
            <CountBarChart data={histogram} {...chartProps} />
            <figcaption data-testid="histogram-summary">
              {analytics.count
                ? t('histogramSummary', {
                    count: n(analytics.count),
                    mean: mean(analytics.meanRating),
                    parts: list(analytics.histogram.map((c, i) => t('ratingPart', { rating: n(i + 1), count: n(c) }))),
                  })
                : t('noFeedback')}
            </figcaption>
          </figure>

          <figure className="card" aria-labelledby="mizaj-title">
            <h3 id="mizaj-title">{t('byMizaj')}</h3>
            <CountBarChart data={byMizaj} horizontal {...chartProps} />
            <figcaption>
              {analytics.count
                ? t('byMizajSummary', {
                    parts: list(
                      analytics.byMizaj.map((m) => t('mizajPart', { mizaj: tMizaj(`short.${m.mizajType}`), count: n(m.count), mean: mean(m.meanRating) })),
                    ),
                  })
                : t('noFeedback')}
            </figcaption>
          </figure>

          <figure className="card chart-wide" aria-labelledby="monthly-title">
            <h3 id="monthly-title">{t('monthly')}</h3>
            <TrendLineChart data={monthly} {...chartProps} />
            <figcaption>
              {monthlyTotal
                ? t('monthlySummary', {
                    total: n(monthlyTotal),
                    busiest: formatMonth(locale, busiest.month),
                    busiestCount: n(busiest.count),
                    latest: formatMonth(locale, latest.month),
                    latestCount: n(latest.count),
                    latestMean: mean(latest.meanRating),
                  })
                : t('noFeedback')}
            </figcaption>
          </figure>
        </div>
      </section>

      <section aria-labelledby="recent-heading" className="stack">
        <h2 id="recent-heading">{t('recent')}</h2>
        {summary.recentComments.length ? (
          <ul className="list">
            {summary.recentComments.map((c) => (
              <li key={c.id} className="card list-item">
                <p className="rating-line">
                  <span className="stars" aria-hidden="true">
                    {'★'.repeat(c.rating)}
                    {'☆'.repeat(5 - c.rating)}
                  </span>
                  <span className="visually-hidden">{t('ratingOf', { rating: n(c.rating) })}</span>
                  <span className="muted"> · {formatDate(locale, c.createdAt)}</span>
                </p>
                <p dir="auto">{c.comment}</p>
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted">{t('noRecent')}</p>
        )}
      </section>
    </div>
  );
}
