import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { NotFoundError } from '@/lib/errors';
import { createLogger, errorFields, scrub } from '@/lib/log';

/** What a log line really carries (the serialized JSON), never SQL parameters, bodies, emails or tokens. */
function capture() {
  const lines: string[] = [];
  const destination = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
  return { logger: createLogger({ level: 'info', destination: destination as never }), lines };
}

// What drizzle throws when a query fails: the SQL and every parameter in the message.
function failedQuery() {
  const cause = Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: '22021', name: 'PostgresError' });
  const e = new Error('Failed query: insert into "feedback" ("comment", "side_effects") values ($1, $2)\nparams: Maryam Tehrani feels dizzy,maryam@example.org', { cause });
  e.name = 'DrizzleQueryError';
  return e;
}

describe('log lines', () => {
  it('an error line carries request id, route, class and code, never the query parameters', () => {
    const { logger, lines } = capture();
    logger.error({ err: failedQuery(), requestId: 'r-1', route: '/api/feedback/submit' }, 'request failed');
    const line = lines.join('');
    expect(JSON.parse(line)).toMatchObject({ requestId: 'r-1', route: '/api/feedback/submit', err: { class: 'DrizzleQueryError', cause: { class: 'PostgresError', code: '22021' } } });
    expect(line).not.toMatch(/Maryam|maryam@|dizzy|params/);
  });

  it('redacts bodies, emails and credentials wherever they appear', () => {
    const { logger, lines } = capture();
    logger.warn(
      {
        body: { comment: 'Reza Ahmadi' },
        user: { email: 'reza@example.org', password: 'hunter2' },
        headers: { authorization: 'Bearer mz_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG' },
        note: 'sent by reza@example.org with Bearer mz_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
        err: 'Failed query: select 1\nparams: Reza Ahmadi',
      },
      'something',
    );
    const line = lines.join('');
    expect(line).not.toMatch(/Reza|reza@|hunter2|mz_abc/);
    expect(line).toContain('something');
  });

  it('keeps the message of our own errors and of known infrastructure errors', () => {
    expect(errorFields(new NotFoundError('Recommendation', 7)).message).toMatch(/Recommendation/);
    expect(errorFields(new Error('Command timed out')).message).toBe('Command timed out');
    expect(errorFields(new SyntaxError('Unexpected token "Reza" in JSON')).message).toBeUndefined();
    expect(scrub('a@b.org and mizaj_session=abc123')).toBe('[email] and [secret]');
  });
});
