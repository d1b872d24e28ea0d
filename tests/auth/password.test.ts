import { describe, expect, it } from 'vitest';
import { hashPassword, needsRehash, verifyPassword } from '@/lib/auth/password';

describe('passwords (scrypt)', () => {
  it('hashes with a per-user salt and parameters in the string, verifies only the right password', async () => {
    const a = await hashPassword('correct horse battery');
    const b = await hashPassword('correct horse battery');
    expect(a).toMatch(/^scrypt\$ln=15,r=8,p=1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse battery', a)).toBe(true);
    expect(await verifyPassword('correct horse batterY', a)).toBe(false);
    expect(await verifyPassword('', a)).toBe(false);
  });

  it('verifies hashes made with other parameters and flags weaker ones for rehash', async () => {
    const weak = await hashPassword('pw-1234567', { ln: 10, r: 8, p: 1 });
    expect(weak).toContain('ln=10');
    expect(await verifyPassword('pw-1234567', weak)).toBe(true);
    expect(needsRehash(weak)).toBe(true);
    expect(needsRehash(await hashPassword('x'))).toBe(false);
  });

  it('rejects malformed or hostile hash strings without throwing', async () => {
    for (const bad of ['', 'plain', 'scrypt$ln=15,r=8,p=1$salt$', 'scrypt$ln=40,r=8,p=1$c2FsdA$aGFzaA', 'bcrypt$2b$10$abc']) {
      expect(await verifyPassword('x', bad)).toBe(false);
    }
  });

  it('normalises Unicode (NFKC) so one password typed by different keyboards still matches', async () => {
    const h = await hashPassword('ﻙتاب-café'); // Arabic presentation form of ك, precomposed é
    expect(await verifyPassword('كتاب-cafe\u0301', h)).toBe(true);
  });
});
