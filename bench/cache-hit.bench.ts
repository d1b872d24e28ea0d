/**
 * Get-hit throughput of the cache, 64 in flight, a ~2 KB value:
 *   raw ioredis GET + JSON.parse | ours, Redis only, 2 tags | ours, L1 + Redis, 2 tags | bentocache, 1 tag
 * Prints ops/s, ratios against raw, and Redis commands per hit (INFO commandstats deltas), and writes
 * the cache section of bench/RESULTS.md.  Run: npm run bench:cache
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BentoCache, bentostore } from 'bentocache';
import { redisDriver } from 'bentocache/drivers/redis';
import { Redis } from 'ioredis';
import { createCache } from '@/lib/cache';
import { benchRedis, commandCount, measure, sampleValue } from './cache/harness';

const MS = Number(process.env.BENCH_MS ?? 3_000);
const IN_FLIGHT = 64;

interface Row {
  name: string;
  opsPerSec: number;
  commandsPerHit: number;
}

async function main() {
  const server = await benchRedis();
  const admin = new Redis(server.url);
  const value = sampleValue();
  const json = JSON.stringify(value);
  const rows: Row[] = [];

  const scenario = async (name: string, op: () => Promise<unknown>) => {
    await op(); // fill
    const before = await commandCount(admin);
    const { opsPerSec, totalOps } = await measure(op, { inFlight: IN_FLIGHT, ms: MS });
    const after = await commandCount(admin);
    const perHit = (after - before) / totalOps;
    rows.push({ name, opsPerSec, commandsPerHit: perHit });
    console.log(`${name.padEnd(40)} ${Math.round(opsPerSec).toLocaleString('en').padStart(10)} ops/s  ${perHit.toFixed(2)} cmd/hit`);
  };

  // 1. The client's ceiling.
  const raw = new Redis(server.url);
  await raw.set('bench:raw', json);
  await scenario('raw ioredis GET + JSON.parse', async () => JSON.parse((await raw.get('bench:raw'))!));
  raw.disconnect();

  // 2. Ours, Redis only.
  const redisOnly = createCache({ prefix: 'bench-r', redis: { url: server.url, commandTimeoutMs: 1_000 }, l1: false });
  await redisOnly.ready();
  const getR = redisOnly.cached(async (id: number) => ({ ...value, id }), ['bench'], { category: 'recommendations', tags: (id) => [`recommendation:${id}`, 'condition:7'] });
  await scenario('ours, Redis only, 2 tags', () => getR(7));

  // 3. Ours, L1 + Redis.
  const tiered = createCache({ prefix: 'bench-t', redis: { url: server.url, commandTimeoutMs: 1_000 }, l1: {} });
  await tiered.ready();
  const getT = tiered.cached(async (id: number) => ({ ...value, id }), ['bench'], { category: 'recommendations', tags: (id) => [`recommendation:${id}`, 'condition:7'] });
  await scenario('ours, L1 + Redis, 2 tags', () => getT(7));

  // 4. bentocache, Redis L2 only, one tag.
  const bentoConn = new Redis(server.url);
  const bento = new BentoCache({ default: 'r', stores: { r: bentostore().useL2Layer(redisDriver({ connection: bentoConn })) } });
  await scenario('bentocache, Redis only, 1 tag', () => bento.getOrSet({ key: 'rec:7', factory: async () => ({ ...value, id: 7 }), tags: ['recommendation:7'], ttl: '1h' }));

  const rawOps = rows[0]!.opsPerSec;
  const bentoOps = rows[3]!.opsPerSec;
  console.log('\nratios vs raw ioredis:');
  for (const r of rows) console.log(`  ${r.name.padEnd(40)} ${(r.opsPerSec / rawOps).toFixed(2)}×`);
  console.log(`  ours Redis-only vs bentocache: ${(rows[1]!.opsPerSec / bentoOps).toFixed(2)}×`);

  writeResults(rows, rawOps, bentoOps);
  await Promise.all([redisOnly.close(), tiered.close(), bento.disconnectAll()]);
  admin.disconnect();
  await server.stop();
}

function writeResults(rows: Row[], rawOps: number, bentoOps: number) {
  const file = path.join(import.meta.dirname, 'RESULTS.md');
  const table = [
    '| scenario | ops/s | × raw | Redis commands per hit |',
    '|---|---:|---:|---:|',
    ...rows.map((r) => `| ${r.name} | ${Math.round(r.opsPerSec).toLocaleString('en')} | ${(r.opsPerSec / rawOps).toFixed(2)} | ${r.commandsPerHit.toFixed(2)} |`),
  ].join('\n');
  const section = [
    '<!-- cache:start -->',
    '## Cache get-hit (`npm run bench:cache`)',
    '',
    `${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores (${os.cpus()[0]?.model.trim() ?? 'cpu'}), Node ${process.version}, ${IN_FLIGHT} in flight, ~2 KB JSON value, ${MS / 1000} s per scenario, a private redis-server (so INFO commandstats counts only this run).`,
    '',
    table,
    '',
    `Ours, Redis only, 2 tags vs bentocache with 1 tag: **${(rows[1]!.opsPerSec / bentoOps).toFixed(2)}×**. Aims: ≥ 0.8× raw and ≥ 2× bentocache with one round trip (one MGET of entry + category version + 2 tag versions); L1 ≥ 5× raw.`,
    '<!-- cache:end -->',
  ].join('\n');
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmark results\n';
  const next = /<!-- cache:start -->[\s\S]*<!-- cache:end -->/.test(current)
    ? current.replace(/<!-- cache:start -->[\s\S]*<!-- cache:end -->/, section)
    : `${current.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, next);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
