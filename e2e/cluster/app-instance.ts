import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { freePort, waitFor } from '../../tests/cache/support/own-redis';
import { serverArgv } from '../../scripts/server-command';

const ROOT = path.resolve(import.meta.dirname, '../..');
const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A database of this run's own on the test PostgreSQL, seeded by the project's own scripts. */
export function createSeededDatabase(name: string, env: Record<string, string> = {}): string {
  execFileSync('psql', [ADMIN_URL, '-q', '-v', 'ON_ERROR_STOP=1', '-c', `drop database if exists ${name} with (force)`, '-c', `create database ${name}`]);
  const url = ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
  npmRun(['db:seed', '--', '--patients', '200', '--seed', '7'], { DATABASE_URL: url, NODE_ENV: 'test', ...env });
  return url;
}

export function dropDatabase(name: string): void {
  execFileSync('psql', [ADMIN_URL, '-q', '-c', `drop database if exists ${name} with (force)`]);
}

/** Runs one of the project's npm scripts and returns what it printed on stdout. */
export function npmRun(args: string[], env: Record<string, string>, input?: string): string {
  return execFileSync('npm', ['run', '-s', ...args], { cwd: ROOT, env: { ...process.env, ...env }, input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] }).trim();
}

/** One production-build app process (`npm start`'s command), on a free port, stopped by its pid. */
export class AppInstance {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    readonly output: string[],
  ) {}

  static async start(env: Record<string, string>): Promise<AppInstance> {
    const port = await freePort();
    const output: string[] = [];
    const child = spawn(process.execPath, serverArgv(ROOT), {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: 'production', HOST: '127.0.0.1', PORT: String(port), WEB_CONCURRENCY: '1', SESSION_SECRET: 'e2e-cluster-session-secret-0123456789abcdef', CACHE_ENCRYPTION_KEYS: 'ZTJlLWNsdXN0ZXItY2FjaGUta2V5LTAxMjM0NTY3ODk=', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [child.stdout!, child.stderr!]) stream.on('data', (d: Buffer) => output.push(d.toString()));
    const instance = new AppInstance(child, `http://127.0.0.1:${port}`, output);
    try {
      await waitFor(async () => {
        if (child.exitCode !== null) throw new Error(`app exited ${child.exitCode}: ${output.join('').slice(-2000)}`);
        return (await fetch(`${instance.url}/api/health`).catch(() => undefined))?.status === 200;
      }, 60_000, 200);
    } catch (error) {
      await instance.stop();
      throw error;
    }
    return instance;
  }

  fetch(pathname: string, init: RequestInit = {}): Promise<Response> {
    return fetch(this.url + pathname, init);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || !this.child.pid) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    process.kill(this.child.pid, 'SIGKILL');
    await exited;
  }
}
