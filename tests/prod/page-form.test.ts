import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOG_DIR, problemOf, raw, startProdServer, type ProdServer } from './support';

/**
 * Page POSTs with a multipart body Next's server-action parser cannot read (issue 16's last case): a 400
 * before Next, not a 500 from it with a stack in the log; sound multipart posts still reach Next. The sign-in
 * and feedback e2e specs show real server-action forms still work through the replay.
 */

const TYPE = 'multipart/form-data; boundary=x';
const part = (name: string, value: string) => `--x\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
const BROKEN: Record<string, string> = {
  'no closing boundary': part('a', 'b'),
  'a part without headers': '--x\r\n\r\nvalue\r\n--x--\r\n',
  'no boundary at all': 'just some text',
  'a truncated part head': '--x\r\nContent-Disposition: form-da',
};

describe('page POSTs with a multipart body (production server)', () => {
  let s: ProdServer;
  beforeAll(async () => {
    s = await startProdServer({ name: 'page-form', fastPath: true });
  }, 180_000);
  afterAll(async () => s?.stop());

  it.each(Object.entries(BROKEN))('%s → 400 problem+json', async (_name, body) => {
    const a = await raw(s, 'POST', '/en', { headers: { 'Content-Type': TYPE }, body });
    expect(a.status, a.body.slice(0, 300)).toBe(400);
    expect(problemOf(a)).toMatchObject({ status: 400, code: 'malformed_body' });
    expect(JSON.parse(a.body).detail).toBe('The multipart form body could not be parsed');
  });

  it('a browser form post with a broken body gets the localized page with the 400', async () => {
    const a = await raw(s, 'POST', '/fa/sign-in', { headers: { 'Content-Type': TYPE, Accept: 'text/html' }, body: part('a', 'b') });
    expect(a.status).toBe(400);
    expect(String(a.headers['content-type'])).toMatch(/^text\/html/);
    expect(a.body).toMatch(/<html lang="fa" dir="rtl"/);
  });

  it("a sound multipart post still reaches Next (it names no action: Next's own 400, not ours)", async () => {
    const a = await raw(s, 'POST', '/en', { headers: { 'Content-Type': TYPE }, body: `${part('a', 'b')}--x--\r\n` });
    expect(a.status, a.body.slice(0, 300)).toBe(400);
    expect(a.body).toContain('Invalid Server Action request');
    expect(a.body).not.toContain('malformed_body');
  });

  it('the server logged no error for any of them', async () => {
    // The log is written by the child as it goes; the requests above were all answered, so their lines are in.
    const file = readdirSync(LOG_DIR).find((f) => f.startsWith(`page-form-${process.pid}-`) && f.endsWith('.log'))!;
    const log = readFileSync(path.join(LOG_DIR, file), 'utf8');
    expect(log).not.toMatch(/"level":50|Error:|\n\s+at /);
    expect(s.alive()).toBe(true);
  });
});
