import 'server-only';
import { z } from 'zod';
import { parseCidrList } from './config/cidr';
import { parseEncryptionKeys } from './config/encryption-keys';
import { parseRedisUrl } from './config/redis-url';
import { CATEGORY_NAMES, type CategoryName } from './config/cache-categories';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const seconds = z.coerce.number({ message: 'must be a number of seconds' }).int('must be a whole number of seconds').positive('must be > 0');

const url = (protocols: string[]) =>
  z.string().refine((v) => {
    try {
      return protocols.includes(new URL(v).protocol);
    } catch {
      return false;
    }
  }, `must be a URL starting with ${protocols.map((p) => p + '//').join(' or ')}`);

/** Per-category TTL overrides, one per category of the app's table: CACHE_TTL_PREDICTIONS=3600 etc. */
const CATEGORY_TTL_VARS = CATEGORY_NAMES.map((c) => [c, `CACHE_TTL_${c.toUpperCase()}`] as const);

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  DATABASE_URL: url(['postgres:', 'postgresql:']).optional(),
  PGLITE_DIR: z.string().min(1).default('.data/pglite'),
  REDIS_URL: z
    .string()
    .superRefine((v, ctx) => {
      try {
        parseRedisUrl(v);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
      }
    })
    .optional(),
  REDIS_PASSWORD: z.string().min(1).optional(),
  /** Overrides every category's TTL when set (the seed's single knob). */
  REDIS_CACHE_TTL: seconds.optional(),
  CACHE_ENABLED: bool.default(true),
  CACHE_WARM_ON_STARTUP: bool.default(false),
  /** Redis commands slower than this count as failures (the request computes instead of waiting). */
  CACHE_COMMAND_TIMEOUT_MS: z.coerce.number({ message: 'must be a number of milliseconds' }).int('must be a whole number of milliseconds').min(10, 'must be at least 10').max(60_000, 'must be at most 60000').default(200),
  CACHE_MAX_SIZE_MB: z.coerce.number({ message: 'must be a number of megabytes' }).positive('must be > 0').default(64),
  /** Largest encoded entry cached; bigger values are returned but not cached (counted as oversize, logged hourly per key). */
  CACHE_MAX_ENTRY_BYTES: z.coerce.number({ message: 'must be a number of bytes' }).int('must be a whole number of bytes').min(1_024, 'must be at least 1024').max(64 * 1024 * 1024, 'must be at most 67108864').default(1024 * 1024),
  CACHE_PREFIX: z
    .string()
    .regex(/^[a-z0-9_-]{1,32}$/i, 'must be 1-32 letters, digits, - or _')
    .default('mizaj'),
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** Where clients reach this deployment: the OpenAPI document's `servers` URL (no trailing slash); https turns on HSTS. */
  PUBLIC_URL: url(['http:', 'https:'])
    .refine((v) => { const u = new URL(v); return !u.search && !u.hash && !u.username; }, 'must be a plain http(s) URL without query, fragment or credentials')
    .transform((v) => v.replace(/\/+$/, ''))
    .default('http://localhost:3000'),
  /** Proxies whose X-Forwarded-For is believed (CIDR list); unset: the socket's address is the client. */
  TRUSTED_PROXIES: z
    .string()
    .transform((v, ctx) => {
      try {
        return parseCidrList(v);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    })
    .optional(),
  /** Bearer token for GET /metrics; unset: /metrics answers 404 (nothing public). */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** AES-256-GCM keys for cached patient data: comma list of 32-byte base64 keys, the first encrypts. */
  CACHE_ENCRYPTION_KEYS: z
    .string()
    .transform((v, ctx) => {
      try {
        return parseEncryptionKeys(v);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    })
    .optional(),
  ...Object.fromEntries(CATEGORY_TTL_VARS.map(([, v]) => [v, seconds.optional()])),
});

export type Config = z.infer<typeof schema> & {
  categoryTtl: Partial<Record<CategoryName, number>>;
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parse an environment; throws ConfigError with one line naming the variable and what is wrong. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  // Treat empty strings as unset, as shells and compose files often export VAR= .
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new ConfigError(`Invalid environment: ${issue.path.join('.')} ${issue.message}`);
  }
  const data = result.data as z.infer<typeof schema> & Record<string, unknown>;
  if (data.NODE_ENV === 'production' && !data.SESSION_SECRET) {
    throw new ConfigError('Invalid environment: SESSION_SECRET must be set in production (at least 32 characters)');
  }
  if (data.NODE_ENV === 'production' && !data.CACHE_ENCRYPTION_KEYS) {
    throw new ConfigError('Invalid environment: CACHE_ENCRYPTION_KEYS must be set in production (cached patient data is encrypted; make one with: openssl rand -base64 32)');
  }
  const categoryTtl: Config['categoryTtl'] = {};
  for (const [c, name] of CATEGORY_TTL_VARS) {
    const v = data[name];
    if (typeof v === 'number') categoryTtl[c] = v;
  }
  return { ...data, categoryTtl };
}

let cached: Config | undefined;

/** The process's configuration, parsed once. */
export function getConfig(): Config {
  cached ??= parseConfig(process.env);
  return cached;
}
