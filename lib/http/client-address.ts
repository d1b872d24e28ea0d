import { isIP } from 'node:net';
import type { TrustedProxies } from '@/lib/config/cidr';

/**
 * Who is on the other end of a request, for rate limits and the audit. The socket's address unless it is
 * one of our own proxies (TRUSTED_PROXIES), in which case X-Forwarded-For is walked from the right and
 * the first hop that is not a trusted proxy is the client: a client can prepend anything to the header,
 * but it cannot make our proxy append someone else's address.
 */

/** The header server.ts sets on every request (overwriting whatever a client sent). */
export const CLIENT_ADDRESS_HEADER = 'x-mizaj-client-address';

/** Parsed by the config (TRUSTED_PROXIES); re-exported where it is used. */
export { parseCidrList, type TrustedProxies } from '@/lib/config/cidr';

/** ::ffff:1.2.3.4 (an IPv4 client on a dual-stack socket) → 1.2.3.4, so v4 ranges match it. */
function normalize(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m ? m[1]! : address;
}

function trusted(address: string, proxies: TrustedProxies | undefined): boolean {
  if (!proxies) return false;
  const family = isIP(address);
  return family !== 0 && proxies.list.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

export function clientAddress(socketAddress: string | undefined, forwardedFor: string | string[] | undefined, proxies: TrustedProxies | undefined): string {
  let address = normalize(socketAddress ?? '') || 'unknown';
  if (!trusted(address, proxies) || forwardedFor === undefined) return address;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor).split(',').map((h) => normalize(h.trim()));
  while (hops.length > 0 && trusted(address, proxies)) {
    const next = hops.pop()!;
    if (!isIP(next)) break; // a malformed hop: stop at the last address we can vouch for
    address = next;
  }
  return address;
}

/**
 * The client address server.ts put on the request (socket address, or X-Forwarded-For from
 * TRUSTED_PROXIES only: clientAddress above). Never a header a client chose: without server.ts
 * (next dev) every request counts as 'unknown', and the per-email limit still holds.
 */
export function clientIp(headers: Headers): string {
  return headers.get(CLIENT_ADDRESS_HEADER) ?? 'unknown';
}
