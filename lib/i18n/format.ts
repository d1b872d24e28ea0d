import type { Locale } from './routing';

/**
 * Intl locales per UI locale. Plain `ar` formats with Latin digits in current ICU, so Arabic asks for an
 * Arabic-digit region explicitly; Persian gets Persian digits and the Solar Hijri calendar.
 */
export const INTL_LOCALE: Record<Locale, string> = {
  fa: 'fa-IR-u-ca-persian-nu-arabext',
  en: 'en-GB',
  ar: 'ar-EG-u-nu-arab',
};

/** Month buckets are Gregorian (UTC) months, so they are named in the Gregorian calendar in every locale:
 *  a Persian month name would claim a range the bucket does not cover. */
const MONTH_LOCALE: Record<Locale, string> = {
  fa: 'fa-IR-u-ca-gregory-nu-arabext',
  en: 'en-GB',
  ar: 'ar-EG-u-nu-arab',
};

export function formatNumber(locale: Locale, value: number, options: Intl.NumberFormatOptions = {}): string {
  return new Intl.NumberFormat(INTL_LOCALE[locale], options).format(value);
}

/** `fraction` is 0..1. */
export function formatPercent(locale: Locale, fraction: number, maximumFractionDigits = 0): string {
  return new Intl.NumberFormat(INTL_LOCALE[locale], { style: 'percent', maximumFractionDigits }).format(fraction);
}

/** A mean rating and the like: up to `digits` decimals, at least one. */
export function formatDecimal(locale: Locale, value: number, digits = 2): string {
  return new Intl.NumberFormat(INTL_LOCALE[locale], { minimumFractionDigits: 1, maximumFractionDigits: digits }).format(value);
}

/** Digits only, no grouping: ids and years read as labels, not quantities. */
export function formatId(locale: Locale, value: number): string {
  return new Intl.NumberFormat(INTL_LOCALE[locale], { useGrouping: false }).format(value);
}

export function formatDate(locale: Locale, iso: string | Date, style: 'date' | 'datetime' = 'date'): string {
  const date = typeof iso === 'string' ? new Date(iso) : iso;
  const options: Intl.DateTimeFormatOptions =
    style === 'date' ? { dateStyle: 'medium', timeZone: 'UTC' } : { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' };
  return new Intl.DateTimeFormat(INTL_LOCALE[locale], options).format(date);
}

/** A 'YYYY-MM' bucket as a short month and year. */
export function formatMonth(locale: Locale, yyyyMm: string): string {
  const [y, m] = yyyyMm.split('-').map(Number);
  const date = new Date(Date.UTC(y!, m! - 1, 15));
  return new Intl.DateTimeFormat(MONTH_LOCALE[locale], { month: 'short', year: 'numeric', timeZone: 'UTC' }).format(date);
}

type Named = { nameFa: string; nameEn: string; nameAr: string };
type ConditionNamed = { conditionNameFa: string; conditionNameEn: string; conditionNameAr: string };

/** A data row's name (remedy) in the UI language. */
export function localName(row: Named, locale: Locale): string {
  return locale === 'fa' ? row.nameFa : locale === 'ar' ? row.nameAr : row.nameEn;
}

/** A joined condition's name in the UI language. */
export function conditionName(row: ConditionNamed, locale: Locale): string {
  return locale === 'fa' ? row.conditionNameFa : locale === 'ar' ? row.conditionNameAr : row.conditionNameEn;
}

/** Persian (۰–۹) and Arabic-Indic (٠–٩) digits typed by a user, as ASCII digits (ids, numeric input). */
export function toAsciiDigits(input: string): string {
  return input.replace(/[\u06F0-\u06F9\u0660-\u0669]/g, (c) => String((c.charCodeAt(0) & 0xf) % 10));
}
