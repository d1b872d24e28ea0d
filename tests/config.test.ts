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
    [{ REDIS_URL: 'not a url' }, /^Invalid environment: REDIS_URL must be a URL/],
    [{ CACHE_ENABLED: 'maybe' }, /^Invalid environment: CACHE_ENABLED must be true or false$/],
    [{ REDIS_CACHE_TTL: '-5' }, /^Invalid environment: REDIS_CACHE_TTL must be > 0$/],
    [{ CACHE_TTL_PREDICTIONS: 'soon' }, /^Invalid environment: CACHE_TTL_PREDICTIONS must be a number of seconds$/],
    [{ CACHE_PREFIX: 'a b*' }, /^Invalid environment: CACHE_PREFIX must be 1-32 letters/],
    [{ SESSION_SECRET: 'short' }, /^Invalid environment: SESSION_SECRET must be at least 32 characters$/],
    [{ NODE_ENV: 'production' }, /^Invalid environment: SESSION_SECRET must be set in production/],
    [{ PUBLIC_URL: 'ftp://mizaj.example' }, /^Invalid environment: PUBLIC_URL must be a URL starting with http:\/\/ or https:\/\/$/],
    [{ PUBLIC_URL: 'https://mizaj.example/?x=1' }, /^Invalid environment: PUBLIC_URL must be a plain http\(s\) URL/],
  ])('refuses %o with one line naming the variable', (env, message) => {
    expect(() => parseConfig(env)).toThrowError(ConfigError);
    expect(() => parseConfig(env)).toThrowError(message);
  });

  it('takes PUBLIC_URL without its trailing slash, localhost by default', () => {
    expect(parseConfig({ PUBLIC_URL: 'https://api.mizaj.example/' }).PUBLIC_URL).toBe('https://api.mizaj.example');
    expect(parseConfig({}).PUBLIC_URL).toBe('http://localhost:3000');
  });

  it('reads per-category TTL overrides', () => {
    const c = parseConfig({ CACHE_TTL_PREDICTIONS: '600', CACHE_TTL_ANALYTICS: '60', CACHE_WARM_ON_STARTUP: 'true' });
    expect(c.categoryTtl).toEqual({ predictions: 600, analytics: 60 });
    expect(c.CACHE_WARM_ON_STARTUP).toBe(true);
  });
});
