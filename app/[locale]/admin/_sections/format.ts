import 'server-only';
import { getTranslations } from 'next-intl/server';
import { formatBytes } from '@/lib/admin/format';
import { formatDate, formatNumber, formatPercent } from '@/lib/i18n/format';
import type { Locale } from '@/lib/i18n/routing';

/** The admin messages and the number/date formatting every dashboard section shares. */
export async function adminFormat(locale: Locale) {
  const t = await getTranslations('Admin');
  return {
    t,
    n: (v: number) => formatNumber(locale, v),
    pct: (v: number | null) => (v === null ? t('none') : formatPercent(locale, v, 1)),
    bytes: (v: number) => formatBytes(locale, v),
    // A tiny share of a big host reads better as "< 0.1 %" than as a flat 0 %.
    share: (f: number) => (f > 0 && f < 0.001 ? `< ${formatPercent(locale, 0.001, 1)}` : formatPercent(locale, f, 1)),
    when: (ms: number) => formatDate(locale, new Date(ms), 'datetime'),
    catLabel: (c: string) => (t.has(`category.${c}`) ? t(`category.${c}`) : c),
  };
}
