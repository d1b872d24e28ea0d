/**
 * Get-hit throughput of the cache, 64 in flight, a ~2 KB value:
 *   raw ioredis GET + JSON.parse | ours, Redis only, 2 tags (plain, and encrypted as patient data) | ours, L1 + Redis, 2 tags
 *   | bentocache, 1 tag never invalidated | bentocache, 1 tag invalidated once
 * Prints ops/s, ratios against raw, and Redis commands per hit (INFO commandstats deltas), and writes
 * the cache section of bench/RESULTS.md.  Run: npm run bench:cache
 */
import os from 'node:os';
import { BentoCache, bentostore } from 'bentocache';
import { redisDriver } from 'bentocache/drivers/redis';
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { resultsSection, writeResultsSection } from './results-file';
import { createCache } from '@/lib/cache';
import { EntryCipher, parseEncryptionKeys } from '@/lib/cache/encryption';
import { benchRedis, commandCount, measure, sampleValue, serverCpu } from './cache/harness';

// BENCH_QUICK=1: one short round, to check the script (not a measurement).
const QUICK = process.env.BENCH_QUICK === '1';
const MS = QUICK ? 1_000 : Number(process.env.BENCH_MS ?? 5_000);
const ROUNDS = QUICK ? 1 : 5;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}
const IN_FLIGHT = 64;

interface Row {
  name: string;
  opsPerSec: number;
  commandsPerHit: number;
  /** CPU per hit in µs: this process, and the Redis server. Stable under a shared machine's load swings. */
  clientCpuUs: number;
  serverCpuUs: number;
}

async function main() {
  const server = await benchRedis();
  try {
    await run(server.url);
  } finally {
    await server.stop(); // never leave our redis-server behind, even when a scenario fails
  }
}

async function run(url: string) {
  const server = { url };
  const admin = new Redis(server.url);
  const value = sampleValue();
  const json = JSON.stringify(value);
  const scenarios: { name: string; op: () => Promise<unknown> }[] = [];

  // 1. The client's ceiling.
  const raw = new Redis(server.url);
  await raw.set('bench:raw', json);
  scenarios.push({ name: 'raw ioredis GET + JSON.parse', op: async () => JSON.parse((await raw.get('bench:raw'))!) });

  // 1b. The same with ioredis auto-pipelining (what our store enables), for transparency.
  const rawPipelined = new Redis(server.url, { enableAutoPipelining: true });
  scenarios.push({ name: 'raw ioredis, auto-pipelining', op: async () => JSON.parse((await rawPipelined.get('bench:raw'))!) });

  // 2. Ours, Redis only.
  const redisOnly = createCache({ prefix: 'bench-r', redis: { url: server.url, commandTimeoutMs: 1_000 }, l1: false });
  await redisOnly.ready();
  const getR = redisOnly.cached(async (id: number) => ({ ...value, id }), ['bench'], { category: 'recommendations', tags: (id) => [`recommendation:${id}`, 'condition:7'] });
  // Concurrent reads of one key share one MGET, so the per-hit figure rotates over as many keys as are in flight.
  const ids = Array.from({ length: IN_FLIGHT }, (_, i) => i + 1);
  for (const id of ids) await getR(id);
  let next = 0;
  scenarios.push({ name: 'ours, Redis only, 2 tags', op: () => getR(ids[next++ % ids.length]!) });
  scenarios.push({ name: 'ours, one hot key, Redis only (reads shared)', op: () => getR(7) });

  // 2b. The same for a patient-data category: the entry is sealed with AES-256-GCM (CACHE_ENCRYPTION_KEYS).
  const sealed = createCache({ prefix: 'bench-e', redis: { url: server.url, commandTimeoutMs: 1_000 }, l1: false, encryption: new EntryCipher(parseEncryptionKeys(randomBytes(32).toString('base64'))) });
  await sealed.ready();
  const getE = sealed.cached(async (id: number) => ({ ...value, id }), ['bench'], { category: 'profile', tags: (id) => [`patient:${id}`, 'condition:7'] });
  // Rotated over as many keys as are in flight, as the plain row, so each hit is its own MGET and decryption.
  for (const id of ids) await getE(id);
  let nextE = 0;
  scenarios.push({ name: 'ours, Redis only, 2 tags, encrypted', op: () => getE(ids[nextE++ % ids.length]!) });

  // 3. Ours, L1 + Redis.
  const tiered = createCache({ prefix: 'bench-t', redis: { url: server.url, commandTimeoutMs: 1_000 }, l1: {} });
  await tiered.ready();
  const getT = tiered.cached(async (id: number) => ({ ...value, id }), ['bench'], { category: 'recommendations', tags: (id) => [`recommendation:${id}`, 'condition:7'] });
  scenarios.push({ name: 'ours, L1 + Redis, 2 tags', op: () => getT(7) });

  // 4. bentocache, Redis L2 only, one tag, in its two states: a tag never invalidated costs it 3 GETs per
  // hit, a tag invalidated once 2 (it then knows the tag's invalidation time).
  const bentoConn = new Redis(server.url);
  const bento = new BentoCache({ default: 'r', stores: { r: bentostore().useL2Layer(redisDriver({ connection: bentoConn })) } });
  scenarios.push({
    name: 'bentocache, Redis only, 1 tag never invalidated',
    op: () => bento.getOrSet({ key: 'rec:7', factory: async () => ({ ...value, id: 7 }), tags: ['recommendation:7'], ttl: '1h' }),
  });
  await bento.deleteByTag({ tags: ['recommendation:8'] });
  scenarios.push({
    name: 'bentocache, Redis only, 1 tag invalidated once',
    op: () => bento.getOrSet({ key: 'rec:8', factory: async () => ({ ...value, id: 8 }), tags: ['recommendation:8'], ttl: '1h' }),
  });

  // The machine is shared, so load drifts: scenarios run in interleaved rounds and each reports its median.
  for (const s of scenarios) await s.op();
  const samples = scenarios.map(() => ({ rates: [] as number[], commands: 0, ops: 0, clientUs: 0, serverS: 0 }));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, s] of scenarios.entries()) {
      const before = await commandCount(admin);
      const cpuBefore = await serverCpu(admin);
      const usage = process.cpuUsage();
      const { opsPerSec, totalOps } = await measure(s.op, { inFlight: IN_FLIGHT, ms: MS / ROUNDS, warmupMs: 200 });
      const used = process.cpuUsage(usage);
      const cpuAfter = await serverCpu(admin);
      const after = await commandCount(admin);
      const sample = samples[i]!;
      sample.rates.push(opsPerSec);
      sample.commands += after - before;
      sample.ops += totalOps;
      sample.clientUs += used.user + used.system;
      sample.serverS += cpuAfter - cpuBefore;
    }
  }
  const rows: Row[] = scenarios.map((s, i) => {
    const x = samples[i]!;
    return { name: s.name, opsPerSec: median(x.rates), commandsPerHit: x.commands / x.ops, clientCpuUs: x.clientUs / x.ops, serverCpuUs: (x.serverS * 1e6) / x.ops };
  });
  for (const r of rows) {
    console.log(
      `${r.name.padEnd(40)} ${Math.round(r.opsPerSec).toLocaleString('en').padStart(10)} ops/s  ${r.commandsPerHit.toFixed(2)} cmd/hit  ${r.clientCpuUs.toFixed(1)} µs node + ${r.serverCpuUs.toFixed(1)} µs redis CPU/hit`,
    );
  }
  raw.disconnect();
  rawPipelined.disconnect();

  const rawOps = rows[0]!.opsPerSec;
  const bentoOps = rows.find((r) => r.name === 'bentocache, Redis only, 1 tag never invalidated')!.opsPerSec;
  const bentoOnceOps = rows.find((r) => r.name === 'bentocache, Redis only, 1 tag invalidated once')!.opsPerSec;
  console.log('\nratios vs raw ioredis:');
  for (const r of rows) console.log(`  ${r.name.padEnd(40)} ${(r.opsPerSec / rawOps).toFixed(2)}×`);
  const cost = (r: Row) => r.clientCpuUs + r.serverCpuUs;
  console.log('\nCPU-cost ratios vs raw (raw CPU per hit / scenario CPU per hit; what throughput converges to when CPU-bound):');
  for (const r of rows) console.log(`  ${r.name.padEnd(40)} ${(cost(rows[0]!) / cost(r)).toFixed(2)}×`);
  console.log(`  ours Redis-only vs bentocache: ${(rows.find((r) => r.name.startsWith('ours, Redis only'))!.opsPerSec / bentoOps).toFixed(2)}×`);
  console.log(`  ours Redis-only vs bentocache, tag invalidated once: ${(rows.find((r) => r.name.startsWith('ours, Redis only'))!.opsPerSec / bentoOnceOps).toFixed(2)}×`);
  const [plain, sealedRow] = ['ours, Redis only, 2 tags', 'ours, Redis only, 2 tags, encrypted'].map((n) => rows.find((r) => r.name === n)!);
  console.log(`\nencryption (AES-256-GCM) per hit: ${(sealedRow!.clientCpuUs - plain!.clientCpuUs).toFixed(1)} µs more node CPU, ${(sealedRow!.opsPerSec / plain!.opsPerSec).toFixed(2)}× the unencrypted ops/s`);

  writeResults(rows, rawOps, bentoOps, bentoOnceOps);
  await Promise.allSettled([redisOnly.close(), sealed.close(), tiered.close(), bento.disconnectAll()]);
  admin.disconnect();
}

function writeResults(rows: Row[], rawOps: number, bentoOps: number, bentoOnceOps: number) {
  const table = [
    '| scenario | ops/s (median) | × raw | Redis commands per hit | CPU µs per hit (node + redis) | × raw by CPU cost |',
    '|---|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.name} | ${Math.round(r.opsPerSec).toLocaleString('en')} | ${(r.opsPerSec / rawOps).toFixed(2)} | ${r.commandsPerHit.toFixed(2)} | ${r.clientCpuUs.toFixed(1)} + ${r.serverCpuUs.toFixed(1)} | ${((rows[0]!.clientCpuUs + rows[0]!.serverCpuUs) / (r.clientCpuUs + r.serverCpuUs)).toFixed(2)} |`,
    ),
  ].join('\n');
  const find = (prefix: string) => rows.find((r) => r.name.startsWith(prefix))!;
  const cost = (r: Row) => r.clientCpuUs + r.serverCpuUs;
  const ours = find('ours, Redis only, 2 tags');
  const enc = find('ours, Redis only, 2 tags, encrypted');
  const l1 = find('ours, L1');
  const runLine = `- ${QUICK ? 'quick check (BENCH_QUICK=1)' : 'run'} ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, load avg ${os.loadavg()[0]!.toFixed(2)}: Redis-only ${(ours.opsPerSec / rawOps).toFixed(2)}× raw (${(cost(rows[0]!) / cost(ours)).toFixed(2)}× by CPU), encrypted ${(enc.opsPerSec / ours.opsPerSec).toFixed(2)}× unencrypted (+${(enc.clientCpuUs - ours.clientCpuUs).toFixed(1)} µs node CPU per hit), L1 ${(l1.opsPerSec / rawOps).toFixed(1)}× raw, ${(ours.opsPerSec / bentoOps).toFixed(2)}× bentocache (${(ours.opsPerSec / bentoOnceOps).toFixed(2)}× after one invalidation)`;
  // Keep the last runs: on a shared 2-core machine one run is not a measurement.
  const history = [runLine, ...(resultsSection('cache')?.split('\n').filter((l) => l.startsWith('- run ') || l.startsWith('- quick check ')) ?? [])].slice(0, 8);
  const section = [
    '<!-- cache:start -->',
    `## Cache get-hit (\`npm run bench:cache\`${QUICK ? ', BENCH_QUICK=1: a check of the script, not a measurement' : ''})`,
    '',
    `${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores (${os.cpus()[0]?.model.trim() ?? 'cpu'}) shared with other work, Node ${process.version}, ${IN_FLIGHT} in flight, ~2 KB JSON value, ${MS / 1000} s per scenario in ${ROUNDS} interleaved rounds (median), a private redis-server (so INFO commandstats counts only this run). CPU µs per hit = this process's CPU time + the Redis server's (INFO cpu) divided by hits: steadier than ops/s when the machine's load swings.`,
    '',
    table,
    '',
    `Ours, Redis only, 2 tags vs bentocache with 1 tag: **${(ours.opsPerSec / bentoOps).toFixed(2)}×** (tag never invalidated), **${(ours.opsPerSec / bentoOnceOps).toFixed(2)}×** (tag invalidated once). Aims: ≥ 0.8× raw and ≥ 2× bentocache with one round trip (one MGET of entry + category version + 2 tag versions); L1 ≥ 5× raw.`,
    '',
    'Recent runs (newest first):',
    '',
    ...history,
    '<!-- cache:end -->',
  ].join('\n');
  writeResultsSection('cache', section);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
