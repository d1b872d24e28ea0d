import { describe, expect, it } from 'vitest';
import { clientAddress, parseCidrList } from '@/lib/http/client-address';
import { clientIp } from '@/lib/http/client-address';
import { parseConfig } from '@/lib/config';

describe('client address', () => {
  const proxies = parseCidrList('10.0.0.0/8, ::1, fd00::/8');

  it('is the socket address unless the socket is a trusted proxy: a client cannot choose it with X-Forwarded-For', () => {
    expect(clientAddress('203.0.113.7', '1.2.3.4', undefined)).toBe('203.0.113.7');
    expect(clientAddress('203.0.113.7', '1.2.3.4', proxies)).toBe('203.0.113.7');
    expect(clientAddress('::ffff:203.0.113.7', undefined, proxies)).toBe('203.0.113.7');
  });

  it('walks X-Forwarded-For from the right through trusted hops only', () => {
    // client 198.51.100.9 → our proxy 10.0.0.5 → app; the client's own header value is ignored.
    expect(clientAddress('10.0.0.5', '6.6.6.6, 198.51.100.9', proxies)).toBe('198.51.100.9');
    expect(clientAddress('10.0.0.5', ['6.6.6.6, 198.51.100.9', '10.1.1.1'], proxies)).toBe('198.51.100.9');
    expect(clientAddress('::1', 'garbage', proxies)).toBe('::1');
    expect(clientAddress('10.0.0.5', '10.0.0.6, 10.0.0.7', proxies)).toBe('10.0.0.6');
  });

  it('rate limits read only the address server.ts set, never X-Forwarded-For or X-Real-IP', () => {
    expect(clientIp(new Headers({ 'x-forwarded-for': '6.6.6.6', 'x-real-ip': '7.7.7.7' }))).toBe('unknown');
    expect(clientIp(new Headers({ 'x-mizaj-client-address': '198.51.100.9' }))).toBe('198.51.100.9');
  });

  it('TRUSTED_PROXIES is validated at start-up', () => {
    expect(parseConfig({ TRUSTED_PROXIES: '10.0.0.0/8,192.168.1.1' }).TRUSTED_PROXIES?.text).toBe('10.0.0.0/8,192.168.1.1');
    expect(() => parseConfig({ TRUSTED_PROXIES: '10.0.0.0/33' })).toThrow(/^Invalid environment: TRUSTED_PROXIES must be a comma list of addresses or CIDR ranges.*"10\.0\.0\.0\/33"/);
    expect(() => parseConfig({ TRUSTED_PROXIES: 'proxy.local' })).toThrow(/TRUSTED_PROXIES/);
  });
});
