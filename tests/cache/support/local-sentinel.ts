import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, OwnRedis, pingRaw, waitFor } from './own-redis';

/** A master of our own watched by one Sentinel of our own, on free ports; stopped by pid. */
export async function startLocalSentinel(masterName = 'mizaj'): Promise<{ url: string; stop(): Promise<void> }> {
  const master = await OwnRedis.start();
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mizaj-sentinel-'));
  const conf = path.join(dir, 'sentinel.conf');
  // Sentinel rewrites its config file, so it gets a private, writable one.
  writeFileSync(conf, [`port ${port}`, 'bind 127.0.0.1', `dir ${dir}`, `sentinel monitor ${masterName} 127.0.0.1 ${master.port} 1`, ''].join('\n'));
  const child: ChildProcess = spawn('redis-server', [conf, '--sentinel'], { stdio: 'ignore' });
  child.on('error', () => {});
  await waitFor(async () => (await pingRaw(port)) !== undefined, 5_000);
  return {
    url: `redis+sentinel://127.0.0.1:${port}/${masterName}`,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        process.kill(child.pid!, 'SIGKILL');
        await exited;
      }
      await master.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
