import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';

export const LOCALES = ['fa', 'en', 'ar'] as const;
export type Locale = (typeof LOCALES)[number];

type Tree = { [k: string]: string | Tree };
const catalogs = Object.fromEntries(
  LOCALES.map((l) => [l, JSON.parse(readFileSync(path.join(import.meta.dirname, '../../messages', `${l}.json`), 'utf8')) as Tree]),
) as Record<Locale, Tree>;

/** A message as written in the catalog (the tests check the page against the real translations). */
export function msg(locale: Locale, key: string): string {
  let node: string | Tree | undefined = catalogs[locale];
  for (const part of key.split('.')) node = typeof node === 'object' ? node[part] : undefined;
  if (typeof node !== 'string') throw new Error(`no message ${key} in ${locale}`);
  return node;
}

export const DEMO_CLINICIAN = { email: 'clinician@demo.mizaj.local', password: 'mizaj-clinician-demo' };

/** Signs in through the sign-in form, as a clinician would. */
export async function signIn(page: Page, next = '/patients'): Promise<void> {
  await page.goto(`/en/sign-in?next=${encodeURIComponent(next)}`);
  await page.getByLabel('Email').fill(DEMO_CLINICIAN.email);
  await page.getByLabel('Password').fill(DEMO_CLINICIAN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => !url.pathname.endsWith('/sign-in'));
}

const E2E_PORT = process.env.E2E_PORT ?? '3100';
/** The e2e database serve.sh creates: same server as TEST_DATABASE_URL, database mizaj_e2e_<port> (runs on other ports never collide). */
const E2E_DB = process.env.E2E_DATABASE_URL ?? (process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres').replace(/\/[^/]*$/, `/mizaj_e2e_${E2E_PORT}`);
/** serve.sh's CACHE_PREFIX. */
export const CACHE_PREFIX = process.env.E2E_CACHE_PREFIX ?? `mizaj-e2e-${E2E_PORT}`;
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Ground truth straight from PostgreSQL, so "nothing was written" is not just what a cached page says. */
export function sqlCount(query: string): number {
  return Number(execFileSync('psql', [E2E_DB, '-tAc', query], { encoding: 'utf8' }).trim());
}

/** Keys of the e2e cache (prefix mizaj-e2e) matching a glob. */
export function redisKeys(pattern: string): string[] {
  return execFileSync('redis-cli', ['-u', REDIS_URL, '--scan', '--pattern', pattern], { encoding: 'utf8' }).split('\n').filter(Boolean);
}

/** No serious or critical axe-core violation (WCAG 2.1 A/AA rules) on the page as it is now. */
export async function expectAccessible(page: Page): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const bad = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
  expect(bad, `axe violations on ${page.url()}`).toEqual([]);
}
