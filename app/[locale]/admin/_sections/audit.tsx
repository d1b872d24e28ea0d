import type { DashboardData } from '@/lib/admin/dashboard';
import { formatDate } from '@/lib/i18n/format';
import type { Locale } from '@/lib/i18n/routing';
import { adminFormat } from './format';

/** The admin audit trail: who warmed or purged what, and how it went. */
export async function AuditSection({ d, locale }: { d: DashboardData; locale: Locale }) {
  const { t, n } = await adminFormat(locale);
  return (
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
  );
}
