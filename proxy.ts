import createMiddleware from 'next-intl/middleware';
import type { NextRequest } from 'next/server';
import { routing } from './lib/i18n/routing';

const intl = createMiddleware(routing);

// next-intl's Link header names the path once per locale plus x-default: four copies of a long URL would
// make the response headers several times the request's. Alternates only matter for real, short paths.
const MAX_LINK_HEADER = 2_048;

export default function proxy(request: NextRequest) {
  const response = intl(request);
  const link = response.headers.get('link');
  if (link && link.length > MAX_LINK_HEADER) response.headers.delete('link');
  return response;
}

export const config = {
  // Pages only: the JSON API, /metrics, Next internals and files are not localized.
  matcher: '/((?!api|metrics|_next|_vercel|.*\\..*).*)',
};
