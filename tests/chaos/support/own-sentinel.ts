import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort, OwnRedis, pingRaw, waitFor } from '../../cache/support/own-redis';
import { TcpProxy } from './tcp-proxy';

const run = promisify(execFile);
const cli = async (port: number, ...args: string[]) => (await run('redis-cli', ['-p', String(port), ...args])).stdout.trim();

function startRedis(args: string[]): ChildProcess {
  const child = spawn('redis-server', args, { stdio: 'ignore' });
  child.on('error', () => {});
  return child;
}

async function killByPid(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(child.pid!, 'SIGKILL');
  await exited;
}

/**
 * Our own Redis master, one replica and one Sentinel (quorum 1, master declared down after 1 s) on free
 * ports, for a failover under load. Everything is stopped by pid.
 */
export class OwnSentinel {
  private constructor(
    readonly master: OwnRedis,
    /** The replica's replication link (pause() it: the replica falls behind; cut() it: what it missed is lost). */
    readonly link: TcpProxy,
    readonly replicaPort: number,
    private readonly replica: ChildProcess,
    readonly sentinelPort: number,
    private readonly sentinel: ChildProcess,
    private readonly dir: string,
    readonly masterName: string,
  ) {}

  static async start(masterName = 'mizaj'): Promise<OwnSentinel> {
    const master = await OwnRedis.start();
    const replicaPort = await freePort();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mizaj-chaos-sentinel-'));
    // The replica follows the master through a proxy, so its link can hang and lose what was in flight. Its
    // full sync writes an RDB file: into our temp dir, not the working directory.
    const link = await TcpProxy.start(master.port);
    const replica = startRedis(['--port', String(replicaPort), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--replicaof', '127.0.0.1', String(link.port)]);
    await waitFor(async () => (await cli(master.port, 'info', 'replication')).includes('connected_slaves:1'), 10_000, 50);
    const sentinelPort = await freePort();
    const conf = path.join(dir, 'sentinel.conf');
    writeFileSync(
      conf,
      [
        `port ${sentinelPort}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `sentinel monitor ${masterName} 127.0.0.1 ${master.port} 1`,
        `sentinel down-after-milliseconds ${masterName} 1000`,
        `sentinel failover-timeout ${masterName} 5000`,
        '',
      ].join('\n'),
    );
    const sentinel = startRedis([conf, '--sentinel']);
    const s = new OwnSentinel(master, link, replicaPort, replica, sentinelPort, sentinel, dir, masterName);
    await waitFor(async () => (await pingRaw(sentinelPort)) !== undefined, 5_000);
    // The replica must be known to Sentinel before the master dies, or there is nothing to promote.
    await waitFor(async () => (await cli(sentinelPort, 'sentinel', 'replicas', masterName)).includes(String(replicaPort)), 20_000, 100);
    return s;
  }

  get url(): string {
    return `redis+sentinel://127.0.0.1:${this.sentinelPort}/${this.masterName}`;
  }

  /** The port Sentinel currently names as master. */
  async masterPort(): Promise<number> {
    const out = await cli(this.sentinelPort, 'sentinel', 'get-master-addr-by-name', this.masterName);
    return Number(out.split('\n')[1]);
  }

  async destroy(): Promise<void> {
    await killByPid(this.sentinel);
    await killByPid(this.replica);
    await this.link.close();
    await this.master.destroy();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
