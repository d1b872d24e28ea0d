import { describe, expect, it, vi } from 'vitest';

/**
 * Next loads lib/ more than once in one server process (instrumentation, route handlers, the fast-path
 * server). Objects made by one copy must be recognised by the other: two module copies are made here with
 * vi.resetModules().
 */
describe('values crossing module copies', () => {
  it('errors keep their class identity', async () => {
    const a = await import('@/lib/errors');
    vi.resetModules();
    const b = await import('@/lib/errors');
    expect(a.AppError).not.toBe(b.AppError);
    const err = new a.ServiceUnavailableError('redis down');
    expect(err instanceof b.AppError).toBe(true);
    expect(err instanceof b.ServiceUnavailableError).toBe(true);
    expect(err instanceof b.NotFoundError).toBe(false);
    expect(new Error('plain') instanceof b.AppError).toBe(false);
    const { toProblem } = await import('@/lib/http/problem');
    expect(toProblem(err).status).toBe(503);
  });

  it('a pre-rendered cache value is stored raw by another copy of the cache', async () => {
    const a = await import('@/lib/cache/codec');
    vi.resetModules();
    const b = await import('@/lib/cache/codec');
    expect(a.RawValue).not.toBe(b.RawValue);
    const encoded = b.encodeValue(new a.RawValue('{"x":1}', { etag: '"e"' }));
    expect(encoded.enc).toBe('r');
  });
});
