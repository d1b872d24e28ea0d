import { expect, test } from '@playwright/test';
import { expectAccessible, LOCALES, msg, signIn } from './support';

const DIR = { fa: 'rtl', en: 'ltr', ar: 'rtl' } as const;
/** Digits each locale's numbers must be written in. */
const DIGITS = { fa: /[۰-۹]/, en: /[0-9]/, ar: /[٠-٩]/ } as const;

test.beforeEach(async ({ page }) => {
  await signIn(page);
});

for (const locale of LOCALES) {
  test(`the patients page in ${locale}: translated, ${DIR[locale]}, localized digits and data names`, async ({ page }) => {
    await page.goto(`/${locale}/patients`);
    const html = page.locator('html');
    await expect(html).toHaveAttribute('lang', locale);
    await expect(html).toHaveAttribute('dir', DIR[locale]);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(msg(locale, 'Patients.title'));
    await expect(page.getByLabel(msg(locale, 'Patients.searchLabel'))).toBeVisible();
    await expect(page.getByRole('button', { name: msg(locale, 'Patients.submit') })).toBeVisible();
    await expect(page.getByRole('columnheader', { name: msg(locale, 'Patients.mizaj') })).toBeVisible();
    // Mizaj types are data, shown in the page's language.
    await expect(page.locator('tbody').getByText(msg(locale, 'Mizaj.motadel'), { exact: true }).first()).toBeVisible();
    await expect(page.getByTestId('result-count')).toHaveText(DIGITS[locale]);
    if (locale !== 'en') await expect(page.getByTestId('result-count')).not.toHaveText(/[0-9]/);
    await expectAccessible(page);
  });
}

test('switching fa → en → ar keeps the page and its query, and the choice is remembered', async ({ page }) => {
  await page.goto('/fa/patients?mizaj=sard_tar&page=2');
  await expect(page.locator('html')).toHaveAttribute('dir', 'rtl');

  await page.getByTestId('locale-en').click();
  await expect(page).toHaveURL(/\/en\/patients\?mizaj=sard_tar&page=2$/);
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.locator('html')).toHaveAttribute('dir', 'ltr');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(msg('en', 'Patients.title'));
  await expect(page.locator('#mizaj')).toHaveValue('sard_tar');

  await page.getByTestId('locale-ar').click();
  await expect(page).toHaveURL(/\/ar\/patients\?mizaj=sard_tar&page=2$/);
  await expect(page.locator('html')).toHaveAttribute('lang', 'ar');
  await expect(page.locator('html')).toHaveAttribute('dir', 'rtl');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(msg('ar', 'Patients.title'));

  // Remembered: the browser asks for English (Accept-Language), yet the bare root opens in the last choice.
  await page.goto('/');
  await expect(page).toHaveURL(/\/ar$/);

  // A detail page keeps its id across the switch too.
  await page.goto('/ar/patients/1');
  await page.getByTestId('locale-fa').click();
  await expect(page).toHaveURL(/\/fa\/patients\/1$/);
  await expect(page.locator('html')).toHaveAttribute('dir', 'rtl');
  await page.goto('/');
  await expect(page).toHaveURL(/\/fa$/);
});

test('keyboard: skip link and visible focus on the first control', async ({ page }) => {
  await page.goto('/en/patients');
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: msg('en', 'Nav.skip') });
  await expect(skip).toBeFocused();
  const outline = await skip.evaluate((el) => getComputedStyle(el).outlineStyle);
  expect(outline).not.toBe('none');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/#main$/);
});

test('search by id in Persian digits and filter by mizaj', async ({ page }) => {
  await page.goto('/fa/patients');
  await page.getByLabel(msg('fa', 'Patients.searchLabel')).fill('۱۲');
  await page.getByRole('button', { name: msg('fa', 'Patients.submit') }).click();
  await expect(page).toHaveURL(/q=/);
  await expect(page.getByTestId('patient-link').first()).toBeVisible();
  await expect(page.locator('tbody tr td.num').first()).toHaveText('۱۲');

  await page.goto('/en/patients');
  await page.getByLabel(msg('en', 'Patients.mizajFilter')).selectOption('garm_khoshk');
  await page.getByRole('button', { name: msg('en', 'Patients.submit') }).click();
  await expect(page).toHaveURL(/mizaj=garm_khoshk/);
  const cells = page.locator('tbody tr td:nth-child(3)');
  await expect(cells.first()).toHaveText(msg('en', 'Mizaj.garm_khoshk'));
  expect(new Set(await cells.allInnerTexts())).toEqual(new Set([msg('en', 'Mizaj.garm_khoshk')]));
});
