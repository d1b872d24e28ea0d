import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import path from 'node:path';
import { freePort } from '../../cache/support/own-redis';
import { serverArgv } from '../../../scripts/server-command';

export const ROOT = path.resolve(import.meta.dirname, '../../..');
export const SERVER_BUNDLE = path.join(ROOT, '.next/mizaj-server.mjs');

export type AppEnv = { DATABASE_URL: string; REDIS_URL: string; CACHE_PREFIX: string } & Record<string, string>;

/**
 * One production-build app instance (`node .next/mizaj-server.mjs`, as `npm start` runs it) on a free port,
 * its output in a log file. Faults are signals sent to its pid.
 */
export class AppInstance {
  private child: ChildProcess | undefined;

  private exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }> | undefined;

  private constructor(
    readonly name: string,
    readonly port: number,
    private readonly env: AppEnv,
    readonly logFile: string,
  ) {}

  static async start(name: string, env: AppEnv, logDir: string): Promise<AppInstance> {
    const app = new AppInstance(name, await freePort(), env, path.join(logDir, `${name}.log`));
    await app.spawn();
    return app;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.exitCode === null && this.child.signalCode === null ? this.child.pid : undefined;
  }

  async spawn(): Promise<void> {
    const log = createWriteStream(this.logFile, { flags: 'a' });
    const child = spawn(process.execPath, serverArgv(ROOT), {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NODE_ENV: 'production',
        NEXT_TELEMETRY_DISABLED: '1',
        HOST: '127.0.0.1',
        PORT: String(this.port),
        // One process per instance: the faults here are injected into a pid (the workers' primary is tested in tests/prod/cluster.test.ts).
        WEB_CONCURRENCY: '1',
        SESSION_SECRET: 'chaos-only-session-secret-0123456789abcdef',
        // Production refuses to start without a key for cached patient data (issue 10).
        CACHE_ENCRYPTION_KEYS: 'Y2hhb3Mtb25seS1jYWNoZS1rZXktMDEyMzQ1Njc4OWE=',
        ...this.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.pipe(log);
    child.stderr!.pipe(log);
    this.child = child;
    this.exit = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })));
    await this.waitHealthy(60_000);
  }

  /** Until /api/health answers 200 with the database reachable (the instance is ready for traffic). */
  async waitHealthy(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.pid === undefined) throw new Error(`${this.name} exited before it was ready; see ${this.logFile}:\n${this.logTail()}`);
      const ok = await fetch(`${this.url}/api/health`, { signal: AbortSignal.timeout(2_000) })
        .then((r) => r.ok)
        .catch(() => false);
      if (ok) return;
      if (Date.now() > deadline) throw new Error(`${this.name} not healthy within ${timeoutMs} ms; see ${this.logFile}:\n${this.logTail()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  signal(sig: NodeJS.Signals): void {
    const pid = this.pid;
    if (pid === undefined) throw new Error(`${this.name} is not running`);
    process.kill(pid, sig);
  }

  /** How the process ended (code/signal and when), once it has. */
  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }> {
    return this.exit!;
  }

  /** SIGKILL by pid, and wait until it is gone. */
  async kill(): Promise<void> {
    if (this.pid === undefined) return;
    const done = this.exited();
    this.signal('SIGKILL');
    await done;
  }

  logTail(lines = 30): string {
    try {
      return readFileSync(this.logFile, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }

  /** Log lines at warn or above whose time is within `ms` of `at` (to explain a failed request). */
  warningsNear(at: number, ms = 2_000): string[] {
    let lines: string[];
    try {
      lines = readFileSync(this.logFile, 'utf8').split('\n');
    } catch {
      return [];
    }
    return lines.filter((l) => {
      const m = /"level":(\d+),"time":(\d+)/.exec(l);
      return m !== null && Number(m[1]) >= 40 && Math.abs(Number(m[2]) - at) <= ms;
    });
  }

  /** Stack traces in the log (raw or inside a JSON line): the issue wants one line per state change, not a trace per request. */
  stackTraces(): number {
    let lines: string[];
    try {
      lines = readFileSync(this.logFile, 'utf8').split('\n');
    } catch {
      return 0;
    }
    const frame = (l: string | undefined) => l !== undefined && /^\s+at /.test(l);
    return lines.filter((l, i) => /\\n\s+at /.test(l) || (frame(l) && !frame(lines[i - 1]))).length;
  }
}
