import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { ConflictError, ForbiddenError, NotFoundError, ServiceUnavailableError, TooManyRequestsError, UnauthorizedError, ValidationError } from '@/lib/errors';
import { MalformedBodyError, MethodNotAllowedError, PayloadTooLargeError, UnsupportedMediaTypeError } from '@/lib/http/http-errors';
import { httpLog } from '@/lib/http/log';
import { problemType, toProblem } from '@/lib/http/problem';
import { isDatabaseUnavailable } from '@/lib/http/db-unavailable';

async function read(res: Response) {
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  expect(res.headers.get('cache-control')).toBe('no-store');
  return (await res.json()) as Record<string, unknown>;
}

describe('toProblem', () => {
  it.each([
    [new NotFoundError('Recommendation', 7), 404, 'not_found', 'Recommendation 7 was not found'],
    [new ConflictError('dup'), 409, 'conflict', 'dup'],
    [new UnauthorizedError(), 401, 'unauthorized', 'Authentication required'],
    [new ForbiddenError(), 403, 'forbidden', 'Not allowed for this role'],
    [new MalformedBodyError(), 400, 'malformed_body', 'The request body is not valid JSON'],
    [new PayloadTooLargeError(1024), 413, 'payload_too_large', 'The request body is larger than 1024 bytes'],
    [new UnsupportedMediaTypeError('text/plain'), 415, 'unsupported_media_type', 'Content-Type text/plain is not supported; send application/json'],
  ])('maps %s', async (error, status, code, detail) => {
    const res = toProblem(error, { instance: '/api/x' });
    expect(res.status).toBe(status);
    const body = await read(res);
    expect(body).toEqual({ type: problemType(code), title: expect.any(String), status, code, detail, instance: '/api/x' });
  });

  it('names the scheme on 401', () => {
    expect(toProblem(new UnauthorizedError()).headers.get('www-authenticate')).toBe('Bearer realm="mizaj"');
  });

  it('keeps field issues of a ValidationError', async () => {
    const body = await read(toProblem(new ValidationError('Invalid body', [{ path: 'body.rating', message: 'Too big' }])));
    expect(body.status).toBe(400);
    expect(body.errors).toEqual([{ path: 'body.rating', message: 'Too big' }]);
  });

  it('turns a ZodError into per-field details, one per unrecognised key', async () => {
    const schema = z.strictObject({ rating: z.number().int().max(5), nested: z.object({ x: z.string() }) });
    const r = schema.safeParse({ rating: 9, nested: { x: 1 }, extra: true });
    const body = await read(toProblem(r.error));
    expect(body.status).toBe(400);
    expect(body.errors).toEqual(
      expect.arrayContaining([
        { path: 'rating', message: expect.any(String) },
        { path: 'nested.x', message: expect.any(String) },
        { path: 'extra', message: 'Unrecognized field' },
      ]),
    );
  });

  it('sends Retry-After for 429 and 503, Allow for 405', () => {
    expect(toProblem(new TooManyRequestsError('slow down', 61.2)).headers.get('retry-after')).toBe('62');
    expect(toProblem(new ServiceUnavailableError('down', 5)).headers.get('retry-after')).toBe('5');
    const r405 = toProblem(new MethodNotAllowedError('DELETE', ['GET', 'HEAD']));
    expect(r405.status).toBe(405);
    expect(r405.headers.get('allow')).toBe('GET, HEAD');
  });

  it('maps database connection failures (raw, wrapped by drizzle, aggregated) to 503 with Retry-After', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const cases = [
      refused,
      new Error('Failed query: select 1', { cause: refused }),
      new AggregateError([refused], 'all addresses failed'),
      Object.assign(new Error('write CONNECTION_CLOSED'), { code: 'CONNECTION_CLOSED' }),
      Object.assign(new Error('the database system is starting up'), { code: '57P03' }),
      Object.assign(new Error('connection failure'), { code: '08006' }),
    ];
    for (const e of cases) {
      expect(isDatabaseUnavailable(e)).toBe(true);
      const res = toProblem(e);
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      const body = await read(res);
      expect(String(body.detail)).not.toContain('127.0.0.1');
    }
    expect(isDatabaseUnavailable(Object.assign(new Error('unique'), { code: '23505' }))).toBe(false);
  });

  it('hides unknown errors behind a 500 and logs them exactly once', async () => {
    const spy = vi.spyOn(httpLog, 'error');
    const res = toProblem(new TypeError('secret internals at /srv/app/lib/x.ts'), { instance: '/api/y', requestId: 'r1' });
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toMatch(/secret|internals|\/srv|TypeError|stack/);
    expect(JSON.parse(text)).toMatchObject({ status: 500, code: 'internal_error', detail: 'An unexpected error occurred' });
    expect(spy).toHaveBeenCalledTimes(1);
    expect(spy.mock.calls[0]![0]).toMatchObject({ requestId: 'r1', err: expect.any(TypeError) });
    spy.mockRestore();
  });

  it('handles non-Error throwables', async () => {
    expect(toProblem('a string').status).toBe(500);
    expect(toProblem(undefined).status).toBe(500);
    expect(toProblem({ weird: true }).status).toBe(500);
  });
});
