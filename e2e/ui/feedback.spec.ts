import { expect, test, type Page } from '@playwright/test';
import { CACHE_PREFIX, expectAccessible, msg, redisKeys, signIn, sqlCount } from './support';

/** Opens a diagnosis the way a clinician would: search the patient list, open the patient, then the diagnosis. */
async function openADiagnosis(page: Page, locale: 'fa' | 'en'): Promise<number> {
  const patientId = sqlCount('select patient_id from diagnoses order by id limit 1');
  await page.goto(`/${locale}/patients`);
  await page.getByRole('searchbox').fill(String(patientId));
  await page.getByRole('button', { name: msg(locale, 'Patients.submit') }).click();
  await expect(page).toHaveURL(/q=/);
  await page.getByTestId('patient-link').first().click();
  await expect(page).toHaveURL(new RegExp(`/${locale}/patients/${patientId}$`));
  await page.getByTestId('diagnosis-link').first().click();
  await expect(page).toHaveURL(new RegExp(`/${locale}/diagnoses/\\d+$`));
  return Number(new URL(page.url()).pathname.split('/').pop());
}

/** A feedback-form field by its label (exact: the page has headings that start with the same words). */
const field = (page: Page, label: string) => page.getByTestId('feedback-form').getByLabel(label, { exact: true });

const analyticsCount = async (page: Page) => Number(await page.getByTestId('analytics-count').getAttribute('data-value'));

test('a clinician records feedback and sees the recommendation analytics change through the cache', async ({ page }, testInfo) => {
  await signIn(page);
  const diagnosisId = await openADiagnosis(page, 'en');
  await expect(page.getByRole('heading', { level: 2, name: msg('en', 'Diagnosis.ranked') })).toBeVisible();
  const top = page.getByTestId('predictions').locator('tbody tr').first();
  const recommendationId = Number(await top.getAttribute('data-recommendation-id'));
  const remedyName = (await top.locator('a').first().innerText()).trim();
  await page.screenshot({ path: testInfo.outputPath('diagnosis-en.png'), fullPage: true });
  await expectAccessible(page);

  // Load the analytics first so they are cached, and prove they are.
  await page.goto(`/en/recommendations/${recommendationId}`);
  const before = await analyticsCount(page);
  expect(before).toBe(sqlCount(`select count(*) from feedback where recommendation_id = ${recommendationId}`));
  expect(redisKeys(`${CACHE_PREFIX}:analytics:*`).length).toBeGreaterThan(0);
  await page.reload();
  expect(await analyticsCount(page)).toBe(before);
  await expectAccessible(page);

  await page.goto(`/en/diagnoses/${diagnosisId}`);
  await field(page, msg('en', 'Feedback.recommendation')).selectOption(String(recommendationId));
  await field(page, msg('en', 'Feedback.rating')).fill('4');
  await field(page, msg('en', 'Feedback.adherence')).fill('80');
  await field(page, msg('en', 'Feedback.comment')).fill('Sleeping better after two weeks (e2e).');
  await page.getByRole('button', { name: msg('en', 'Feedback.submit') }).click();
  await expect(page.getByTestId('feedback-saved')).toContainText(msg('en', 'Feedback.saved'));
  expect(sqlCount(`select count(*) from feedback where recommendation_id = ${recommendationId}`)).toBe(before + 1);

  // The cached analytics entry was invalidated: the same page now counts the new row.
  await expect(page.getByTestId('feedback-saved').getByRole('link')).toContainText(remedyName);
  await page.getByTestId('feedback-saved').getByRole('link').click();
  await expect(page).toHaveURL(new RegExp(`/en/recommendations/${recommendationId}$`));
  await expect(page.getByTestId('analytics-count')).toHaveAttribute('data-value', String(before + 1));
  await expect(page.getByText('Sleeping better after two weeks (e2e).')).toBeVisible();
});

test('invalid feedback shows a clear message in the page language and writes nothing', async ({ page }, testInfo) => {
  await signIn(page);
  const diagnosisId = await openADiagnosis(page, 'fa');
  await expect(page.locator('html')).toHaveAttribute('dir', 'rtl');
  await page.screenshot({ path: testInfo.outputPath('diagnosis-fa.png'), fullPage: true });
  await expectAccessible(page);

  const recommendationId = Number(await page.getByTestId('predictions').locator('tbody tr').first().getAttribute('data-recommendation-id'));
  const total = sqlCount('select count(*) from feedback');

  await field(page, msg('fa', 'Feedback.recommendation')).selectOption(String(recommendationId));
  await field(page, msg('fa', 'Feedback.rating')).fill('9');
  await field(page, msg('fa', 'Feedback.adherence')).fill('150');
  await page.getByRole('button', { name: msg('fa', 'Feedback.submit') }).click();

  const error = page.getByTestId('feedback-error');
  await expect(error).toContainText(msg('fa', 'Feedback.errors.summary'));
  await expect(error).toContainText(msg('fa', 'Feedback.errors.rating'));
  await expect(error).toContainText(msg('fa', 'Feedback.errors.adherence'));
  // Each field says what is wrong with it, tied to it for screen readers.
  await expect(field(page, msg('fa', 'Feedback.rating'))).toHaveAttribute('aria-invalid', 'true');
  await expect(page.locator('#rating-error')).toHaveText(msg('fa', 'Feedback.errors.rating'));
  // What was typed is kept for correction.
  await expect(field(page, msg('fa', 'Feedback.rating'))).toHaveValue('9');
  await expect(page).toHaveURL(new RegExp(`/fa/diagnoses/${diagnosisId}$`));
  expect(sqlCount('select count(*) from feedback')).toBe(total);
  await expectAccessible(page);

  // On a phone-sized screen the page reflows instead of scrolling sideways.
  await page.setViewportSize({ width: 390, height: 844 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await page.screenshot({ path: testInfo.outputPath('diagnosis-fa-invalid-390px.png'), fullPage: true });

  // No recommendation chosen: also refused, in Arabic on an Arabic page.
  await page.goto(`/ar/diagnoses/${diagnosisId}`);
  await field(page, msg('ar', 'Feedback.rating')).fill('3');
  await field(page, msg('ar', 'Feedback.adherence')).fill('50');
  await page.getByRole('button', { name: msg('ar', 'Feedback.submit') }).click();
  await expect(page.getByTestId('feedback-error')).toContainText(msg('ar', 'Feedback.errors.recommendation'));
  expect(sqlCount('select count(*) from feedback')).toBe(total);
});
