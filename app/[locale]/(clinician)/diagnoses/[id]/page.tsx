import { randomUUID } from 'node:crypto';
import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { getTranslations } from 'next-intl/server';
import { recordPatientView } from '@/lib/audit/patient-access';
import { requireUser } from '@/lib/auth/current-user';
import { AppError } from '@/lib/errors';
import { conditionName, formatDate, formatDecimal, formatId, formatNumber, formatPercent, localName } from '@/lib/i18n/format';
import { Link } from '@/lib/i18n/navigation';
import { readResource } from '@/lib/cached-reads';
import * as resources from '@/lib/resources';
import { idParam, pageLocale } from '../../../_components/page-locale';
import { FeedbackForm } from './_components/feedback-form';

type Props = { params: Promise<{ locale: string; id: string }>; searchParams: Promise<{ saved?: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { locale, id } = await params;
  return { title: (await getTranslations({ locale, namespace: 'Diagnosis' }))('metaTitle', { id }) };
}

const notFoundOn404 = (err: unknown): never => {
  if (err instanceof AppError && (err.status === 404 || err.status === 400)) notFound();
  throw err;
};

export default async function DiagnosisPage({ params, searchParams }: Props) {
  const locale = await pageLocale(params);
  const id = idParam((await params).id);
  const user = await requireUser({ returnTo: `/diagnoses/${id}` });
  const [diagnosis, prediction] = await Promise.all([readResource(resources.diagnosis, { id }, user).catch(notFoundOn404), readResource(resources.prediction, { id }, user).catch(notFoundOn404)]);
  recordPatientView({ viewer: { kind: 'user', ...user }, patientId: diagnosis.patientId, resource: `diagnosis:${id}`, via: 'page' });
  const sp = await searchParams;
  const [t, tMizaj, tKind, tFeedback] = await Promise.all([
    getTranslations('Diagnosis'),
    getTranslations('Mizaj'),
    getTranslations('Kind'),
    getTranslations('Feedback'),
  ]);
  const savedId = Number(sp.saved);
  const saved = prediction.predictions.find((p) => p.recommendationId === savedId);
  const { similarPatients: similar } = prediction;

  return (
    <div className="stack">
      <nav aria-label={t('breadcrumb')} className="breadcrumb">
        <Link href={`/patients/${diagnosis.patientId}`}>{t('backToPatient', { name: diagnosis.patientName })}</Link>
      </nav>
      <h1>
        {conditionName(diagnosis, locale)} <span className="muted h-sub">· {t('heading', { id: formatId(locale, id) })}</span>
      </h1>

      {saved ? (
        <div role="status" className="alert alert-ok" data-testid="feedback-saved">
          <p>{tFeedback('saved')}</p>
          <p>
            <Link href={`/recommendations/${saved.recommendationId}`}>{tFeedback('seeAnalytics', { name: localName(saved, locale) })}</Link>
          </p>
        </div>
      ) : null}

      <section className="card" aria-labelledby="summary-heading">
        <h2 id="summary-heading" className="visually-hidden">
          {t('summary')}
        </h2>
        <dl className="facts">
          <div>
            <dt>{t('patient')}</dt>
            <dd>
              <Link href={`/patients/${diagnosis.patientId}`}>
                <bdi>{diagnosis.patientName}</bdi>
              </Link>
            </dd>
          </div>
          <div>
            <dt>{t('mizaj')}</dt>
            <dd>
              <span className={`mizaj mizaj-${diagnosis.mizajType}`}>{tMizaj(diagnosis.mizajType)}</span>
            </dd>
          </div>
          <div>
            <dt>{t('date')}</dt>
            <dd>{formatDate(locale, diagnosis.createdAt)}</dd>
          </div>
          {diagnosis.notes ? (
            <div>
              <dt>{t('notes')}</dt>
              <dd dir="auto">{diagnosis.notes}</dd>
            </div>
          ) : null}
        </dl>
      </section>

      <section aria-labelledby="ranked-heading" className="stack">
        <h2 id="ranked-heading">{t('ranked')}</h2>
        <p className="muted">
          {similar.count && similar.birthYearMin !== null && similar.birthYearMax !== null
            ? t('similar', {
                count: formatNumber(locale, similar.count),
                min: formatId(locale, similar.birthYearMin),
                max: formatId(locale, similar.birthYearMax),
              })
            : t('noSimilar')}
        </p>
        <div className="table-scroll" role="region" aria-labelledby="ranked-heading" tabIndex={0}>
          <table data-testid="predictions">
            <thead>
              <tr>
                <th scope="col">{t('rank')}</th>
                <th scope="col">{t('remedy')}</th>
                <th scope="col">{t('predicted')}</th>
                <th scope="col">{t('confidence')}</th>
                <th scope="col">
                  <abbr title={t('nLong')}>{t('n')}</abbr>
                </th>
              </tr>
            </thead>
            <tbody>
              {prediction.predictions.map((p, i) => (
                <tr key={p.recommendationId} data-recommendation-id={p.recommendationId}>
                  <td className="num">{formatNumber(locale, i + 1)}</td>
                  <td>
                    <Link href={`/recommendations/${p.recommendationId}`}>{localName(p, locale)}</Link>
                    <div className="muted small">
                      {tKind(p.kind)} · {tMizaj(p.temperament)}
                    </div>
                  </td>
                  <td>
                    <div className="meter-cell">
                      <span className="num">{formatPercent(locale, p.predictedEffectiveness)}</span>
                      <span className="meter" aria-hidden="true">
                        <span style={{ inlineSize: `${Math.round(p.predictedEffectiveness * 100)}%` }} />
                      </span>
                    </div>
                    <div className="muted small">{t('rating', { value: formatDecimal(locale, p.predictedRating) })}</div>
                  </td>
                  <td className="num">{formatPercent(locale, p.confidence)}</td>
                  <td className="num">{formatNumber(locale, p.n)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <p className="muted small">{t('explain')}</p>
      </section>

      <section aria-labelledby="feedback-heading" className="card stack" id="feedback">
        <h2 id="feedback-heading">{tFeedback('title')}</h2>
        <FeedbackForm diagnosisId={id} idempotencyKey={randomUUID()} options={prediction.predictions.map((p) => ({ id: p.recommendationId, label: localName(p, locale) }))} />
      </section>
    </div>
  );
}
