/**
 * The security headers of every answer, in one place: proxy.ts sends them with Next's pages (a CSP with a
 * per-request nonce) and files, server.ts with every API and /metrics answer (lib/http/incoming.ts for Next's,
 * the fast path for its own). No 'server-only' here: proxy.ts imports it too.
 */

export type SecurityOptions = {
  /** PUBLIC_URL is https: add HSTS and upgrade-insecure-requests. */
  https: boolean;
  /** `next dev` needs eval (React's debugging) and a websocket (HMR). */
  dev?: boolean;
};

const COMMON: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  // Patient ids sit in page URLs: never send them to another site.
  'Referrer-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
  'Cross-Origin-Opener-Policy': 'same-origin',
  // frame-ancestors 'none' in the CSP is the modern form; X-Frame-Options covers older browsers.
  'X-Frame-Options': 'DENY',
};

const HSTS = { 'Strict-Transport-Security': 'max-age=31536000; includeSubDomains' };

/** JSON, metrics and files: nothing in them may run, load or be framed. */
const NON_PAGE_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

export function nonPageSecurityHeaders(o: SecurityOptions): Record<string, string> {
  return { ...COMMON, 'Content-Security-Policy': NON_PAGE_CSP, ...(o.https && HSTS) };
}

/**
 * Pages: scripts only with this request's nonce (Next puts it on its own scripts when it finds it in the
 * request's CSP header) and what they load ('strict-dynamic'). Styles allow inline: charts set style
 * attributes, which nonces cannot cover, and styles cannot run code.
 */
export function pageSecurityHeaders(o: SecurityOptions & { nonce: string }): Record<string, string> {
  const csp = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${o.nonce}' 'strict-dynamic'${o.dev ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self'${o.dev ? ' ws:' : ''}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(o.https ? ['upgrade-insecure-requests'] : []),
  ].join('; ');
  return { ...COMMON, 'Content-Security-Policy': csp, ...(o.https && HSTS) };
}

/** 128 random bits, base64: unguessable per request. */
export function newNonce(): string {
  return btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
}

export const isHttps = (publicUrl: string | undefined) => !!publicUrl && publicUrl.startsWith('https:');
