import AxeBuilder from '@axe-core/playwright';
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { E2E_ADMIN, E2E_CLINICIAN } from '../ui/support';

/**
 * The admin dashboard on the production build (e2e/serve.sh samples every second and scans keys every
 * few seconds). The admin test walks the whole story in order, as an admin would.
 */
const ADMIN = E2E_ADMIN;
const CLINICIAN = E2E_CLINICIAN;

async function signIn(page: Page, who: { email: string; password: string }, path = '/en/admin') {
  await page.goto(path);
  await expect(page).toHaveURL(/\/en\/sign-in/);
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

const int = (text: string | null) => Number((text ?? '').replace(/[^\d]/g, ''));

async function keysOf(page: Page, category: string): Promise<number> {
  return int(await page.locator(`tr[data-category="${category}"] [data-col="keys"]`).textContent());
}

/**
 * Cache traffic through the API with the admin's session: cached GETs of several categories, then the
 * warm endpoint twice per category (the first pass mostly misses and fills, the second hits), so the
 * hit-rate chart has both kinds.
 */
async function traffic(request: APIRequestContext) {
  const paths: string[] = ['/api/trending', '/api/analytics/recommendation/3', '/api/analytics/recommendation/4'];
  for (let id = 1; id <= 25; id++) paths.push(`/api/predictions/diagnosis/${id}/predict`, `/api/recommendations/${id}`);
  const statuses = new Map<number, number>();
  for (let round = 0; round < 2; round++) {
    for (const p of paths) {
      const status = (await request.get(p)).status();
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
  }
  // Most reads answer (a few ids may not exist); failures would still count as misses, not as traffic.
  expect(statuses.get(200) ?? 0, JSON.stringify(Object.fromEntries(statuses))).toBeGreaterThan(paths.length);
  for (let round = 0; round < 2; round++) {
    for (const category of ['recommendations', 'analytics', 'trending', 'predictions']) {
      // The API warms in a background job (202): wait for it, as the dashboard's own Warm button does.
      const res = await request.post('/api/cache/warm', { data: { category } });
      expect(res.status(), await res.text()).toBe(202);
      const { id } = (await res.json()) as { id: string };
      await expect.poll(async () => ((await (await request.get(`/api/cache/jobs/${id}`)).json()) as { status: string }).status, { timeout: 60_000 }).toBe('done');
    }
  }
}

test('a clinician can neither open the dashboard nor call its actions', async ({ page, browser }) => {
  await signIn(page, CLINICIAN);
  await expect(page).toHaveURL(/\/en\/sign-in\?.*forbidden=1/);
  await expect(page.locator('p.alert')).toContainText('admin account');
  const res = await page.request.get('/en/admin', { maxRedirects: 0 });
  expect([303, 307, 308]).toContain(res.status());
  expect(res.headers().location).toContain('/sign-in');

  // The action itself: capture a real Warm call made by an admin, replay it with the clinician's cookie.
  const adminContext = await browser.newContext();
  const admin = await adminContext.newPage();
  await signIn(admin, ADMIN);
  await expect(admin).toHaveURL(/\/en\/admin/);
  const row = admin.locator('tr[data-category="trending"]');
  const [actionRequest] = await Promise.all([admin.waitForRequest((r) => r.method() === 'POST' && !!r.headers()['next-action']), row.getByRole('button', { name: 'Warm Trending' }).click()]);
  await expect(row.locator('[role="status"]')).toContainText('Warmed', { timeout: 30_000 });
  const auditRows = async () => {
    await admin.reload();
    return admin.locator('tr[data-audit-action="warm"][data-audit-target="trending"]').count();
  };
  const before = await auditRows();
  expect(before).toBe(1);

  const headers = actionRequest.headers();
  const replay = await page.request.post(actionRequest.url(), {
    headers: { 'next-action': headers['next-action']!, 'content-type': headers['content-type'] ?? 'text/plain;charset=UTF-8', accept: 'text/x-component', ...(headers['next-router-state-tree'] ? { 'next-router-state-tree': headers['next-router-state-tree'] } : {}) },
    data: actionRequest.postData() ?? '',
  });
  expect(replay.status()).toBe(200);
  expect(await replay.text()).toContain('forbidden');
  // Still one warm row: the clinician's call did nothing.
  await admin.waitForTimeout(500);
  expect(await auditRows()).toBe(before);
  await adminContext.close();
});

test('an admin sees live charts, purges predictions after confirming, then warms it again', async ({ page }, testInfo) => {
  test.setTimeout(180_000);
  await signIn(page, ADMIN);
  await expect(page).toHaveURL(/\/en\/admin/);
  await expect(page.getByRole('heading', { level: 1, name: 'Cache dashboard' })).toBeVisible();

  await traffic(page.request);
  const trafficDone = Date.now();

  // Charts come from stored samples: wait until the sampler has recorded the traffic (hits included) and
  // a key scan taken after it.
  await expect
    .poll(
      async () => {
        await page.reload();
        const points = Number(await page.locator('figure[data-chart="hit-rate"]').getAttribute('data-points'));
        const scanned = Number(await page.locator('[data-keyspace-taken]').getAttribute('data-keyspace-taken'));
        const hits = int((await page.locator('tr[data-category="predictions"] [data-col="hit-rate"] .small').textContent())?.split('·')[0] ?? '');
        return points >= 2 && scanned > trafficDone + 1_000 && hits > 0;
      },
      { timeout: 60_000, intervals: [1_000] },
    )
    .toBe(true);
  for (const chart of ['memory', 'hit-rate', 'churn', 'ops']) {
    const fig = page.locator(`figure[data-chart="${chart}"]`);
    expect(Number(await fig.getAttribute('data-points'))).toBeGreaterThanOrEqual(1);
    await expect(fig.locator('svg.recharts-surface').first()).toBeVisible();
  }
  await expect(page.locator('figure[data-chart="hit-rate"] .recharts-line-curve').first()).toHaveAttribute('d', /\d/);
  await expect(page.locator('figure[data-chart="memory"] .recharts-line-curve').first()).toHaveAttribute('d', /\d/);
  await expect(page.locator('[data-card="hit-rate"] .value')).toHaveText(/%/);
  await expect(page.locator('[data-card="backend"] .value')).toHaveText('Redis');
  await expect(page.locator('[data-health="redis"]')).toContainText('up');
  await expect(page.locator('[data-health="database"]')).toContainText('up');

  // No serious or critical WCAG 2.1 A/AA violation on the dashboard as drawn.
  const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const serious = axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(serious).toEqual([]);

  // Pause auto-refresh so the screenshot and the steps below are not interrupted by a re-render.
  await page.getByRole('button', { name: 'Pause auto-refresh' }).click();
  await expect(page.getByRole('button', { name: 'Resume auto-refresh' })).toHaveAttribute('aria-pressed', 'true');
  const shot = testInfo.outputPath('admin-dashboard.png');
  await page.screenshot({ path: shot, fullPage: true });
  await testInfo.attach('admin-dashboard', { path: shot, contentType: 'image/png' });

  const row = page.locator('tr[data-category="predictions"]');
  const before = await keysOf(page, 'predictions');
  expect(before).toBeGreaterThan(0);

  // Purge: the dialog says what it drops; production asks for the category's name before it enables.
  await row.getByRole('button', { name: 'Purge Predictions' }).click();
  const dialog = page.getByRole('dialog', { name: 'Purge Predictions?' });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText(`${before.toLocaleString('en-GB')} keys`);
  const confirm = dialog.getByRole('button', { name: 'Purge Predictions' });
  await expect(confirm).toBeDisabled();
  await dialog.getByLabel('Type predictions to confirm').fill('predictions');
  await expect(confirm).toBeEnabled();
  await confirm.click();
  await expect(dialog).toBeHidden();
  await expect(row.locator('[role="status"]')).toContainText('Purged:', { timeout: 30_000 });
  await expect.poll(() => keysOf(page, 'predictions'), { timeout: 15_000 }).toBe(0);
  const audit = page.locator('tr[data-audit-action="purge-category"][data-audit-target="predictions"]');
  await expect(audit).toHaveCount(1);
  await expect(audit).toContainText(ADMIN.email);
  await expect(audit).toContainText(`${before.toLocaleString('en-GB')} keys`);
  // Newest first: the purge is the first row of the log.
  await expect(page.locator('.audit-table tbody tr').first()).toHaveAttribute('data-audit-action', 'purge-category');
  // Other categories were not touched.
  expect(await keysOf(page, 'recommendations')).toBeGreaterThan(0);

  // Warm: progress, then the count warmed and a key count that rises again.
  await row.getByRole('button', { name: 'Warm Predictions' }).click();
  await expect(row.locator('[role="status"]')).toContainText(/Warmed \d+ of \d+/, { timeout: 60_000 });
  await expect.poll(() => keysOf(page, 'predictions'), { timeout: 15_000 }).toBeGreaterThan(0);
  await expect(page.locator('.audit-table tbody tr').first()).toHaveAttribute('data-audit-action', 'warm');

  await page.screenshot({ path: testInfo.outputPath('admin-dashboard-after.png'), fullPage: true });

  // The same page in Persian: right-to-left, Persian digits, still drawn from the samples.
  await page.goto('/fa/admin');
  await expect(page.locator('html')).toHaveAttribute('dir', 'rtl');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('داشبورد حافظهٔ نهان');
  await expect(page.locator('tr[data-category="predictions"] [data-col="keys"]')).toHaveText(/^[۰-۹٬]+$/);
  await expect(page.locator('figure[data-chart="hit-rate"] .recharts-line-curve').first()).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('admin-dashboard-fa.png'), fullPage: true });
});
