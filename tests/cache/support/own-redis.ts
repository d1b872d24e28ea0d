import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** A redis-server of our own on a free port, for fault tests (the shared one is never touched). */
export class OwnRedis {
  private child: ChildProcess | undefined;

  private readonly dir: string | undefined;

  private constructor(
    readonly port: number,
    private readonly options: OwnRedisOptions,
  ) {
    this.dir = options.persist || options.snapshots ? mkdtempSync(path.join(os.tmpdir(), 'mizaj-redis-')) : undefined;
  }

  /** persist: AOF with fsync always, so data survives a SIGKILL + restart (stale entries come back). */
  static async start(options: OwnRedisOptions = {}): Promise<OwnRedis> {
    const server = new OwnRedis(await freePort(), options);
    await server.startProcess();
    return server;
  }

  get password(): string | undefined {
    return this.options.password;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async startProcess(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--daemonize', 'no'];
    if (this.options.persist) args.push('--dir', this.dir!, '--appendonly', 'yes', '--appendfsync', 'always');
    else if (this.options.snapshots) args.push('--dir', this.dir!, '--dbfilename', 'dump.rdb', '--appendonly', 'no');
    else args.push('--appendonly', 'no');
    if (this.options.password) args.push('--requirepass', this.options.password);
    if (this.options.debugCommand) args.push('--enable-debug-command', 'yes');
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    this.child = child;
    child.on('error', () => {});
    await waitFor(async () => (await pingRaw(this.port)) !== undefined, 5_000);
  }

  /** Kills our process by its pid and waits until the port refuses connections. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    process.kill(child.pid!, 'SIGKILL');
    await exited;
    this.child = undefined;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.startProcess();
  }

  async destroy(): Promise<void> {
    await this.stop();
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface OwnRedisOptions {
  password?: string;
  persist?: boolean;
  /** Loads dump.rdb on start and keeps what SAVE writes (to restart "from an older snapshot"). */
  snapshots?: boolean;
  /** Allows DEBUG SLEEP (to make Redis slow). */
  debugCommand?: boolean;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Sends PING over a raw socket: '+PONG', '-NOAUTH…', or undefined when nothing listens. */
export function pingRaw(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const done = (v: string | undefined) => {
      socket.destroy();
      resolve(v);
    };
    socket.setTimeout(500, () => done(undefined));
    socket.once('error', () => done(undefined));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (d) => done(d.toString().trim()));
  });
}

export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, stepMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
