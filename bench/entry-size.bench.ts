/**
 * npm run bench:memory: what a cached API answer costs in Redis. Fills real entries of every cached
 * resource (a small seeded database of its own, production settings: patient data sealed), then reports
 * per resource Redis `MEMORY USAGE` ÷ JSON bytes and the bookkeeping bytes each entry carries, and compares
 * what lib/cached-reads/json-resource.ts stores (DEFLATE against its preset dictionary) with gzip and brotli at
 * several levels on the same JSON bodies.
 * Writes bench/RESULTS.md between <!-- memory:start --> and <!-- memory:end -->.
 */
import { loadavg } from 'node:os';
import { brotliCompressSync, brotliDecompressSync, constants, deflateRawSync, gunzipSync, gzipSync, inflateRawSync } from 'node:zlib';
import Redis from 'ioredis';
import { writeResultsSection } from './results-file';
import { REDIS_URL, sampleAnswers } from './memory/sample-answers';

const PER_RESOURCE = 30;
const PATIENTS = 300;
const SEED = 5;

const { samples: filled, close } = await sampleAnswers({ database: 'mizaj_bench_memory', seed: SEED, patients: PATIENTS, perResource: PER_RESOURCE });
const { gzipCopy, jsonBytes, pack, sentForms, unpack } = await import('@/lib/cached-reads/json-resource');
const { JSON_DICTIONARY, JSON_DICTIONARY_ID } = await import('@/lib/cached-reads/json-dictionary');

const redis = new Redis(REDIS_URL);
type Row = { resource: string; category: string; n: number; json: number; sent: number; packed: number; strlen: number; memory: number; bookkeeping: number; compressed: number };
const rows = new Map<string, Row>();
for (const f of filled) {
  const [memory, stored] = await Promise.all([redis.memory('USAGE', f.key, 'SAMPLES', '0'), redis.getBuffer(f.key)]);
  if (stored === null) throw new Error(`${f.key} not in Redis`);
  const json = jsonBytes(f.raw).length;
  const sent = sentForms(f.raw).gzip?.length ?? json;
  const packed = f.raw.body.length;
  const strlen = stored.length;
  const row = rows.get(f.resource) ?? { resource: f.resource, category: f.category, n: 0, json: 0, sent: 0, packed: 0, strlen: 0, memory: 0, bookkeeping: 0, compressed: 0 };
  rows.set(f.resource, row);
  row.n++;
  row.json += json;
  row.sent += sent;
  row.packed += packed;
  row.strlen += strlen;
  row.memory += Number(memory);
  // Everything stored besides the packed answer: header, versions, tags, meta line, and a sealed payload's IV
  // and tag.
  row.bookkeeping += strlen - packed;
  if (packed < json) row.compressed++;
}
const avg = (x: number, n: number) => Math.round(x / n);
const pct = (a: number, b: number) => `${Math.round((100 * a) / b)} %`;
const memoryTable = [
  '| resource (category) | entries | packed | JSON B/entry | sent to gzip clients B/entry | packed answer B/entry | STRLEN B/entry | MEMORY USAGE B/entry | memory ÷ JSON | STRLEN ÷ JSON | bookkeeping B/entry |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...[...rows.values()].map(
    (w) =>
      `| ${w.resource} (${w.category}) | ${w.n} | ${w.compressed} | ${avg(w.json, w.n)} | ${avg(w.sent, w.n)} | ${avg(w.packed, w.n)} | ${avg(w.strlen, w.n)} | ${avg(w.memory, w.n)} | ${pct(w.memory, w.json)} | ${pct(w.strlen, w.json)} | ${avg(w.bookkeeping, w.n)} |`,
  ),
].join('\n');
const categories = new Map<string, Row>();
for (const w of rows.values()) {
  const c = categories.get(w.category) ?? { ...w, resource: '', n: 0, json: 0, sent: 0, packed: 0, strlen: 0, memory: 0, bookkeeping: 0, compressed: 0 };
  categories.set(w.category, c);
  for (const k of ['n', 'json', 'sent', 'packed', 'strlen', 'memory', 'bookkeeping', 'compressed'] as const) c[k] += w[k];
}
const categoryTable = [
  '| category | entries | MEMORY USAGE ÷ JSON | STRLEN ÷ JSON | bookkeeping B/entry |',
  '|---|---:|---:|---:|---:|',
  ...[...categories.values()].map((c) => `| ${c.category} | ${c.n} | ${pct(c.memory, c.json)} | ${pct(c.strlen, c.json)} | ${avg(c.bookkeeping, c.n)} |`),
].join('\n');
console.log(memoryTable);
console.log(`\n${categoryTable}`);

// What is stored against gzip and brotli on the same bodies: bytes and CPU per entry. Candidates take turns over ROUNDS rounds (REPS
// passes over every body each) and the fastest round counts: on a shared machine the minimum is what the
// codec costs, the rest is other processes.
const ROUNDS = 7;
const REPS = 4;
const bodies = filled.map((f) => jsonBytes(f.raw));
const totalJson = bodies.reduce((s, b) => s + b.length, 0);
const br = (q: number) => (b: Buffer) => brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: q, [constants.BROTLI_PARAM_SIZE_HINT]: b.length } });
const candidates: { name: string; compress: (b: Buffer) => Buffer; decompress: (b: Buffer) => Buffer }[] = [
  {
    name: `as stored: DEFLATE level 6 + dictionary ${JSON_DICTIONARY_ID} (lib/cached-reads/json-resource.ts)`,
    compress: pack,
    decompress: unpack,
  },
  // What json-resource.ts's memLevel saves: the same dictionary at zlib's default memLevel (8).
  { name: `DEFLATE level 6 + dictionary ${JSON_DICTIONARY_ID}, zlib's default memLevel 8`, compress: (b: Buffer) => deflateRawSync(b, { dictionary: JSON_DICTIONARY, level: 6 }), decompress: unpack },
  // zlib primes its match finder with the whole dictionary on every call: a shorter one (its last bytes, where the
  // most requested answers are) trades bytes for CPU.
  ...[16, 8, 4]
    .filter((kb) => kb * 1024 < JSON_DICTIONARY.length)
    .map((kb) => {
      const dictionary = JSON_DICTIONARY.subarray(-kb * 1024);
      return { name: `DEFLATE level 6 + the dictionary's last ${kb} KB`, compress: (b: Buffer) => deflateRawSync(b, { dictionary, level: 6 }), decompress: (b: Buffer) => inflateRawSync(b, { dictionary }) };
    }),
  { name: 'as sent to gzip clients: gzip -6, memLevel 5, window fitted to the answer (lib/cached-reads/json-resource.ts)', compress: gzipCopy, decompress: (b: Buffer) => gunzipSync(b) },
  ...[1, 6, 9].map((level) => ({ name: `gzip -${level}`, compress: (b: Buffer) => gzipSync(b, { level }), decompress: (b: Buffer) => gunzipSync(b) })),
  ...[1, 4, 5, 6, 9, 11].map((q) => ({ name: `brotli q${q}`, compress: br(q), decompress: (b: Buffer) => brotliDecompressSync(b) })),
];
const packedBy = new Map(candidates.map((c) => [c, bodies.map((b) => c.compress(b))]));
const minUs = new Map(candidates.map((c) => [c, { compress: Infinity, decompress: Infinity }]));
const perEntryUs = (run: () => void, reps: number) => {
  const t = performance.now();
  for (let i = 0; i < reps; i++) run();
  return ((performance.now() - t) * 1000) / (reps * bodies.length);
};
// Each round starts one candidate later: whichever runs first after the previous round's brotli q11 pays for its
// garbage, and without turning that would always be the same candidate.
for (let round = 0; round < ROUNDS; round++) {
  for (const c of candidates.map((_, i) => candidates[(i + round) % candidates.length]!)) {
    const reps = c.name.startsWith('brotli q9') || c.name.startsWith('brotli q11') ? 1 : REPS;
    const m = minUs.get(c)!;
    m.compress = Math.min(m.compress, perEntryUs(() => bodies.forEach((b) => c.compress(b)), reps));
    m.decompress = Math.min(m.decompress, perEntryUs(() => packedBy.get(c)!.forEach((p) => c.decompress(p)), REPS));
  }
}
const codecRows = candidates.map((c) => {
  const bytes = packedBy.get(c)!.reduce((s, p) => s + p.length, 0);
  const { compress: compressUs, decompress: decompressUs } = minUs.get(c)!;
  return { name: c.name, ratio: bytes / totalJson, compressUs, decompressUs, savedPerUs: (totalJson - bytes) / bodies.length / (compressUs + decompressUs) };
});
const best = codecRows.reduce((a, b) => (b.savedPerUs > a.savedPerUs ? b : a));
const codecTable = [
  `| codec | compressed ÷ JSON | compress µs/entry | decompress µs/entry | bytes saved per µs (compress + decompress) |`,
  '|---|---:|---:|---:|---:|',
  ...codecRows.map((c) => `| ${c.name}${c === best ? ' **(most bytes saved per µs)**' : ''} | ${(100 * c.ratio).toFixed(1)} % | ${c.compressUs.toFixed(1)} | ${c.decompressUs.toFixed(1)} | ${c.savedPerUs.toFixed(1)} |`),
].join('\n');
console.log(`\n${codecTable}`);

await redis.quit();
await close();

const section = `<!-- memory:start -->
## Stored bytes per cached API entry (\`npm run bench:memory\`)

${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, Node ${process.version}, load average ${loadavg()[0]!.toFixed(2)}; ${PATIENTS} seeded patients, up to ${PER_RESOURCE} entries per resource, production settings (predictions, profile and feedback sealed with AES-256-GCM). Answers stored packed (raw DEFLATE against the preset dictionary \`${JSON_DICTIONARY_ID}\`, built by \`npm run build:json-dictionary\` from seed 1; these answers are seed ${SEED}), as bytes, when that is smaller than the JSON. "sent to gzip clients" is the gzip copy derived once per L1 entry; "bookkeeping" is STRLEN − packed answer (header, versions, tags, meta line, and a sealed payload's IV and tag). MEMORY USAGE also counts Redis's own key and object overhead.

${memoryTable}

Per category (the target is ≤ 40 % of the JSON and ≤ 100 B of bookkeeping per entry):

${categoryTable}

What is stored against gzip and brotli on the same ${bodies.length} JSON bodies (this process, one core; fastest of ${ROUNDS} interleaved rounds):

${codecTable}
<!-- memory:end -->`;
writeResultsSection('memory', section);
process.exit(0);
