import { expect, test } from '@playwright/test';

/**
 * public/: the favicon, web manifest and robots.txt are served as files (no locale redirect, no page CSP
 * in the way), named in every page's head, and a page load logs no 404 for them in the console.
 */

test('a page load logs no 404 and no favicon error in the console', async ({ page }) => {
  const errors: string[] = [];
  const notFound: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('response', (r) => {
    if (r.status() === 404) notFound.push(r.url());
  });
  // Chromium asks for the icons around load; wait for them rather than for time, listening before the page
  // loads (an icon answered during goto would otherwise be missed and the wait would never end).
  const icon = page.waitForResponse((r) => r.url().endsWith('/favicon.svg') || r.url().endsWith('/favicon.ico'));
  await page.goto('/fa');
  await icon;
  await page.waitForLoadState('networkidle');
  expect(notFound).toEqual([]);
  expect(errors.filter((e) => /404|favicon|manifest/i.test(e))).toEqual([]);
  await expect(page.locator('link[rel="icon"][href="/favicon.svg"]')).toHaveCount(1);
  await expect(page.locator('link[rel="manifest"]')).toHaveAttribute('href', '/manifest.webmanifest');
});

test('the static files answer 200 as themselves, without a locale redirect', async ({ request }) => {
  const files: [string, RegExp][] = [
    ['/favicon.ico', /^image\/(x-icon|vnd\.microsoft\.icon)/],
    ['/favicon.svg', /^image\/svg\+xml/],
    ['/manifest.webmanifest', /^application\/manifest\+json/],
    ['/robots.txt', /^text\/plain/],
  ];
  for (const [path, type] of files) {
    const r = await request.get(path, { maxRedirects: 0 });
    expect(r.status(), path).toBe(200);
    expect(r.headers()['content-type'], path).toMatch(type);
  }
  const manifest = (await (await request.get('/manifest.webmanifest')).json()) as Record<string, string>;
  expect(manifest).toMatchObject({ name: 'Mizaj', dir: 'rtl', lang: 'fa', theme_color: '#8a3b12' });
  const robots = await (await request.get('/robots.txt')).text();
  expect(robots).toMatch(/^Disallow: \/api\/$/m);
  expect(robots).toMatch(/^Disallow: \/admin$/m);
});
