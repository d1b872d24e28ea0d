import { getRequestConfig } from 'next-intl/server';
import { hasLocale } from 'next-intl';
import { routing } from './routing';

export default getRequestConfig(async ({ requestLocale }) => {
  const requested = await requestLocale;
  const locale = hasLocale(routing.locales, requested) ? requested : routing.defaultLocale;
  // The admin dashboard keeps its own catalog so the two parts of the UI can change independently.
  const [app, admin] = await Promise.all([import(`../../messages/${locale}.json`), import(`../../messages/admin/${locale}.json`)]);
  return { locale, messages: { ...app.default, ...admin.default } };
});
