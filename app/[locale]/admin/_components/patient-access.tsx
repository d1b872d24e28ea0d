import { getTranslations } from 'next-intl/server';
import { listPatientViews, type PatientAccessEntry } from '@/lib/audit/patient-access';
import { formatDate, formatId } from '@/lib/i18n/format';
import { Link } from '@/lib/i18n/navigation';
import type { Locale } from '@/lib/i18n/routing';

/** The newest patient-data views (lib/audit/patient-access.ts); older ones through the API. */
export async function PatientAccessSection({ locale }: { locale: Locale }) {
  const t = await getTranslations('Admin.patientAccess');
  const items: PatientAccessEntry[] | null = await listPatientViews({ limit: 50 }).then(
    (r) => r.items,
    () => null,
  );
  const what = (resource: string) => (resource === 'profile' ? t('profile') : t('diagnosis', { id: formatId(locale, Number(resource.split(':')[1])) }));
  return (
    <section aria-labelledby="patient-access-h" className="stack">
      <h2 id="patient-access-h">{t('heading')}</h2>
      <p className="muted small">{t('intro')}</p>
      {items === null ? <p className="alert alert-error">{t('error')}</p> : null}
      {items?.length === 0 ? <p className="muted">{t('empty')}</p> : null}
      {items && items.length > 0 ? (
        <div className="table-scroll">
          <table className="audit-table" data-testid="patient-access">
            <thead>
              <tr>
                <th scope="col">{t('when')}</th>
                <th scope="col">{t('who')}</th>
                <th scope="col">{t('patient')}</th>
                <th scope="col">{t('what')}</th>
                <th scope="col">{t('via')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((a) => (
                <tr key={a.id} data-patient-id={a.patientId} data-via={a.via}>
                  <td className="num">{formatDate(locale, a.viewedAt, 'datetime')}</td>
                  <td dir="ltr">{a.viewerLabel}</td>
                  <td>
                    <Link href={`/patients/${a.patientId}`}>{formatId(locale, a.patientId)}</Link>
                  </td>
                  <td>{what(a.resource)}</td>
                  <td>{t(`vias.${a.via as 'api' | 'fast-path' | 'page'}`)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
