import { getTranslations } from 'next-intl/server';
import { formatNumber } from '@/lib/i18n/format';
import type { Locale } from '@/lib/i18n/routing';

/** A health record's JSON as labelled facts; unknown fields and values are shown as stored. */
export async function RecordData({ locale, data }: { locale: Locale; data: Record<string, unknown> }) {
  const [tField, tValue] = await Promise.all([getTranslations('RecordField'), getTranslations('RecordValue')]);
  const entries = Object.entries(data).filter(([, v]) => v !== null && v !== undefined && typeof v !== 'object');
  return (
    <dl className="facts facts-compact">
      {entries.map(([k, v]) => (
        <div key={k}>
          <dt>{tField.has(k) ? tField(k) : k}</dt>
          <dd>{typeof v === 'number' ? formatNumber(locale, v) : tValue.has(String(v)) ? tValue(String(v)) : String(v)}</dd>
        </div>
      ))}
    </dl>
  );
}
