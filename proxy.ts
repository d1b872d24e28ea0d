import createMiddleware from 'next-intl/middleware';
import { NextResponse, type NextRequest } from 'next/server';
import { isHttps, newNonce, nonPageSecurityHeaders, pageSecurityHeaders } from './lib/http/security-headers';
import { routing } from './lib/i18n/routing';

const intl = createMiddleware(routing);
const MAX_LINK_HEADER = 2_048;
// PUBLIC_URL is validated at start-up (lib/config.ts); read directly so this file stays free of server-only code.
const security = { https: isHttps(process.env.PUBLIC_URL), dev: process.env.NODE_ENV === 'development' };

/** Next internals and files: not localized, no page CSP. */
const NOT_A_PAGE = /^\/(?:_next|_vercel)(?:\/|$)|\.[^/]*$/;

/**
 * Every answer Next gives gets the security headers (lib/http/security-headers.ts); pages get a fresh CSP
 * nonce, handed to Next on the request so it marks its own scripts with it.
 */
export default function proxy(request: NextRequest) {
  if (NOT_A_PAGE.test(request.nextUrl.pathname)) return withHeaders(NextResponse.next(), nonPageSecurityHeaders(security));
  const headers = pageSecurityHeaders({ ...security, nonce: newNonce() });
  // next-intl copies the request headers into the request it forwards.
  request.headers.set('content-security-policy', headers['Content-Security-Policy']!);
  const response = withHeaders(intl(request), headers);
  // next-intl's Link header names the path once per locale plus x-default: four copies of a long URL would
  // make the response headers several times the request's. Alternates only matter for real, short paths.
  const link = response.headers.get('link');
  if (link && link.length > MAX_LINK_HEADER) response.headers.delete('link');
  return response;
}

function withHeaders(response: NextResponse, headers: Record<string, string>): NextResponse {
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return response;
}

export const config = {
  // Static build files are immutable and served before the proxy would run anyway. The JSON API and
  // /metrics get their security headers from server.ts (lib/http/incoming.ts): a proxy run per API
  // request cost as much as the route handler itself.
  matcher: '/((?!_next/static|_next/image|api/|metrics).*)',
};
