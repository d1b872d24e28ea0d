import { expect, test } from '@playwright/test';
import { E2E_CLINICIAN, expectAccessible, msg, sqlCount } from './support';

// A Persian-speaking browser: `/` resolves to Persian from Accept-Language.
test.use({ locale: 'fa-IR' });

test('the public status page shows live counts and the backends in use', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveURL(/\/fa$/);
  await expect(page.locator('html')).toHaveAttribute('dir', 'rtl');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(msg('fa', 'Home.title'));

  const patients = sqlCount('select count(*) from patients');
  const card = page.getByTestId('count-patients');
  await expect(card).toHaveAttribute('data-value', String(patients));
  // Persian digits, formatted through Intl (400 → ۴۰۰).
  await expect(card.locator('dd')).toHaveText(new Intl.NumberFormat('fa-IR').format(patients));
  for (const k of ['recommendations', 'diagnoses', 'feedback']) {
    await expect(page.getByTestId(`count-${k}`)).toHaveAttribute('data-value', String(sqlCount(`select count(*) from ${k}`)));
  }
  await expect(page.getByTestId('database')).toHaveAttribute('data-kind', 'postgres');
  await expect(page.getByTestId('database')).toContainText('PostgreSQL');
  await expect(page.getByTestId('cache')).toHaveAttribute('data-kind', 'redis');
  await expectAccessible(page);

  // Live: a new row shows up on the next load (the status page is not cached).
  await page.goto('/en');
  await expect(page.getByTestId('count-patients')).toHaveAttribute('data-value', String(patients));
  await expect(page.getByTestId('count-patients').locator('dd')).toHaveText(patients.toLocaleString('en'));
});

test('clinical pages send an anonymous visitor to sign in, and back afterwards', async ({ page }) => {
  await page.goto('/en/patients?mizaj=motadel');
  await expect(page).toHaveURL(/\/en\/sign-in\?next=/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(msg('en', 'SignIn.title'));
  await expectAccessible(page);

  await page.getByLabel('Email').fill(E2E_CLINICIAN.email);
  await page.getByLabel('Password').fill('wrong-password');
  await page.getByRole('button', { name: msg('en', 'SignIn.submit') }).click();
  await expect(page.locator('#sign-in-error')).toHaveText(msg('en', 'SignIn.errors.invalid'));

  await page.getByLabel('Password').fill(E2E_CLINICIAN.password);
  await page.getByRole('button', { name: msg('en', 'SignIn.submit') }).click();
  await expect(page).toHaveURL(/\/en\/patients\?mizaj=motadel$/);
  await expect(page.locator('#mizaj')).toHaveValue('motadel');

  await page.getByRole('button', { name: msg('en', 'Nav.signOut') }).click();
  await expect(page).toHaveURL(/\/en\/sign-in$/);
  await page.goto('/en/patients');
  await expect(page).toHaveURL(/\/en\/sign-in/);
});
