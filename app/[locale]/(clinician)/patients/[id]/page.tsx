import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { getTranslations } from 'next-intl/server';
import { recordPatientView } from '@/lib/audit/patient-access';
import { requireUser } from '@/lib/auth/current-user';
import { NotFoundError } from '@/lib/errors';
import { conditionName, formatDate, formatId } from '@/lib/i18n/format';
import { Link } from '@/lib/i18n/navigation';
import type { Locale } from '@/lib/i18n/routing';
import { readResource } from '@/lib/cached-reads';
import * as resources from '@/lib/resources';
import { idParam, pageLocale } from '../../../_components/page-locale';
import { RecordData } from '../../_components/record-data';

type Props = { params: Promise<{ locale: string; id: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { locale } = await params;
  return { title: (await getTranslations({ locale, namespace: 'Patient' }))('metaTitle') };
}

export default async function PatientPage({ params }: Props) {
  const locale = await pageLocale(params);
  const id = idParam((await params).id);
  const user = await requireUser({ returnTo: `/patients/${id}` });
  const profile = await readResource(resources.profile, { id }, user).catch((err: unknown) => {
    if (err instanceof NotFoundError) notFound();
    throw err;
  });
  recordPatientView({ viewer: { kind: 'user', ...user }, patientId: id, resource: 'profile', via: 'page' });
  const [t, tMizaj, tSex, tKind] = await Promise.all([
    getTranslations('Patient'),
    getTranslations('Mizaj'),
    getTranslations('Sex'),
    getTranslations('RecordKind'),
  ]);
  const { patient } = profile;
  return (
    <div className="stack">
      <nav aria-label={t('breadcrumb')} className="breadcrumb">
        <Link href="/patients">{t('back')}</Link>
      </nav>
      <h1>
        <bdi>{patient.name}</bdi>
      </h1>

      <section aria-labelledby="demo-heading" className="card">
        <h2 id="demo-heading">{t('demographics')}</h2>
        <dl className="facts">
          <div>
            <dt>{t('id')}</dt>
            <dd>{formatId(locale, patient.id)}</dd>
          </div>
          <div>
            <dt>{t('mizaj')}</dt>
            <dd>
              <span className={`mizaj mizaj-${patient.mizajType}`} data-testid="patient-mizaj">
                {tMizaj(patient.mizajType)}
              </span>
            </dd>
          </div>
          <div>
            <dt>{t('birthYear')}</dt>
            <dd>{formatId(locale, patient.birthYear)}</dd>
          </div>
          <div>
            <dt>{t('sex')}</dt>
            <dd>{tSex(patient.sex)}</dd>
          </div>
          <div>
            <dt>{t('registered')}</dt>
            <dd>{formatDate(locale, patient.createdAt)}</dd>
          </div>
        </dl>
      </section>

      <section aria-labelledby="diagnoses-heading" className="stack">
        <h2 id="diagnoses-heading">{t('diagnoses')}</h2>
        {profile.diagnoses.length ? (
          <ul className="list" data-testid="diagnoses">
            {profile.diagnoses.map((d) => (
              <li key={d.id} className="card list-item">
                <Link href={`/diagnoses/${d.id}`} data-testid="diagnosis-link">
                  {conditionName(d, locale)}
                </Link>
                <span className="muted">{formatDate(locale, d.createdAt)}</span>
                {d.notes ? (
                  <p className="notes" dir="auto">
                    {d.notes}
                  </p>
                ) : null}
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted">{t('noDiagnoses')}</p>
        )}
      </section>

      <section aria-labelledby="records-heading" className="stack">
        <h2 id="records-heading">{t('records')}</h2>
        {profile.healthRecords.length ? (
          <ul className="list">
            {profile.healthRecords.map((r) => (
              <li key={r.id} className="card list-item">
                <h3 className="h4">
                  {tKind.has(r.kind) ? tKind(r.kind) : r.kind} <span className="muted">· {formatDate(locale, r.createdAt)}</span>
                </h3>
                <RecordData locale={locale as Locale} data={r.data as Record<string, unknown>} />
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted">{t('noRecords')}</p>
        )}
      </section>
    </div>
  );
}
