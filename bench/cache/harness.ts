import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { Redis } from 'ioredis';

/** Runs `op` with `inFlight` concurrent loops for `ms` after a warm-up; returns ops/s. */
export async function measure(op: () => Promise<unknown>, { inFlight = 64, ms = 3_000, warmupMs = 500 } = {}): Promise<{ opsPerSec: number; ops: number; totalOps: number }> {
  const run = async (duration: number) => {
    let ops = 0;
    const deadline = performance.now() + duration;
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (performance.now() < deadline) {
          await op();
          ops++;
        }
      }),
    );
    return ops;
  };
  const warm = await run(warmupMs);
  const started = performance.now();
  const ops = await run(ms);
  return { opsPerSec: ops / ((performance.now() - started) / 1000), ops, totalOps: warm + ops };
}

/** Redis server CPU seconds so far (user + sys). */
export async function serverCpu(admin: Redis): Promise<number> {
  const text = await admin.info('cpu');
  const get = (k: string) => Number(new RegExp(`${k}:([\\d.]+)`).exec(text)?.[1] ?? 0);
  return get('used_cpu_user') + get('used_cpu_sys');
}

/** Total commands executed by the server (INFO commandstats), excluding INFO itself. */
export async function commandCount(admin: Redis): Promise<number> {
  const text = await admin.info('commandstats');
  let total = 0;
  for (const m of text.matchAll(/^cmdstat_([a-z|_-]+):calls=(\d+)/gm)) if (m[1] !== 'info') total += Number(m[2]);
  return total;
}

export interface BenchRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** Polls until something accepts TCP connections on the port. */
async function listening(port: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (ok) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return false;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * A private redis-server so INFO commandstats counts only this benchmark's commands (the shared one
 * is busy with other work). BENCH_REDIS_URL uses an existing server instead.
 */
export async function benchRedis(): Promise<BenchRedis> {
  if (process.env.BENCH_REDIS_URL) {
    const url = process.env.BENCH_REDIS_URL;
    return { url, port: Number(new URL(url).port || 6379), stop: async () => {} };
  }
  let port = 0;
  let child: ChildProcess | undefined;
  // Another process may grab the free port first: make sure the server we talk to is ours (INFO process_id).
  for (let attempt = 0; attempt < 5 && !child; attempt++) {
    port = await freePort();
    const candidate = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    if (!(await listening(port, 5_000))) {
      candidate.kill('SIGTERM');
      continue;
    }
    const probe = new Redis(port, { maxRetriesPerRequest: 1 });
    probe.on('error', () => {});
    try {
      const pid = /process_id:(\d+)/.exec(await probe.info('server'))?.[1];
      if (Number(pid) === candidate.pid) child = candidate;
      else candidate.kill('SIGTERM');
    } catch {
      candidate.kill('SIGTERM');
    }
    probe.disconnect();
  }
  if (!child) throw new Error('could not start a private redis-server');
  const own = child;
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        if (own.exitCode !== null || !own.pid) return resolve();
        own.once('exit', () => resolve());
        process.kill(own.pid, 'SIGTERM');
      }),
  };
}

/** A ~2 KB JSON value shaped like a recommendations list. */
export function sampleValue(): object {
  return {
    conditionId: 7,
    items: Array.from({ length: 12 }, (_, i) => ({
      id: 100 + i,
      kind: i % 3 === 0 ? 'herbal' : i % 3 === 1 ? 'dietary' : 'lifestyle',
      name: { en: `Remedy ${i}`, fa: `درمان ${i}` },
      temperament: 'garm_khoshk',
      effectivenessScore: 0.5 + i / 100,
      dosage: '2 g daily',
    })),
  };
}
