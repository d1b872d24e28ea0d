import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import { requireUser } from '@/lib/auth/current-user';
import { loadDashboard, parseRange } from '@/lib/admin/dashboard';
import { formatBytes } from '@/lib/admin/format';
import { INTL_LOCALE } from '@/lib/i18n/format';
import { pageLocale } from '../_components/page-locale';
import { ClusterNodes } from './_components/cluster-nodes';
import { PatientAccessSection } from './_components/patient-access';
import { DashboardAlerts } from './_sections/alerts';
import { AuditSection } from './_sections/audit';
import { CategoriesSection } from './_sections/categories';
import { ChartsSection } from './_sections/charts';
import { AdminHeader } from './_sections/header';
import { LatencySection } from './_sections/latency';
import { SummaryCards } from './_sections/summary-cards';
import { TagPurgeSection } from './_sections/tag-purge';
import './admin.css';

type Props = { params: Promise<{ locale: string }>; searchParams: Promise<{ range?: string | string[] }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { locale } = await params;
  return { title: (await getTranslations({ locale, namespace: 'Admin' }))('title') };
}

/** Always rendered per request: it shows live figures and checks the session. */
export const dynamic = 'force-dynamic';

/** The cache dashboard: one load of the figures, handed to one component per section (./_sections). */
export default async function AdminPage({ params, searchParams }: Props) {
  const locale = await pageLocale(params);
  const range = parseRange((await searchParams).range);
  // Not signed in → sign-in; signed in without the admin role → sign-in with "needs an admin account".
  await requireUser({ role: 'admin', returnTo: `/admin?range=${range}` });
  const d = await loadDashboard(range);
  return (
    <div className="stack admin" data-range={range}>
      <AdminHeader range={range} generatedAt={d.generatedAt} intlLocale={INTL_LOCALE[locale]} />
      <DashboardAlerts d={d} range={range} locale={locale} />
      <SummaryCards d={d} range={range} locale={locale} />
      <ChartsSection d={d} range={range} locale={locale} />
      {d.latency ? <LatencySection latency={d.latency} locale={locale} /> : null}
      {d.nodes ? <ClusterNodes nodes={d.nodes} locale={locale} bytes={(v: number) => formatBytes(locale, v)} /> : null}
      <CategoriesSection d={d} range={range} locale={locale} />
      <TagPurgeSection />
      <AuditSection d={d} locale={locale} />
      <PatientAccessSection locale={locale} />
    </div>
  );
}
