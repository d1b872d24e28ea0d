import 'server-only';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { getConfig } from '@/lib/config';
import { CLIENT_ADDRESS_HEADER, clientAddress } from './client-address';

/** Next's own Vary entries for its router (RSC payloads): meaningless on JSON, and they differ from a hit's. */
const ROUTER_VARY = /^(?:rsc|next-router-[a-z-]+|next-url)$/i;

/**
 * What server.ts does to every request before the fast path or Next sees it: the client address from the
 * socket (and trusted proxies only) replaces anything a client sent in its place; API and /metrics answers lose Next's
 * router Vary entries, so a MISS carries the same Vary as a HIT.
 */
export function prepareIncoming(req: IncomingMessage, res: ServerResponse): void {
  req.headers[CLIENT_ADDRESS_HEADER] = clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], getConfig().TRUSTED_PROXIES);
  if (!req.url || !/^\/(?:api\/|metrics(?:[/?]|$))/.test(req.url)) return;
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
