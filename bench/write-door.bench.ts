/**
 * What the write door adds to a write: a feedback submit as a bare transaction (baseline), through the door
 * on one instance (outbox row + NOTIFY + Redis apply), and through the door with a second instance that
 * must acknowledge (read-after-write). Sequential writes (latency, not throughput), interleaved rounds,
 * medians; real PostgreSQL (a throwaway database) and the local Redis under a prefix of its own.
 * Writes the writes section of bench/RESULTS.md.  Run: npm run bench:writes
 */
import os from 'node:os';
import { writeResultsSection } from './results-file';
import { createCache } from '@/lib/cache';
import { createDb } from '@/lib/db/create-db';
import type { DbHandle } from '@/lib/db/types';
import { submitFeedback } from '@/lib/domain';
import { createWriteDoor, feedbackWrite } from '@/lib/write-door';
import { PgCoherence } from '@/lib/write-door/coherence';
import { loadFixture } from '../tests/domain/fixture';
import { createTestDb, destroyTestDb } from '../tests/support/test-db';

const ROUNDS = 5;
const WRITES = 150;
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `bench-writes-${process.pid}`;
const input = (n: number) => ({ recommendationId: 1, diagnosisId: 1, rating: 1 + (n % 5), adherence: 50 });

async function instance(url: string, name: string) {
  const handle = (await createDb({ url, max: 4 })) as Extract<DbHandle, { kind: 'postgres' }>;
  const cache = createCache({ prefix, instanceId: name, redis: { url: REDIS_URL } });
  await cache.ready();
  const coherence = new PgCoherence({ sql: handle.client, db: handle.db, cache, longestLifetimeSeconds: 3_600 });
  await coherence.start();
  return {
    handle,
    coherence,
    door: createWriteDoor(async () => ({ db: handle, cache, coherence })),
    close: async () => {
      await coherence.stop();
      await cache.close();
      await handle.close();
    },
  };
}

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;

async function timeWrites(write: (n: number) => Promise<unknown>): Promise<number[]> {
  const ms: number[] = [];
  for (let n = 0; n < WRITES; n++) {
    const started = performance.now();
    await write(n);
    ms.push(performance.now() - started);
  }
  return ms;
}

async function main() {
  const t = await createTestDb();
  try {
    await loadFixture(t.db);
    const a = await instance(t.url, 'a');
    const scenarios: { name: string; run: (n: number) => Promise<unknown>; before?: () => Promise<void>; samples: number[] }[] = [
      { name: 'bare transaction (baseline)', run: (n) => a.handle.db.transaction((tx) => submitFeedback(tx, input(n))), samples: [] },
      { name: 'write door, 1 instance', run: (n) => a.door(feedbackWrite(input(n))), samples: [] },
      { name: 'write door, 2 instances (waits for the ack)', run: (n) => a.door(feedbackWrite(input(n))), samples: [] },
    ];
    let peer: Awaited<ReturnType<typeof instance>> | undefined;
    for (let round = 0; round < ROUNDS; round++) {
      for (const s of scenarios) {
        const wantPeer = s.name.includes('2 instances');
        if (wantPeer && !peer) {
          peer = await instance(t.url, 'b');
          const deadline = Date.now() + 5_000;
          while (!a.coherence.livePeers().includes('b') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        } else if (!wantPeer && peer) {
          await peer.close();
          peer = undefined;
          // Until its lease runs out, A still waits for B: let it expire.
          await new Promise((r) => setTimeout(r, 1_500));
        }
        s.samples.push(...(await timeWrites(s.run)));
      }
    }
    await peer?.close();
    await a.close();
    const base = quantile(scenarios[0]!.samples, 0.5);
    const rows = scenarios.map((s) => ({ name: s.name, p50: quantile(s.samples, 0.5), p99: quantile(s.samples, 0.99) }));
    for (const r of rows) console.log(`${r.name.padEnd(45)} p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms  ×${(r.p50 / base).toFixed(2)}`);
    writeResults(rows, base);
  } finally {
    await destroyTestDb(t);
  }
}

function writeResults(rows: { name: string; p50: number; p99: number }[], base: number) {
  const section = [
    '<!-- writes:start -->',
    '## What the write door adds to a write (`npm run bench:writes`)',
    '',
    `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${os.cpus().length} cores (${os.cpus()[0]?.model.trim() ?? 'cpu'}), load avg ${os.loadavg()[0]!.toFixed(2)}, Node ${process.version}; ${ROUNDS} interleaved rounds × ${WRITES} sequential feedback writes per scenario.`,
    '',
    '| scenario | p50 ms | p99 ms | p50 × baseline |',
    '|---|---:|---:|---:|',
    ...rows.map((r) => `| ${r.name} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${(r.p50 / base).toFixed(2)} |`),
    '<!-- writes:end -->',
  ].join('\n');
  writeResultsSection('writes', section);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
