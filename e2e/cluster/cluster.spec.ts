import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, test } from '@playwright/test';
import { startLocalCluster, type LocalCluster } from '../../tests/cache/support/local-cluster';
import { startLocalSentinel } from '../../tests/cache/support/local-sentinel';
import { OwnRedis } from '../../tests/cache/support/own-redis';
import { AppInstance, createSeededDatabase, dropDatabase, npmRun } from './app-instance';

/**
 * Redis Cluster as users run it: a 3-master Cluster of our own, two production-build instances configured
 * with the documented multi-host URL, driven over HTTP. Also: the production build starts with the other
 * documented URL forms.
 */
const run = promisify(execFile);
const DB = `mizaj_e2e_cluster_${process.pid}`;
const PREFIX = `e2e-cluster-${process.pid}`;
const ADMIN = { email: 'admin@cluster-e2e.example.com', password: 'cluster-admin-password' };

let cluster: LocalCluster;
let dbUrl: string;
let apiKey: string;
let a: AppInstance;
let b: AppInstance;

test.describe.configure({ mode: 'serial', timeout: 240_000 });

test.beforeAll(async () => {
  test.setTimeout(240_000);
  cluster = await startLocalCluster();
  dbUrl = createSeededDatabase(DB);
  npmRun(['user:create', '--', '--email', ADMIN.email, '--name', 'Cluster Admin', '--role', 'admin', '--password', ADMIN.password], { DATABASE_URL: dbUrl });
  apiKey = npmRun(['apikey:create', '--', '--name', 'cluster e2e', '--scopes', 'read,write'], { DATABASE_URL: dbUrl });
  const env = { DATABASE_URL: dbUrl, REDIS_URL: cluster.url, CACHE_PREFIX: PREFIX, METRICS_SAMPLE_INTERVAL_MS: '1000', METRICS_KEYSCAN_INTERVAL_MS: '2000' };
  [a, b] = await Promise.all([AppInstance.start(env), AppInstance.start(env)]);
});

test.afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await cluster?.stop();
  dropDatabase(DB);
});

const auth = () => ({ authorization: `Bearer ${apiKey}` });
const json = async <T>(res: Response) => (await res.json()) as T;

/** A recommendation with a diagnosis of its condition, and a recommendation of another condition. */
async function targets() {
  const { stdout } = await run('psql', [
    dbUrl,
    '-At',
    '-c',
    `select d.id, r.id, (select r2.id from recommendations r2 where r2.condition_id <> r.condition_id order by r2.id limit 1)
       from diagnoses d join recommendations r on r.condition_id = d.condition_id order by d.id, r.id limit 1`,
  ]);
  const [diagnosisId, recommendationId, otherRecommendationId] = stdout.trim().split('|').map(Number);
  return { diagnosisId: diagnosisId!, recommendationId: recommendationId!, otherRecommendationId: otherRecommendationId! };
}

async function keysOnNode(port: number, pattern: string): Promise<number> {
  const { stdout } = await run('redis-cli', ['-p', String(port), '--scan', '--pattern', pattern]);
  return stdout.split('\n').filter(Boolean).length;
}

test('both instances run on the Cluster from the documented multi-host URL', async () => {
  expect(cluster.url).toMatch(/^redis\+cluster:\/\/127\.0\.0\.1:\d+,127\.0\.0\.1:\d+,127\.0\.0\.1:\d+$/);
  for (const instance of [a, b]) {
    // Ready (200) needs the database; the Cluster connection may still be discovering its slots.
    await expect.poll(async () => (await json<{ cache: { backend: string; ok: boolean } }>(await instance.fetch('/api/health'))).cache, { timeout: 15_000 }).toMatchObject({ backend: 'cluster', ok: true });
  }
});

test('the API contract holds on both instances: MISS then HIT, ETag and 304, precise invalidation across them', async () => {
  const t = await targets();
  for (const instance of [a, b]) {
    const path = `/api/recommendations/${t.otherRecommendationId}`;
    const first = await instance.fetch(path, { headers: auth() });
    const second = await instance.fetch(path, { headers: auth() });
    expect(second.headers.get('x-cache')).toBe('HIT');
    expect(await second.text()).toBe(await first.text());
    const etag = second.headers.get('etag')!;
    expect((await instance.fetch(path, { headers: { ...auth(), 'if-none-match': etag } })).status).toBe(304);
  }
  const analytics = `/api/analytics/recommendation/${t.recommendationId}`;
  const untouched = `/api/analytics/recommendation/${t.otherRecommendationId}`;
  for (const p of [analytics, untouched]) await b.fetch(p, { headers: auth() });
  const before = await json<{ count: number }>(await b.fetch(analytics, { headers: auth() }));
  const written = await a.fetch('/api/feedback/submit', {
    method: 'POST',
    headers: { ...auth(), 'content-type': 'application/json' },
    body: JSON.stringify({ recommendationId: t.recommendationId, diagnosisId: t.diagnosisId, rating: 5, adherence: 90 }),
  });
  expect(written.status).toBe(201);
  const after = await b.fetch(analytics, { headers: auth() });
  expect(after.headers.get('x-cache')).toBe('MISS');
  expect((await json<{ count: number }>(after)).count).toBe(before.count + 1);
  expect((await b.fetch(untouched, { headers: auth() })).headers.get('x-cache')).toBe('HIT');
});

test('1,000 writes through A each followed at once by a read on B: B never serves the old value', async () => {
  const t = await targets();
  const summary = `/api/feedback/recommendation/${t.recommendationId}/summary`;
  let expected = (await json<{ count: number }>(await b.fetch(summary, { headers: auth() }))).count;
  let stale = 0;
  for (let n = 0; n < 1_000; n++) {
    const res = await a.fetch('/api/feedback/submit', {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/json' },
      body: JSON.stringify({ recommendationId: t.recommendationId, diagnosisId: t.diagnosisId, rating: 1 + (n % 5), adherence: 50 }),
    });
    expect(res.status).toBe(201);
    expected++;
    const seen = await json<{ count: number }>(await b.fetch(summary, { headers: auth() }));
    if (seen.count !== expected) stale++;
  }
  console.log(`cluster read-after-write: 1000 pairs, ${stale} stale`);
  expect(stale).toBe(0);
});

test('an admin purge through one instance empties the category on every master, and the dashboard shows each master as its node does', async ({ page }) => {
  const t = await targets();
  for (let id = t.otherRecommendationId; id < t.otherRecommendationId + 20; id++) await b.fetch(`/api/analytics/recommendation/${id}`, { headers: auth() });
  const pattern = `${PREFIX}:analytics:*`;
  const spread = await Promise.all(cluster.ports.map((p) => keysOnNode(p, pattern)));
  expect(spread.filter((n) => n > 0).length).toBeGreaterThan(1);

  await page.goto(`${a.url}/en/sign-in?next=/admin`);
  await page.getByLabel('Email').fill(ADMIN.email);
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => u.pathname === '/en/admin', { timeout: 15_000 }).catch(async (error: unknown) => {
    throw new Error(`sign-in did not reach the dashboard: ${page.url()} ${(await page.locator('body').innerText({ timeout: 5_000 })).slice(0, 400)}`, { cause: error });
  });

  // From the page, as the dashboard's own code would: the session cookie is Secure, sent by the browser only.
  const purged = await page.evaluate(async () => {
    const res = await fetch('/api/cache/invalidate', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ category: 'analytics' }) });
    return { status: res.status, body: await res.text() };
  });
  expect(purged.status, purged.body).toBeLessThan(300);
  await expect.poll(async () => (await Promise.all(cluster.ports.map((p) => keysOnNode(p, pattern)))).reduce((x, y) => x + y, 0), { timeout: 15_000 }).toBe(0);

  // Per-master keys as each node counts them (DBSIZE), with the page reloaded until a quiet moment agrees.
  await expect
    .poll(
      async () => {
        await page.goto(`${a.url}/en/admin`);
        const shown = await page.locator('[data-section="cluster"] tr[data-node]').evaluateAll((rows) =>
          rows.map((r) => [r.getAttribute('data-node'), Number(r.querySelector('[data-field="keys"]')?.getAttribute('data-value'))]),
        );
        const actual = await Promise.all(cluster.ports.map(async (p) => [`127.0.0.1:${p}`, Number((await run('redis-cli', ['-p', String(p), 'dbsize'])).stdout.trim())]));
        return JSON.stringify(shown.sort()) === JSON.stringify(actual.sort());
      },
      { timeout: 30_000, intervals: [500] },
    )
    .toBe(true);
  await expect(page.locator('[data-section="cluster"] tr[data-node]')).toHaveCount(3);
});

test('the production build also starts with the standalone and Sentinel URL forms', async () => {
  const redis = await OwnRedis.start();
  const sentinel = await startLocalSentinel();
  try {
    for (const [url, backend] of [
      [redis.url, 'redis'],
      [sentinel.url, 'sentinel'],
    ] as const) {
      const instance = await AppInstance.start({ DATABASE_URL: dbUrl, REDIS_URL: url, CACHE_PREFIX: `${PREFIX}-${backend}` });
      try {
        await expect.poll(async () => (await json<{ cache: { backend: string; ok: boolean } }>(await instance.fetch('/api/health'))).cache, { timeout: 15_000 }).toMatchObject({ backend, ok: true });
      } finally {
        await instance.stop();
      }
    }
    // And refuses a malformed one with one clear line.
    await expect(AppInstance.start({ DATABASE_URL: dbUrl, REDIS_URL: 'redis://a:1,b:2' })).rejects.toThrow(/REDIS_URL lists several hosts/);
  } finally {
    await sentinel.stop();
    await redis.destroy();
  }
});
