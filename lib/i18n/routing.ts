import { defineRouting } from 'next-intl/routing';

export const routing = defineRouting({
  locales: ['fa', 'en', 'ar'],
  defaultLocale: 'fa',
  localePrefix: 'always',
});

export type Locale = (typeof routing.locales)[number];

const RTL: ReadonlySet<Locale> = new Set(['fa', 'ar']);
export const directionOf = (locale: Locale): 'rtl' | 'ltr' => (RTL.has(locale) ? 'rtl' : 'ltr');
