import type { ServerResponse } from 'node:http';

/** Request headers Next varies its page answers on; an API answer does not depend on them. */
const ROUTER_VARY = new Set(['rsc', 'next-router-state-tree', 'next-router-prefetch', 'next-router-segment-prefetch']);

const isApi = (url: string | undefined) => !!url && /^\/(api|metrics)(\/|\?|$)/.test(url);

/**
 * Next adds its router's request headers to Vary on every app answer, route handlers included, so an API
 * MISS said `Vary: rsc, next-router-state-tree, …` while the fast path's HIT of the same resource did not.
 * For /api and /metrics those tokens are dropped just before the head is written (Next's implicit head
 * goes through writeHead too); pages keep them.
 */
export function dropRouterVary(url: string | undefined, res: ServerResponse): void {
  if (!isApi(url)) return;
  const writeHead = res.writeHead;
  res.writeHead = function (this: ServerResponse, ...args: Parameters<ServerResponse['writeHead']>) {
    const vary = this.getHeader('vary');
    if (vary !== undefined) {
      const kept = String(vary)
        .split(',')
        .map((t) => t.trim())
        .filter((t) => t && !ROUTER_VARY.has(t.toLowerCase()));
      if (kept.length) this.setHeader('Vary', [...new Set(kept)].join(', '));
      else this.removeHeader('vary');
    }
    return writeHead.apply(this, args);
  } as ServerResponse['writeHead'];
}
