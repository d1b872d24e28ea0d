import 'server-only';
import { sql } from 'drizzle-orm';
import { getConfig } from '@/lib/config';
import type { Db } from '@/lib/db/client';
import { queryRows } from '@/lib/db/rows';
import { TooManyRequestsError } from '@/lib/errors';
import { hmacHex } from './crypto-utils';

export type LoginRateLimiterOptions = {
  /** Attempts per (address, email) within the window. */
  maxPerPair?: number;
  /** Attempts per email from any address (a botnet guessing one account). */
  maxPerEmail?: number;
  /** Attempts per address over all emails (credential stuffing). */
  maxPerAddress?: number;
  windowSeconds?: number;
  /** Keys the HMACs so the table does not reveal who tried to sign in, nor from where. */
  secret?: string;
};

export type LoginRateLimiter = {
  /**
   * Takes one attempt from every counter BEFORE the password is checked, in one statement (atomic per
   * counter): of N parallel attempts only those within the limits get to the password check. Throws
   * TooManyRequestsError (429 + Retry-After) when a counter is spent.
   */
  consume(db: Db, address: string, email: string): Promise<void>;
  /** A successful sign-in gives its attempt back, so only failures (and attempts in flight) count. */
  refund(db: Db, address: string, email: string): Promise<void>;
};

/**
 * Counters live in PostgreSQL (table login_limits), not in the cache Redis: that one evicts under memory
 * pressure (allkeys-lru) and forgets on restart, and a forgotten counter is a reset limit. Fixed windows:
 * a counter's window starts at its first attempt.
 */
export function createLoginRateLimiter(opts: LoginRateLimiterOptions = {}): LoginRateLimiter {
  const window = opts.windowSeconds ?? 15 * 60;
  const limits = { pair: opts.maxPerPair ?? 5, email: opts.maxPerEmail ?? 20, addr: opts.maxPerAddress ?? 50 };
  const h = (value: string) => hmacHex(value, opts.secret).slice(0, 32);
  // Sorted, so concurrent statements lock the same rows in the same order (no deadlock).
  const keysOf = (address: string, email: string) => {
    const e = email.trim().toLowerCase();
    return [`addr:${h(address)}`, `email:${h(e)}`, `pair:${h(`${address}\n${e}`)}`];
  };
  const limitOf = (key: string) => limits[key.slice(0, key.indexOf(':')) as keyof typeof limits];

  return {
    async consume(db, address, email) {
      const keys = keysOf(address, email);
      const rows = await queryRows<{ key: string; points: number; seconds_left: number }>(db, sql`
        insert into login_limits (key, points, reset_at)
        values ${sql.join(keys.map((k) => sql`(${k}, 1, now() + make_interval(secs => ${window}))`), sql`, `)}
        on conflict (key) do update set
          points = case when login_limits.reset_at <= now() then 1 else login_limits.points + 1 end,
          reset_at = case when login_limits.reset_at <= now() then excluded.reset_at else login_limits.reset_at end
        returning key, points, extract(epoch from reset_at - now())::float8 as seconds_left`);
      const over = rows.filter((r) => Number(r.points) > limitOf(r.key));
      if (Math.random() < 0.01) await db.execute(sql`delete from login_limits where reset_at < now() - interval '1 day'`);
      if (over.length > 0) {
        const wait = Math.max(...over.map((r) => Number(r.seconds_left)));
        throw new TooManyRequestsError('Too many sign-in attempts; try again later', Math.max(1, Math.ceil(wait)));
      }
    },
    async refund(db, address, email) {
      const keys = keysOf(address, email);
      await db.execute(sql`update login_limits set points = greatest(points - 1, 0) where key in (${sql.join(keys, sql`, `)}) and reset_at > now()`);
    },
  };
}

const holder = globalThis as typeof globalThis & { __mizajLoginLimiter?: LoginRateLimiter };

export function getLoginRateLimiter(): LoginRateLimiter {
  holder.__mizajLoginLimiter ??= createLoginRateLimiter({ secret: getConfig().SESSION_SECRET });
  return holder.__mizajLoginLimiter;
}
