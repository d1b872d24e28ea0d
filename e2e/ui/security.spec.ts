import { randomBytes } from 'node:crypto';
import { expect, test, type APIResponse, type Page } from '@playwright/test';
import { E2E_ADMIN, msg, npmRun, sqlCount, startInstance } from './support';

const PORT = Number(process.env.E2E_PORT ?? 3100);

async function signInAs(page: Page, who: { email: string; password: string }) {
  await page.goto('/en/sign-in');
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => !url.pathname.endsWith('/sign-in'));
}

function expectSecurityHeaders(h: Record<string, string>, kind: 'page' | 'other', where: string) {
  expect(h['x-content-type-options'], where).toBe('nosniff');
  expect(h['content-security-policy'], where).toContain("frame-ancestors 'none'");
  if (kind === 'page') expect(h['content-security-policy'], where).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]{20,}' 'strict-dynamic'/);
  else expect(h['content-security-policy'], where).toContain("default-src 'none'");
  expect(h['x-frame-options'], where).toBe('DENY');
  expect(h['referrer-policy'], where).toBe('same-origin');
  expect(h['permissions-policy'], where).toContain('camera=()');
  expect(h['cross-origin-opener-policy'], where).toBe('same-origin');
}

test('pages work under the CSP: no violation anywhere, a fresh nonce on every page', async ({ page }) => {
  const violations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to (execute|load|apply|connect|frame)|CSP violation/i.test(m.text())) violations.push(m.text());
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`));
  });
  await signInAs(page, E2E_ADMIN);
  const patient = sqlCount('select min(id) from patients');
  const diagnosis = sqlCount('select min(id) from diagnoses');
  const recommendation = sqlCount('select min(id) from recommendations');
  const nonces = new Set<string>();
  for (const path of ['/fa', '/en/patients', `/en/patients/${patient}`, `/fa/diagnoses/${diagnosis}`, `/ar/recommendations/${recommendation}`, '/fa/admin', '/en/admin']) {
    const res = (await page.goto(path))!;
    expect(res.status(), path).toBe(200);
    const headers = res.headers();
    expectSecurityHeaders(headers, 'page', path);
    nonces.add(/'nonce-([^']+)'/.exec(headers['content-security-policy']!)![1]!);
    await page.waitForLoadState('networkidle');
    // Next marked its own scripts with this request's nonce (so they ran), and React hydrated.
    expect(await page.locator('script[nonce]').count(), path).toBeGreaterThan(0);
  }
  expect(nonces.size).toBe(7);
  const missing = (await page.goto('/en/no-such-page'))!;
  expect(missing.status()).toBe(404);
  expectSecurityHeaders(missing.headers(), 'page', '404 page');
  // Client islands still work: the dashboard's auto-refresh and the language switcher are React.
  await page.goto('/en/patients');
  await page.getByTestId('locale-fa').click();
  await page.waitForURL(/\/fa\/patients/);
  expect(violations).toEqual([]);
});

test('security headers on the admin page, on API answers through the fast path and with FAST_PATH=off; personal answers identical on HIT and MISS', async ({ page }) => {
  await signInAs(page, E2E_ADMIN);
  expectSecurityHeaders((await page.goto('/fa/admin'))!.headers(), 'page', '/fa/admin');
  const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
  const off = await startInstance(PORT + 1, { FAST_PATH: 'off' });
  try {
    const patient = sqlCount('select max(id) from patients');
    for (const base of [`http://127.0.0.1:${PORT}`, off.url]) {
      const get = (path: string) => page.request.get(base + path, { headers: { cookie } });
      const answers: APIResponse[] = [await get('/api/trending?days=30'), await get('/api/trending?days=30')];
      const profile = [await get(`/api/patients/${patient}/profile`), await get(`/api/patients/${patient}/profile`)];
      for (const r of [...answers, ...profile]) expectSecurityHeaders(r.headers(), 'other', `${base} ${r.url()}`);
      expect(answers[1]!.headers()['x-cache']).toBe('HIT');
      // Compressed once whichever path answered: the fast path's gzip copy, or Next's own gzip of the handler's JSON.
      const gzipped = await page.request.get(`${base}/api/trending?days=30`, { headers: { cookie, 'accept-encoding': 'gzip' } });
      expect(gzipped.headers()['content-encoding'], base).toBe('gzip');
      expect(await gzipped.json(), base).toEqual(await answers[1]!.json());
      expect(profile.map((r) => r.headers()['x-cache']).sort()).toEqual(base === off.url ? ['HIT', 'HIT'] : ['HIT', 'MISS']);
      for (const r of profile) {
        expect(r.headers()['cache-control'], base).toBe('private, no-cache');
        // Next's router entries (rsc, next-router-…) are gone from the MISS too.
        expect(r.headers()['vary'], base).toMatch(/^Authorization, Cookie(, Accept-Encoding)?$/);
      }
      expectSecurityHeaders((await get('/api/nothing-here')).headers(), 'other', `${base} 404`);
      // A write's small answer goes as is: no gzip stream per write, whatever the client accepts.
      const write = await page.request.post(`${base}/api/cache/invalidate`, {
        headers: { cookie, 'accept-encoding': 'gzip', 'sec-fetch-site': 'same-origin' },
        data: { tag: 'e2e-no-such-tag' },
      });
      expect(write.status(), base).toBeLessThan(300);
      expect(write.headers()['content-encoding'], base).toBeUndefined();
      expectSecurityHeaders(write.headers(), 'other', `${base} POST`);
    }
    expect((await page.request.get('/metrics')).status()).toBe(401);
    expect((await page.request.get('/metrics', { headers: { authorization: 'Bearer e2e-only-metrics-token-0123456789' } })).status()).toBe(200);
  } finally {
    off.stop();
  }
});

test('a revoked key is refused by every running instance within 1 s of npm run apikey:revoke returning', async ({ request }) => {
  const name = `e2e revoke ${randomBytes(3).toString('hex')}`;
  const key = npmRun('apikey:create', ['--name', name, '--scopes', 'read']).trim();
  const id = sqlCount(`select id from api_keys where name = '${name}'`);
  const other = await startInstance(PORT + 2);
  try {
    const bases = [`http://127.0.0.1:${PORT}`, other.url];
    const headers = { authorization: `Bearer ${key}` };
    for (const base of bases) for (let i = 0; i < 3; i++) expect((await request.get(`${base}/api/trending`, { headers })).status()).toBe(200);
    npmRun('apikey:revoke', ['--id', String(id)]);
    const returned = Date.now();
    const refusedAfter: number[] = [];
    for (const base of bases) {
      while ((await request.get(`${base}/api/trending`, { headers })).status() !== 401) {
        expect(Date.now() - returned, base).toBeLessThan(1_000);
      }
      refusedAfter.push(Date.now() - returned);
    }
    console.log(`revoked key refused after ${refusedAfter.join(' ms and ')} ms`);
    expect(Math.max(...refusedAfter)).toBeLessThan(1_000);
  } finally {
    other.stop();
  }
});

test('sign-in: 10 attempts with a different X-Forwarded-For each end in 429 (the socket address counts)', async ({ page }) => {
  const email = `nobody-${randomBytes(3).toString('hex')}@example.test`;
  let blocked = false;
  for (let i = 0; i < 10 && !blocked; i++) {
    await page.setExtraHTTPHeaders({ 'x-forwarded-for': `198.51.100.${i + 1}`, 'x-real-ip': `203.0.113.${i + 1}` });
    await page.goto('/en/sign-in');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.locator('#sign-in-error');
    await expect(alert).toBeVisible();
    blocked = (await alert.textContent()) === msg('en', 'SignIn.errors.tooMany');
  }
  expect(blocked).toBe(true);
});
