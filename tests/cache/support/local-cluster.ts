import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { pingRaw, waitFor } from './own-redis';

const run = promisify(execFile);

export interface LocalCluster {
  url: string;
  ports: number[];
  stop(): Promise<void>;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

async function pickPorts(n: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < n) {
    const p = 20_000 + Math.floor(Math.random() * 20_000);
    // Cluster nodes also listen on port + 10000 for their bus.
    if (!ports.includes(p) && (await portFree(p)) && (await portFree(p + 10_000))) ports.push(p);
  }
  return ports;
}

/** Three masters (no replicas) of our own, joined with `redis-cli --cluster create`; stop() kills them by pid. */
export async function startLocalCluster(): Promise<LocalCluster> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mizaj-cluster-'));
  const ports = await pickPorts(3);
  const children: ChildProcess[] = ports.map((port) => {
    const child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
      { cwd: dir, stdio: 'ignore' },
    );
    child.on('error', () => {});
    return child;
  });
  const stop = async () => {
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || !c.pid) return resolve();
            c.once('exit', () => resolve());
            process.kill(c.pid, 'SIGKILL');
          }),
      ),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(async () => (await Promise.all(ports.map(pingRaw))).every((r) => r === '+PONG'), 5_000);
    await run('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes']);
    await waitFor(async () => {
      const states = await Promise.all(ports.map((p) => run('redis-cli', ['-p', String(p), 'cluster', 'info']).then((r) => r.stdout)));
      return states.every((s) => s.includes('cluster_state:ok'));
    }, 10_000, 100);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `redis+cluster://${ports.map((p) => `127.0.0.1:${p}`).join(',')}`, ports, stop };
}
