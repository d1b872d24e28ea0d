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

/** Made by serve.sh: the demo accounts cannot sign in under NODE_ENV=production, which npm start is. */
export const E2E_ADMIN = { email: 'admin@e2e.mizaj.local', password: 'e2e-admin-password' };
export const E2E_CLINICIAN = { email: 'clinician@e2e.mizaj.local', password: 'e2e-clinician-password' };

/** Signs in through the sign-in form, as a clinician would. */
export async function signIn(page: Page, next = '/patients'): Promise<void> {
  await page.goto(`/en/sign-in?next=${encodeURIComponent(next)}`);
  await page.getByLabel('Email').fill(E2E_CLINICIAN.email);
  await page.getByLabel('Password').fill(E2E_CLINICIAN.password);
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

/** Keys of the e2e cache (prefix mizaj-e2e-<port>) matching a glob. */
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

const ROOT = path.resolve(import.meta.dirname, '../..');
/** The environment serve.sh gives the server under test (its defaults), for commands and extra instances. */
export function serverEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DATABASE_URL: E2E_DB,
    REDIS_URL,
    CACHE_PREFIX,
    SESSION_SECRET: process.env.SESSION_SECRET ?? 'e2e-only-session-secret-0123456789abcdef',
    CACHE_ENCRYPTION_KEYS: process.env.CACHE_ENCRYPTION_KEYS ?? 'ZTJlLW9ubHktY2FjaGUta2V5LTAxMjM0NTY3ODlhYmM=',
    ...extra,
  };
}

/** Runs an npm script against the e2e database and cache; returns its stdout. */
export function npmRun(script: string, args: string[]): string {
  return execFileSync('npm', ['run', '-s', script, '--', ...args], { cwd: ROOT, env: serverEnv({ NODE_ENV: 'test' }), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Another instance of the production build on the same database and Redis (stopped by its pid). */
export async function startInstance(port: number, extra: Record<string, string> = {}): Promise<{ url: string; stop(): void }> {
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, [path.join(ROOT, '.next/mizaj-server.mjs')], {
    cwd: ROOT,
    env: serverEnv({ NODE_ENV: 'production', HOST: '127.0.0.1', PORT: String(port), WEB_CONCURRENCY: '1', ...extra }),
    stdio: 'ignore',
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = () => void child.kill('SIGTERM');
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`instance on ${port} exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/api/health`)).ok) return { url, stop };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  stop();
  throw new Error(`instance on ${port} did not start`);
}
