/**
 * The dashboard's figures on a 3-master Redis Cluster of our own: combined the way they mean, one row per
 * master that equals what that node's INFO and SCAN say, and a key scan that covers every master from the
 * very first pass of a freshly started instance.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeRow } from '@/lib/admin/dashboard';
import { scanKeyspace } from '@/lib/admin/keyspace';
import { createCache, type Cache } from '@/lib/cache';
import { combineInfo } from '@/lib/cache/stores/redis-store';
import { startLocalCluster, type LocalCluster } from '../cache/support/local-cluster';
import { testPrefix } from '../cache/support/shared-redis';

const run = promisify(execFile);
const prefix = testPrefix('cluster-dash');
let cluster: LocalCluster;
let writer: Cache;

beforeAll(async () => {
  cluster = await startLocalCluster();
  writer = createCache({ prefix, redis: { url: cluster.url, commandTimeoutMs: 1_000 } });
  await writer.ready(10_000);
  const entry = writer.cached(async (id: number) => ({ id, text: 'x'.repeat(200 + id) }), ['dash'], { category: 'analytics', tags: (id) => [`rec:${id}`] });
  for (let id = 0; id < 90; id++) await entry(id);
}, 60_000);

afterAll(async () => {
  await writer.close();
  await cluster.stop();
});

/** What one node says of itself, asked with redis-cli (not through the code under test). */
async function nodeSays(port: number) {
  const info = (await run('redis-cli', ['-p', String(port), 'info'])).stdout;
  const field = (k: string) => Number(new RegExp(`^${k}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0);
  const keys = Number((await run('redis-cli', ['-p', String(port), 'dbsize'])).stdout.trim());
  const mine = (await run('redis-cli', ['-p', String(port), '--scan', '--pattern', `${prefix}:analytics:*`])).stdout.split('\n').filter(Boolean).length;
  return { usedMemory: field('used_memory'), frag: field('mem_fragmentation_ratio'), system: field('total_system_memory'), keys, mine };
}

describe('dashboard on Redis Cluster', () => {
  it('combines INFO as each figure means: ratios weighted by memory, host memory per node, counters summed', () => {
    const node = (used: number, frag: number) => ({ used_memory: String(used), mem_fragmentation_ratio: String(frag), total_system_memory: '25000000000', keyspace_hits: '10', uptime_in_seconds: String(used) });
    const combined = combineInfo([node(1_000, 6.8), node(1_000, 6.8), node(2_000, 2)]);
    expect(Number(combined.mem_fragmentation_ratio)).toBeCloseTo((6.8 + 6.8 + 2 * 2) / 4, 6);
    expect(combined.total_system_memory).toBe('25000000000');
    expect(combined.keyspace_hits).toBe('30');
    expect(combined.used_memory).toBe('4000');
    expect(combined.uptime_in_seconds).toBe('1000');
    expect(combined.cluster_masters).toBe('3');
  });

  it('INFO of the whole store and one row per master equal what each node reports', async () => {
    const said = await Promise.all(cluster.ports.map(nodeSays));
    const info = await writer.admin.info();
    expect(Number(info.total_system_memory)).toBe(Math.max(...said.map((s) => s.system)));
    expect(Number(info.mem_fragmentation_ratio)).toBeLessThanOrEqual(Math.max(...said.map((s) => s.frag)) + 0.5);
    expect(Number(info.mem_fragmentation_ratio)).toBeGreaterThanOrEqual(Math.min(...said.map((s) => s.frag)) - 0.5);
    const rows = (await writer.admin.nodes()).map((n) => nodeRow(n.address, n.fields));
    expect(rows.map((r) => r.address).sort()).toEqual(cluster.ports.map((p) => `127.0.0.1:${p}`).sort());
    for (const [i, port] of cluster.ports.entries()) {
      const row = rows.find((r) => r.address === `127.0.0.1:${port}`)!;
      expect(row.keys, `keys on ${port}`).toBe(said[i]!.keys);
    }
    // Every master holds some of the entries: a sum would hide which.
    expect(said.every((s) => s.mine > 0)).toBe(true);
  });

  it('the first key scan of a freshly started instance covers every master', async () => {
    const direct = (await Promise.all(cluster.ports.map(nodeSays))).reduce((a, s) => a + s.mine, 0);
    expect(direct).toBe(90);
    const fresh = createCache({ prefix, redis: { url: cluster.url.split(',')[0]!, commandTimeoutMs: 1_000 } });
    try {
      const scan = await scanKeyspace(fresh);
      expect(scan.categories.analytics?.keys).toBe(90);
    } finally {
      await fresh.close();
    }
  }, 30_000);

  it('a category purge through one instance empties it on every master', async () => {
    const report = await writer.admin.purge('analytics');
    expect(report.deleted).toBe(90);
    for (const port of cluster.ports) expect((await nodeSays(port)).mine, `node ${port}`).toBe(0);
  });
});
