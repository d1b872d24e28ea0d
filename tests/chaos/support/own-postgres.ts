import { execFile } from 'node:child_process';
import { chmodSync, chownSync, cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../cache/support/own-redis';

const run = promisify(execFile);
const BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

/** PostgreSQL refuses to run as root; under root (CI containers) its tools run as the `postgres` OS user. */
const asRoot = process.getuid?.() === 0;
const POSTGRES_UID = asRoot ? Number(readFileSync('/etc/passwd', 'utf8').match(/^postgres:[^:]*:(\d+):/m)?.[1]) : undefined;

/** `cpus` (taskset's list): the tool and what it starts (the postmaster, and every backend it forks) run only there. */
function tool(name: string, args: string[], cpus?: string) {
  const file = path.join(BIN, name);
  const argv = asRoot ? ['setpriv', '--reuid=postgres', '--regid=postgres', '--init-groups', file, ...args] : [file, ...args];
  return cpus ? run('taskset', ['-c', cpus, ...argv]) : run(argv[0]!, argv.slice(1));
}

function privateDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  chmodSync(dir, 0o700);
  if (POSTGRES_UID !== undefined) chownSync(dir, POSTGRES_UID, POSTGRES_UID);
  return dir;
}

/**
 * A PostgreSQL cluster of our own (initdb + pg_ctl) in a temp dir on a free port; the shared one on 5432 is
 * never touched. Stopped by its postmaster's pid.
 */
export class OwnPostgres {
  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  get dataDir(): string {
    return path.join(this.dir, 'data');
  }

  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  /** The postmaster's pid (first line of postmaster.pid), undefined when stopped. */
  get pid(): number | undefined {
    try {
      return Number(readFileSync(path.join(this.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    } catch {
      return undefined;
    }
  }

  /** A new cluster, or a copy of an existing (stopped) cluster's data directory: a seeded template is reused. */
  static async create(opts: { copyOf?: string } = {}): Promise<OwnPostgres> {
    const pg = new OwnPostgres(privateDir('mizaj-pg-'), await freePort());
    if (opts.copyOf) {
      cpSync(opts.copyOf, pg.dataDir, { recursive: true });
      if (asRoot) await run('chown', ['-R', 'postgres:postgres', pg.dataDir]);
    } else {
      await tool('initdb', ['-D', pg.dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync', '--locale=C']);
    }
    return pg;
  }

  async start(pin: { cpus?: string } = {}): Promise<void> {
    // fsync off: the faults here are process faults, not power loss; the disk stays out of the figures.
    const opts = `-p ${this.port} -c listen_addresses=127.0.0.1 -k ${this.dir} -c fsync=off -c full_page_writes=off -c max_connections=200 -c shared_preload_libraries=pg_stat_statements`;
    await tool('pg_ctl', ['-D', this.dataDir, '-o', opts, '-l', path.join(this.dir, 'log'), '-w', '-t', '30', 'start'], pin.cpus);
  }

  /** pg_ctl stop (fast: clients are disconnected at once, as when a database goes down). */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    if (this.pid === undefined) return;
    await tool('pg_ctl', ['-D', this.dataDir, '-m', mode, '-w', '-t', '30', 'stop']).catch(() => this.kill());
  }

  private async kill(): Promise<void> {
    const pid = this.pid;
    if (pid === undefined) return;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      return;
    }
    for (let i = 0; i < 100; i++) {
      try {
        process.kill(pid, 0);
      } catch {
        return;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async destroy(): Promise<void> {
    await this.stop('immediate');
    rmSync(this.dir, { recursive: true, force: true });
  }
}
