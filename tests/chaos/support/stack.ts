import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { inject } from 'vitest';
import { OwnRedis } from '../../cache/support/own-redis';
import { LoadClient } from '../load/load-client';
import { AppInstance } from './app-instance';
import { OwnPostgres } from './own-postgres';
import { OwnSentinel } from './own-sentinel';
import { TcpProxy } from './tcp-proxy';

export type Target = { rec: number; diag: number };

/** Everything one scenario runs on, all started here and stopped by pid in stop(). */
export type Stack = {
  pg: OwnPostgres;
  /** The Redis the apps use (the master, for Sentinel). */
  redis: OwnRedis;
  sentinel?: OwnSentinel;
  A: AppInstance;
  B: AppInstance;
  /** A's Redis goes through this proxy when asked for (`proxyA`). */
  proxyA?: TcpProxy;
  load: LoadClient;
  sql: postgres.Sql;
  key: string;
  /** Recommendations with a diagnosis of their condition (a valid feedback target), by recommendation id. */
  targets: Target[];
  /** Stack traces in both instances' logs. */
  stackTraces(): number;
  stop(): Promise<void>;
};

export type StackOptions = { sentinel?: boolean; proxyA?: boolean; maxSockets?: number; env?: Record<string, string> };

export async function startStack(name: string, opts: StackOptions = {}): Promise<Stack> {
  const logDir = mkdtempSync(path.join(os.tmpdir(), `mizaj-chaos-${name}-`));
  // CHAOS_KEEP_LOGS=1 keeps the instances' logs (their directory is printed) for a failing run.
  const keepLogs = !!process.env.CHAOS_KEEP_LOGS;
  if (keepLogs) console.log(`chaos ${name}: app logs in ${logDir}`);
  const cleanups: (() => Promise<void> | void)[] = [() => (keepLogs ? undefined : rmSync(logDir, { recursive: true, force: true }))];
  const stop = async () => {
    for (const c of cleanups.reverse()) await Promise.resolve(c()).catch(() => {});
  };
  try {
    const pg = await OwnPostgres.create({ copyOf: inject('chaosTemplate') });
    cleanups.push(() => pg.destroy());
    await pg.start();

    const sentinel = opts.sentinel ? await OwnSentinel.start() : undefined;
    const redis = sentinel ? sentinel.master : await OwnRedis.start();
    cleanups.push(() => (sentinel ? sentinel.destroy() : redis.destroy()));
    const redisUrl = sentinel ? sentinel.url : redis.url;
    const proxyA = opts.proxyA ? await TcpProxy.start(redis.port) : undefined;
    if (proxyA) cleanups.push(() => proxyA.close());

    // CHAOS_APP_ENV='{"CACHE_ENABLED":"false"}' runs a scenario against a broken variant (its assertions must fail).
    const variant = JSON.parse(process.env.CHAOS_APP_ENV ?? '{}') as Record<string, string>;
    const env = { DATABASE_URL: pg.url('mizaj'), CACHE_PREFIX: `chaos-${name}`, LOG_LEVEL: 'info', ...opts.env, ...variant };
    const [A, B] = await Promise.all([
      AppInstance.start('A', { ...env, REDIS_URL: proxyA ? proxyA.url : redisUrl }, logDir),
      AppInstance.start('B', { ...env, REDIS_URL: redisUrl }, logDir),
    ]);
    cleanups.push(() => A.kill(), () => B.kill());

    const load = LoadClient.start({ maxSockets: opts.maxSockets });
    cleanups.push(() => load.close());
    const sql = postgres(pg.url('mizaj'), { max: 2, onnotice: () => {} });
    cleanups.push(() => sql.end({ timeout: 1 }));

    const targets = await sql<Target[]>`
      select r.id as rec, (select min(d.id) from diagnoses d where d.condition_id = r.condition_id) as diag
      from recommendations r
      where exists (select 1 from diagnoses d where d.condition_id = r.condition_id)
      order by r.id`;
    return { pg, redis, sentinel, A: A!, B: B!, proxyA, load, sql, key: inject('chaosApiKey'), targets: [...targets], stackTraces: () => A!.stackTraces() + B!.stackTraces(), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
