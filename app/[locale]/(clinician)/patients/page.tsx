import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import { requireUser } from '@/lib/auth/current-user';
import { isStorableText } from '@/lib/domain/shared/validation';
import { formatId, formatNumber, toAsciiDigits } from '@/lib/i18n/format';
import { Link } from '@/lib/i18n/navigation';
import { readPatientSearch } from '@/lib/cached-reads/pages';
import { MIZAJ_TYPES, type MizajType } from '@/lib/domain';
import { pageLocale } from '../../_components/page-locale';
import { Pagination } from '../_components/pagination';

type Search = { q?: string | string[]; mizaj?: string | string[]; page?: string | string[] };
type Props = { params: Promise<{ locale: string }>; searchParams: Promise<Search> };

const PAGE_SIZE = 20;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { locale } = await params;
  return { title: (await getTranslations({ locale, namespace: 'Patients' }))('title') };
}

export default async function PatientsPage({ params, searchParams }: Props) {
  const locale = await pageLocale(params);
  const sp = await searchParams;
  // Unknown or malformed query values fall back to "no filter" rather than an error page.
  const typed = one(sp.q)?.trim().slice(0, 100);
  const q = typed && isStorableText(typed) ? typed : undefined;
  const mizajRaw = one(sp.mizaj);
  const mizaj = MIZAJ_TYPES.includes(mizajRaw as MizajType) ? (mizajRaw as MizajType) : undefined;
  const page = Math.min(Math.max(1, Number.parseInt(one(sp.page) ?? '1', 10) || 1), 100_000);
  const query = { ...(q ? { q } : {}), ...(mizaj ? { mizaj } : {}) };
  await requireUser({ returnTo: `/patients${toQuery({ ...query, ...(page > 1 ? { page: String(page) } : {}) })}` });

  const [t, tMizaj, tSex] = await Promise.all([getTranslations('Patients'), getTranslations('Mizaj'), getTranslations('Sex')]);
  const result = await readPatientSearch({ q: q && toAsciiDigits(q), mizajType: mizaj, page, pageSize: PAGE_SIZE });
  const pages = Math.max(1, Math.ceil(result.total / PAGE_SIZE));
  const from = result.total ? (page - 1) * PAGE_SIZE + 1 : 0;
  const to = Math.min(result.total, page * PAGE_SIZE);

  return (
    <div className="stack">
      <h1>{t('title')}</h1>
      <form method="get" role="search" className="filters">
        <div className="field">
          <label htmlFor="q">{t('searchLabel')}</label>
          <input id="q" name="q" type="search" defaultValue={q} placeholder={t('searchPlaceholder')} maxLength={100} />
        </div>
        <div className="field">
          <label htmlFor="mizaj">{t('mizajFilter')}</label>
          <select id="mizaj" name="mizaj" defaultValue={mizaj ?? ''}>
            <option value="">{t('allMizaj')}</option>
            {MIZAJ_TYPES.map((m) => (
              <option key={m} value={m}>
                {tMizaj(m)}
              </option>
            ))}
          </select>
        </div>
        <div className="field field-actions">
          <button type="submit" className="button">
            {t('submit')}
          </button>
          {q || mizaj ? <Link href="/patients">{t('reset')}</Link> : null}
        </div>
      </form>

      <p aria-live="polite" data-testid="result-count" data-total={result.total}>
        {result.total
          ? t('results', { from: formatNumber(locale, from), to: formatNumber(locale, to), total: formatNumber(locale, result.total) })
          : t('empty')}
      </p>

      {result.items.length ? (
        <div className="table-scroll" role="region" aria-labelledby="patients-caption" tabIndex={0}>
          <table>
            <caption id="patients-caption" className="visually-hidden">
              {t('caption')}
            </caption>
            <thead>
              <tr>
                <th scope="col">{t('id')}</th>
                <th scope="col">{t('name')}</th>
                <th scope="col">{t('mizaj')}</th>
                <th scope="col">{t('birthYear')}</th>
                <th scope="col">{t('sex')}</th>
              </tr>
            </thead>
            <tbody>
              {result.items.map((p) => (
                <tr key={p.id}>
                  <td className="num">{formatId(locale, p.id)}</td>
                  <td>
                    <Link href={`/patients/${p.id}`} data-testid="patient-link">
                      <bdi>{p.name}</bdi>
                    </Link>
                  </td>
                  <td>{tMizaj(p.mizajType)}</td>
                  <td className="num">{formatId(locale, p.birthYear)}</td>
                  <td>{tSex(p.sex)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}

      <Pagination
        page={page}
        pages={pages}
        hrefFor={(n) => ({ pathname: '/patients', query: { ...query, ...(n > 1 ? { page: String(n) } : {}) } })}
        labels={{ nav: t('pagination'), prev: t('prev'), next: t('next'), status: t('pageOf', { page: formatNumber(locale, page), pages: formatNumber(locale, pages) }) }}
      />
    </div>
  );
}

function toQuery(q: Record<string, string>): string {
  const s = new URLSearchParams(q).toString();
  return s ? `?${s}` : '';
}
