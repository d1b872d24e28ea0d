/**
 * What a heap snapshot of the server holds (`BENCH_LOAD_NODE_FLAGS="--heapsnapshot-signal=SIGUSR2
 * --diagnostic-dir=<dir>" npm run bench:load`, then `kill -USR2 <server pid>` during a phase):
 *
 *   node --max-old-space-size=8000 --import tsx bench/heap-snapshot.ts <file.heapsnapshot> [top]
 *
 * Self size by kind and constructor (strings and code each as one line), then the sizes of the ArrayBuffers'
 * backing stores (off the JS heap, where buffers keep their bytes) by how much memory they add up to: many of one
 * odd size is a buffer that small views keep alive.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

const ONE_LINE = new Set(['string', 'concatenated string', 'sliced string', 'code']);

export function snapshotSizes(s: Snapshot) {
  const fields = s.snapshot.meta.node_fields;
  const types = s.snapshot.meta.node_types[0];
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f)) as [number, number, number];
  const byKind = new Map<string, { bytes: number; count: number }>();
  const backingStores = new Map<number, number>();
  for (let i = 0; i < s.nodes.length; i += fields.length) {
    const type = types[s.nodes[i + typeAt]!]!;
    const name = s.strings[s.nodes[i + nameAt]!]!;
    const size = s.nodes[i + sizeAt]!;
    const kind = `${type}: ${ONE_LINE.has(type) ? `(${type})` : name.slice(0, 80)}`;
    const k = byKind.get(kind) ?? { bytes: 0, count: 0 };
    k.bytes += size;
    k.count++;
    byKind.set(kind, k);
    if (name === 'system / JSArrayBufferData') backingStores.set(size, (backingStores.get(size) ?? 0) + 1);
  }
  return { byKind, backingStores };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [file, top = '30'] = process.argv.slice(2);
  if (!file) throw new Error('usage: node --max-old-space-size=8000 --import tsx bench/heap-snapshot.ts <file.heapsnapshot> [top]');
  const { byKind, backingStores } = snapshotSizes(JSON.parse(readFileSync(file, 'utf8')) as Snapshot);
  const mib = (b: number) => (b / 2 ** 20).toFixed(2).padStart(8);
  const total = [...byKind.values()].reduce((sum, k) => sum + k.bytes, 0);
  console.log(`${mib(total)} MiB in ${[...byKind.values()].reduce((n, k) => n + k.count, 0).toLocaleString('en')} objects\n\nby kind: MiB, count`);
  for (const [kind, k] of [...byKind].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, Number(top))) console.log(`${mib(k.bytes)} ${String(k.count).padStart(9)}  ${kind}`);
  console.log('\nArrayBuffer backing stores by size: MiB, count × bytes');
  for (const [size, n] of [...backingStores].sort((a, b) => b[0] * b[1] - a[0] * a[1]).slice(0, 10)) console.log(`${mib(size * n)} ${String(n).padStart(9)} × ${size}`);
}
