import { describe, expect, it } from 'vitest';
import { conditionName, formatDate, formatDecimal, formatId, formatMonth, formatNumber, formatPercent, localName, toAsciiDigits } from '@/lib/i18n/format';

const PERSIAN_DIGITS = /^[۰-۹٬٫,.\s]+$/;
const ARABIC_DIGITS = /^[٠-٩٬٫\s]+$/;

describe('lib/i18n/format', () => {
  it('writes numbers in each language’s digits', () => {
    expect(formatNumber('fa', 1234)).toBe('۱٬۲۳۴');
    expect(formatNumber('fa', 1234)).toMatch(PERSIAN_DIGITS);
    expect(formatNumber('ar', 1234)).toBe('١٬٢٣٤');
    expect(formatNumber('ar', 1234)).toMatch(ARABIC_DIGITS);
    expect(formatNumber('en', 1234)).toBe('1,234');
  });

  it('formats decimals, ids and percentages per locale', () => {
    expect(formatDecimal('en', 3.456)).toBe('3.46');
    expect(formatDecimal('fa', 3)).toBe('۳٫۰');
    expect(formatId('fa', 1987)).toBe('۱۹۸۷');
    expect(formatId('en', 12345)).toBe('12345');
    expect(formatPercent('en', 0.42)).toBe('42%');
    expect(formatPercent('fa', 0.42)).toContain('۴۲');
    expect(formatPercent('ar', 0.42)).toContain('٤٢');
  });

  it('dates Persian pages in the Solar Hijri calendar', () => {
    // 21 March 2025 is 1 Farvardin 1404, Nowruz.
    const fa = formatDate('fa', '2025-03-21T12:00:00Z');
    expect(fa).toContain('۱۴۰۴');
    expect(fa).toContain('فروردین');
    expect(fa).not.toMatch(/[0-9]/);
    expect(formatDate('en', '2025-03-21T12:00:00Z')).toBe('21 Mar 2025');
    expect(formatDate('ar', '2025-03-21T12:00:00Z')).toMatch(/٢٠٢٥/);
    expect(formatDate('en', '2025-03-21T12:00:00Z', 'datetime')).toContain('12:00');
  });

  it('names Gregorian month buckets in the Gregorian calendar in every language', () => {
    expect(formatMonth('en', '2025-03')).toBe('Mar 2025');
    expect(formatMonth('fa', '2025-03')).toContain('۲۰۲۵');
    expect(formatMonth('ar', '2025-03')).toContain('٢٠٢٥');
  });

  it('reads Persian and Arabic digits typed by users', () => {
    expect(toAsciiDigits('۱۲۳۴۵۶۷۸۹۰')).toBe('1234567890');
    expect(toAsciiDigits('٠١٢٣٤٥٦٧٨٩')).toBe('0123456789');
    expect(toAsciiDigits('Sara 42')).toBe('Sara 42');
  });

  it('picks data names in the UI language', () => {
    const row = { nameFa: 'زنجبیل', nameEn: 'Ginger', nameAr: 'الزنجبيل' };
    expect(localName(row, 'fa')).toBe('زنجبیل');
    expect(localName(row, 'en')).toBe('Ginger');
    expect(localName(row, 'ar')).toBe('الزنجبيل');
    expect(conditionName({ conditionNameFa: 'بی‌خوابی', conditionNameEn: 'Insomnia', conditionNameAr: 'الأرق' }, 'ar')).toBe('الأرق');
  });
});
