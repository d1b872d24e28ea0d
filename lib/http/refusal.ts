import 'server-only';
import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { PROBLEM_CONTENT_TYPE, problemType } from './problem';
import { serverSecurityHeaders } from './server-security-headers';

/**
 * Answers for requests refused before any route runs (lib/json-api/request-gate.ts, and the HTTP parser's own
 * errors in server.ts): problem+json under /api, a small localized page elsewhere. Written with node:http
 * directly so a refusal costs no trip through Next.
 */

export type Refusal = { status: number; code: string; detail: string; allow?: readonly string[] };

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  413: 'Content Too Large',
  414: 'URI Too Long',
  431: 'Request Header Fields Too Large',
  501: 'Not Implemented',
};

const PAGE_TEXT = {
  fa: { dir: 'rtl', text: 'این نشانی یا درخواست معتبر نیست.', home: 'بازگشت به صفحهٔ اصلی' },
  en: { dir: 'ltr', text: 'This address or request is not valid.', home: 'Back to the home page' },
  ar: { dir: 'rtl', text: 'هذا العنوان أو الطلب غير صالح.', home: 'العودة إلى الصفحة الرئيسية' },
} as const;

type Locale = keyof typeof PAGE_TEXT;

function problemBody(r: Refusal, instance: string | undefined): string {
  return JSON.stringify({
    type: problemType(r.code),
    title: TITLES[r.status] ?? 'Error',
    status: r.status,
    code: r.code,
    detail: r.detail,
    ...(instance !== undefined && { instance }),
  });
}

function pageBody(r: Refusal, locale: Locale): string {
  const t = PAGE_TEXT[locale];
  return `<!doctype html><html lang="${locale}" dir="${t.dir}"><head><meta charset="utf-8"><meta name="robots" content="noindex"><title>${r.status} ${TITLES[r.status] ?? ''}</title></head><body><main><h1>${r.status}</h1><p>${t.text}</p><p><a href="/${locale}">${t.home}</a></p></main></body></html>`;
}

/** The locale a page refusal is written in: the path's first segment when it names one, else the default. */
export function refusalLocale(path: string): Locale {
  const first = /^\/(fa|en|ar)(?:[/?]|$)/.exec(path)?.[1];
  return (first as Locale | undefined) ?? 'fa';
}

function contentOf(r: Refusal, as: 'api' | Locale, instance?: string): { type: string; body: string } {
  return as === 'api'
    ? { type: PROBLEM_CONTENT_TYPE, body: problemBody(r, instance) }
    : { type: 'text/html; charset=utf-8', body: pageBody(r, as) };
}

/** Writes a refusal on a parsed request. `instance` is echoed only when it is short and clean. */
export function sendRefusal(res: ServerResponse, r: Refusal, as: 'api' | Locale, opts: { instance?: string; head?: boolean } = {}): void {
  const instance = opts.instance && opts.instance.length <= 256 && /^[\x21-\x7e]+$/.test(opts.instance) ? opts.instance : undefined;
  const { type, body } = contentOf(r, as, instance);
  const headers: Record<string, string> = {
    ...serverSecurityHeaders(),
    'Content-Type': type,
    'Content-Length': String(Buffer.byteLength(body)),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  };
  if (r.allow) headers.Allow = r.allow.join(', ');
  res.writeHead(r.status, headers);
  res.end(opts.head ? undefined : body);
}

/**
 * The answer to a request the HTTP parser could not read (Node's 'clientError'): it has no route, so it
 * gets problem+json, and the connection is closed since the stream position is unknown.
 */
export function refuseUnparsed(error: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Duplex, maxUrlBytes: number): void {
  if (!socket.writable || error.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  endWithRefusal(socket, parserRefusal(error, maxUrlBytes));
}

/** CONNECT (Node hands it to a 'connect' listener, or drops the socket): nothing here tunnels. */
export function refuseConnect(socket: Duplex): void {
  endWithRefusal(socket, { status: 501, code: 'method_not_implemented', detail: 'CONNECT is not implemented' });
}

function endWithRefusal(socket: Duplex, r: Refusal): void {
  const { body } = contentOf(r, 'api');
  socket.end(
    `HTTP/1.1 ${r.status} ${TITLES[r.status]}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `Cache-Control: no-store\r\nConnection: close\r\n\r\n${body}`,
  );
}

function parserRefusal(error: NodeJS.ErrnoException & { rawPacket?: Buffer }, maxUrlBytes: number): Refusal {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW': {
      // The parser counts the request line with the headers: a request line that alone is too long is a 414.
      const raw = error.rawPacket;
      const lineEnd = raw ? raw.indexOf('\r\n') : -1;
      return lineEnd < 0 || lineEnd > maxUrlBytes
        ? { status: 414, code: 'uri_too_long', detail: `The request target is longer than ${maxUrlBytes} bytes` }
        : { status: 431, code: 'headers_too_large', detail: 'The request headers are too large' };
    }
    case 'HPE_INVALID_METHOD':
      return { status: 501, code: 'method_not_implemented', detail: 'This method is not implemented' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
    case 'HPE_HEADERS_TIMEOUT':
      return { status: 408, code: 'request_timeout', detail: 'The request took too long to arrive' };
    default:
      return { status: 400, code: 'malformed_request', detail: 'The request could not be parsed' };
  }
}
