import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '@/lib/config';

describe('parseConfig', () => {
  it('runs on embedded defaults with an empty environment', () => {
    const c = parseConfig({});
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.REDIS_URL).toBeUndefined();
    expect(c.CACHE_ENABLED).toBe(true);
    expect(c.CACHE_PREFIX).toBe('mizaj');
    expect(c.categoryTtl).toEqual({});
  });

  it('treats empty strings as unset', () => {
    expect(parseConfig({ REDIS_URL: '', DATABASE_URL: '' }).REDIS_URL).toBeUndefined();
  });

  it.each([
    [{ DATABASE_URL: 'mysql://x' }, /^Invalid environment: DATABASE_URL must be a URL starting with postgres:/],
    [{ REDIS_URL: 'not a url' }, /^Invalid environment: REDIS_URL must be one of redis:\/\//],
    [{ CACHE_ENABLED: 'maybe' }, /^Invalid environment: CACHE_ENABLED must be true or false$/],
    [{ REDIS_CACHE_TTL: '-5' }, /^Invalid environment: REDIS_CACHE_TTL must be > 0$/],
    [{ CACHE_TTL_PREDICTIONS: 'soon' }, /^Invalid environment: CACHE_TTL_PREDICTIONS must be a number of seconds$/],
    [{ CACHE_PREFIX: 'a b*' }, /^Invalid environment: CACHE_PREFIX must be 1-32 letters/],
    [{ SESSION_SECRET: 'short' }, /^Invalid environment: SESSION_SECRET must be at least 32 characters$/],
    [{ NODE_ENV: 'production' }, /^Invalid environment: SESSION_SECRET must be set in production/],
  ])('refuses %o with one line naming the variable', (env, message) => {
    expect(() => parseConfig(env)).toThrowError(ConfigError);
    expect(() => parseConfig(env)).toThrowError(message);
  });

  it.each([
    'redis://127.0.0.1:6379',
    'redis://:s3cret@redis:6379/2',
    'redis://default:s3cret@[::1]:6380',
    'rediss://cache.example.com:6380',
    'redis+cluster://127.0.0.1:7101,127.0.0.1:7102,127.0.0.1:7103',
    'redis+cluster://:pw@10.0.0.1:7101,10.0.0.2:7101',
    'rediss+cluster://user:p%40ss@a.example:7101,b.example:7101',
    'redis+sentinel://10.0.0.1:26379,10.0.0.2:26379/mymaster',
    'redis+sentinel://:pw@s1:26379,s2:26379/mymaster/3',
    'rediss+sentinel://s1:26379/mymaster',
  ])('accepts the documented REDIS_URL form %s', (REDIS_URL) => {
    expect(parseConfig({ REDIS_URL }).REDIS_URL).toBe(REDIS_URL);
  });

  it.each([
    ['http://127.0.0.1:6379', /must be one of/],
    ['redis://a:1,b:2', /several hosts: use redis\+cluster/],
    ['redis+sentinel://s1:26379', /master name/],
    ['redis+cluster://a:1,b:2/0', /cannot select a database in Cluster/],
    ['redis+cluster://a:99999', /bad host/],
    ['redis://h:6379/x', /bad database number/],
    ['redis+mesh://a:1', /must be one of/],
  ])('refuses REDIS_URL %s with one clear line', (REDIS_URL, message) => {
    expect(() => parseConfig({ REDIS_URL })).toThrowError(ConfigError);
    expect(() => parseConfig({ REDIS_URL })).toThrowError(message);
    expect(() => parseConfig({ REDIS_URL })).toThrowError(/^Invalid environment: REDIS_URL [^\n]+$/);
  });

  it('reads per-category TTL overrides', () => {
    const c = parseConfig({ CACHE_TTL_PREDICTIONS: '600', CACHE_TTL_ANALYTICS: '60', CACHE_WARM_ON_STARTUP: 'true' });
    expect(c.categoryTtl).toEqual({ predictions: 600, analytics: 60 });
    expect(c.CACHE_WARM_ON_STARTUP).toBe(true);
  });
});
