import 'server-only';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { getConfig } from '@/lib/config';
import { CLIENT_ADDRESS_HEADER, clientAddress } from './client-address';
import { serverSecurityHeaderPairs } from './server-security-headers';
import { offerStoredGzip, STORED_GZIP_MARK } from './stored-gzip';
import { WAIT_DEADLINE_HEADER } from './wait-deadline';

/** Next's own Vary entries for its router (RSC payloads): meaningless on JSON, and they differ from a hit's. */
const ROUTER_VARY = /^(?:rsc|next-router-[a-z-]+|next-url)$/i;
const NOT_A_PAGE = /^\/(?:api\/|metrics(?:[/?]|$))/;

/**
 * What server.ts does to every request before the fast path or Next sees it: the client address from the
 * socket (and trusted proxies only) replaces anything a client sent in its place, and what only server.ts may
 * say to the route handlers is dropped: a wait deadline (lib/http/wait-deadline.ts), the stored gzip mark
 * (lib/http/stored-gzip.ts).
 */
export function prepareIncoming(req: IncomingMessage): void {
  delete req.headers[WAIT_DEADLINE_HEADER];
  delete req.headers[STORED_GZIP_MARK];
  req.headers[CLIENT_ADDRESS_HEADER] = clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], getConfig().TRUSTED_PROXIES);
}

/**
 * What server.ts does to an API or /metrics request it hands to Next: the security headers are set here
 * rather than in proxy.ts, which would build a NextRequest and run the middleware per request for headers
 * that never change; and the answer loses Next's router Vary entries, so a MISS carries the same Vary as a
 * HIT. Pages keep proxy.ts (their CSP nonce, the locale).
 */
export function prepareForNext(req: IncomingMessage, res: ServerResponse): void {
  if (!req.url || !NOT_A_PAGE.test(req.url)) return;
  // A write's answer is a few hundred bytes of JSON, yet Next opens a gzip stream for each: a visible share of
  // the server's CPU in a profile of bench:load's mix (BENCH_LOAD_PROFILE), with 2 % writes. Sent as is.
  if (req.method !== 'GET' && req.method !== 'HEAD') delete req.headers['accept-encoding'];
  else offerStoredGzip(req, res);
  const pairs = serverSecurityHeaderPairs();
  for (let i = 0; i < pairs.length; i += 2) res.setHeader(pairs[i]!, pairs[i + 1]!);
  const writeHead = res.writeHead;
  res.writeHead = function (this: ServerResponse, ...args: Parameters<ServerResponse['writeHead']>) {
    const vary = this.getHeader('vary');
    if (vary !== undefined) {
      const kept = String(vary).split(',').map((v) => v.trim()).filter((v) => v && !ROUTER_VARY.test(v));
      if (kept.length) this.setHeader('vary', [...new Set(kept)].join(', '));
      else this.removeHeader('vary');
    }
    return writeHead.apply(this, args);
  } as ServerResponse['writeHead'];
}
