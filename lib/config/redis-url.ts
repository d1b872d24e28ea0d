/**
 * The REDIS_URL forms Mizaj accepts (docs/cache.md), parsed in one place for the config check and the
 * connection:
 *   redis://[[user]:pw@]host[:port][/db]                       standalone   (rediss:// with TLS)
 *   redis+sentinel://[[user]:pw@]h:p,h:p/master[/db]          Sentinel     (rediss+sentinel:// with TLS)
 *   redis+cluster://[[user]:pw@]h:p,h:p                       Cluster      (rediss+cluster:// with TLS)
 * `new URL()` cannot be used: it refuses several hosts in one authority.
 */
export interface RedisUrl {
  kind: 'standalone' | 'sentinel' | 'cluster';
  tls: boolean;
  username?: string;
  password?: string;
  hosts: { host: string; port: number }[];
  /** Sentinel: the master's name. */
  name?: string;
  db: number;
}

export const REDIS_URL_FORMS =
  'redis://[:pw@]host:port[/db], rediss://…, redis+sentinel://[:pw@]h:p,h:p/master[/db], redis+cluster://[:pw@]h:p,h:p (rediss+… for TLS)';

const SHAPE = /^(rediss?)(?:\+(sentinel|cluster))?:\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^/?#]+)(?:\/([^/?#]*))?(?:\/([^/?#]*))?\/?$/;
const HOST = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+))(?::(\d{1,5}))?$/;

/** Parses a REDIS_URL; throws an Error whose message says what is wrong (one line). */
export function parseRedisUrl(url: string): RedisUrl {
  const m = SHAPE.exec(url.trim());
  if (!m) throw new Error(`must be one of ${REDIS_URL_FORMS}`);
  const [, scheme, variant, user, password, hostList, first, second] = m;
  const kind = variant === 'sentinel' ? 'sentinel' : variant === 'cluster' ? 'cluster' : 'standalone';
  const hosts = hostList!.split(',').map((hp) => {
    const h = HOST.exec(hp.trim());
    const port = h?.[3] === undefined ? 6379 : Number(h[3]);
    if (!h || port < 1 || port > 65_535) throw new Error(`has a bad host "${hp}" (expected host:port)`);
    return { host: h[1] ?? h[2]!, port };
  });
  if (kind === 'standalone' && hosts.length > 1) throw new Error('lists several hosts: use redis+cluster:// or redis+sentinel://');
  const decode = (v: string | undefined) => (v ? decodeURIComponent(v) : undefined);
  const dbText = kind === 'sentinel' ? second : first;
  if (kind === 'sentinel' && !first) throw new Error('needs the master name as its path: redis+sentinel://h:p,h:p/mymaster');
  if (kind === 'cluster' && (first || second)) throw new Error('cannot select a database in Cluster (no path after the hosts)');
  if (kind === 'standalone' && second !== undefined) throw new Error('has an unexpected path (only /db is allowed)');
  if (dbText !== undefined && dbText !== '' && !/^\d{1,2}$/.test(dbText)) throw new Error(`has a bad database number "${dbText}"`);
  return {
    kind,
    tls: scheme === 'rediss',
    ...(decode(user) ? { username: decode(user) } : {}),
    ...(decode(password) ? { password: decode(password) } : {}),
    hosts,
    ...(kind === 'sentinel' ? { name: decodeURIComponent(first!) } : {}),
    db: dbText ? Number(dbText) : 0,
  };
}
