import createMiddleware from 'next-intl/middleware';
import { routing } from './lib/i18n/routing';

export default createMiddleware(routing);

export const config = {
  // Pages only: the JSON API, /metrics, Next internals and files are not localized.
  matcher: '/((?!api|metrics|_next|_vercel|.*\\..*).*)',
};
