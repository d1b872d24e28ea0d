import { INTL_LOCALE } from '@/lib/i18n/format';
import type { Locale } from '@/lib/i18n/routing';

/**
 * Byte sizes in the largest unit that keeps the number ≥ 1, per locale (Persian/Arabic digits and unit
 * names come from Intl). Shared by the server page and the chart islands, so no 'server-only' here.
 */
export function formatBytes(locale: Locale | string, bytes: number): string {
  const intl = INTL_LOCALE[locale as Locale] ?? locale;
  const units = ['byte', 'kilobyte', 'megabyte', 'gigabyte', 'terabyte'] as const;
  let value = Math.max(0, bytes);
  let i = 0;
  while (value >= 1024 && i < units.length - 1) {
    value /= 1024;
    i++;
  }
  return new Intl.NumberFormat(intl, { style: 'unit', unit: units[i], unitDisplay: 'short', maximumFractionDigits: value < 10 && i > 0 ? 1 : 0 }).format(value);
}

/** A TTL in seconds as the largest whole unit (1 h, 30 min, 2 d). */
export function formatSeconds(locale: Locale | string, seconds: number): string {
  const intl = INTL_LOCALE[locale as Locale] ?? locale;
  const [value, unit] =
    seconds % 86_400 === 0 ? [seconds / 86_400, 'day'] : seconds % 3_600 === 0 ? [seconds / 3_600, 'hour'] : seconds % 60 === 0 ? [seconds / 60, 'minute'] : [seconds, 'second'];
  return new Intl.NumberFormat(intl, { style: 'unit', unit, unitDisplay: 'short' }).format(value);
}
