import 'server-only';
import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { getConfig } from '@/lib/config';
import { TooManyRequestsError } from '@/lib/http/http-errors';
import { httpLog } from '@/lib/http/log';
import { hmacHex } from './crypto-utils';

export type LoginRateLimiterOptions = {
  /** Shared store across instances; without it the limits are per process. */
  redis?: Redis;
  keyPrefix?: string;
  /** Failed logins allowed per (IP, email) before blocking. */
  maxFailures?: number;
  /** Failed logins allowed per IP over all emails (credential stuffing). */
  maxFailuresPerIp?: number;
  windowSeconds?: number;
  blockSeconds?: number;
  /** Keys the email hash so a leaked Redis dump does not reveal who tried to sign in. */
  secret?: string;
};

export type LoginRateLimiter = {
  /** Throws TooManyRequestsError (429 + Retry-After) while the (IP, email) pair or the IP is blocked. */
  check(ip: string, email: string): Promise<void>;
  fail(ip: string, email: string): Promise<void>;
  /** A successful login clears the pair's failures (the per-IP count stays). */
  succeed(ip: string, email: string): Promise<void>;
  readonly store: 'redis' | 'memory';
};

export function createLoginRateLimiter(opts: LoginRateLimiterOptions = {}): LoginRateLimiter {
  const prefix = opts.keyPrefix ?? 'mizaj:login';
  const duration = opts.windowSeconds ?? 15 * 60;
  const blockDuration = opts.blockSeconds ?? 15 * 60;
  const make = (suffix: string, points: number): RateLimiterAbstract => {
    const base = { keyPrefix: `${prefix}:${suffix}`, points, duration, blockDuration };
    // The memory insurance keeps logins working (per process) while Redis is unreachable.
    return opts.redis
      ? new RateLimiterRedis({ ...base, storeClient: opts.redis, rejectIfRedisNotReady: true, insuranceLimiter: new RateLimiterMemory(base) })
      : new RateLimiterMemory(base);
  };
  const maxFailures = opts.maxFailures ?? 5;
  const maxPerIp = opts.maxFailuresPerIp ?? 50;
  const pair = make('pair', maxFailures);
  const perIp = make('ip', maxPerIp);
  // Never the raw email (nor the password) in a key: an HMAC of the normalised address.
  const pairKey = (ip: string, email: string) => `${ip}:${hmacHex(email.trim().toLowerCase(), opts.secret).slice(0, 32)}`;

  const blocked = (res: RateLimiterRes | null, max: number) => (res && res.consumedPoints >= max ? res : null);

  return {
    store: opts.redis ? 'redis' : 'memory',
    async check(ip, email) {
      const [p, i] = await Promise.all([pair.get(pairKey(ip, email)), perIp.get(ip)]);
      const hit = blocked(p, maxFailures) ?? blocked(i, maxPerIp);
      if (hit) throw new TooManyRequestsError('Too many failed sign-in attempts; try again later', Math.ceil(hit.msBeforeNext / 1000));
    },
    async fail(ip, email) {
      await Promise.all([swallowLimit(pair.consume(pairKey(ip, email))), swallowLimit(perIp.consume(ip))]);
    },
    async succeed(ip, email) {
      await pair.delete(pairKey(ip, email));
    },
  };
}

/** consume() rejects with a RateLimiterRes once over the limit; that is expected here, check() reports it. */
async function swallowLimit(p: Promise<unknown>) {
  try {
    await p;
  } catch (err) {
    if (!(err instanceof RateLimiterRes)) throw err;
  }
}

const holder = globalThis as typeof globalThis & { __mizajLoginLimiter?: LoginRateLimiter };

/** Replace the process limiter (e.g. to share the cache core's Redis client, or Sentinel/Cluster). */
export function configureLoginRateLimiter(limiter: LoginRateLimiter): void {
  holder.__mizajLoginLimiter = limiter;
}

/** The process limiter: Redis-backed when REDIS_URL is a plain redis:// URL, in-memory otherwise. */
export function getLoginRateLimiter(): LoginRateLimiter {
  if (holder.__mizajLoginLimiter) return holder.__mizajLoginLimiter;
  const config = getConfig();
  let redis: Redis | undefined;
  if (config.REDIS_URL && /^rediss?:/.test(config.REDIS_URL)) {
    // No offline queue: when Redis is down, fail fast to the memory insurance instead of queueing logins.
    redis = new Redis(config.REDIS_URL, { password: config.REDIS_PASSWORD, enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000 });
    redis.on('error', () => {}); // state changes are reported by the cache core's health; avoid unhandled-error noise
  } else if (config.REDIS_URL) {
    httpLog.warn('login rate limit uses process memory: call configureLoginRateLimiter() with a Sentinel/Cluster client');
  }
  holder.__mizajLoginLimiter = createLoginRateLimiter({ redis, keyPrefix: `${config.CACHE_PREFIX}:login`, secret: config.SESSION_SECRET });
  return holder.__mizajLoginLimiter;
}

/**
 * The client address for rate limiting: the right-most X-Forwarded-For hop is the one our own proxy
 * (or Next's server) appended, so a client cannot choose it by sending its own header.
 */
export function clientIp(headers: Headers): string {
  const xff = headers.get('x-forwarded-for');
  const last = xff?.split(',').map((s) => s.trim()).filter(Boolean).at(-1);
  return last ?? headers.get('x-real-ip') ?? 'unknown';
}
