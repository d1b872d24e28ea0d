import { BlockList, isIP } from 'node:net';

/** TRUSTED_PROXIES, parsed with the rest of the environment; lib/http/client-address.ts walks X-Forwarded-For with it. */
export type TrustedProxies = { list: BlockList; text: string };

/** "10.0.0.0/8, 192.168.1.4, fd00::/8" → a BlockList; throws naming the first bad entry. */
export function parseCidrList(text: string): TrustedProxies {
  const list = new BlockList();
  for (const raw of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [addr, bits, extra] = raw.split('/');
    const family = isIP(addr ?? '');
    const max = family === 4 ? 32 : 128;
    const prefix = bits === undefined ? max : /^\d{1,3}$/.test(bits) ? Number(bits) : NaN;
    if (!family || extra !== undefined || !(prefix >= 0 && prefix <= max)) {
      throw new Error(`must be a comma list of addresses or CIDR ranges (e.g. 10.0.0.0/8, ::1); "${raw}" is not one`);
    }
    list.addSubnet(addr!, prefix, family === 4 ? 'ipv4' : 'ipv6');
  }
  return { list, text };
}
