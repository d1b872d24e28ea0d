/**
 * npm run bench:memory: what a cached API answer costs in Redis. Fills real entries of every cached
 * resource (a small seeded database of its own, production settings: patient data sealed), then reports
 * per resource Redis `MEMORY USAGE` ÷ JSON bytes and the bookkeeping bytes each entry carries, and compares
 * gzip and brotli at several levels on the same JSON bodies (what lib/cached-reads/json-resource.ts stores).
 * Writes bench/RESULTS.md between <!-- memory:start --> and <!-- memory:end -->.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { brotliCompressSync, brotliDecompressSync, constants, gunzipSync, gzipSync } from 'node:zlib';
import Redis from 'ioredis';
import postgres from 'postgres';
import { createDb } from '@/lib/db/create-db';
import { migrateDb } from '@/lib/db/migrate';
import { seedDatabase } from '@/drizzle/seed/seed-database';

const ROOT = path.resolve(import.meta.dirname, '..');
const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const DB = 'mizaj_bench_memory';
const PREFIX = `mizaj-bench-memory-${process.pid}`;
const PER_RESOURCE = 30;
const PATIENTS = 300;

const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
await admin.unsafe(`drop database if exists ${DB} with (force)`);
await admin.unsafe(`create database ${DB}`);
await admin.end();
const url = new URL(ADMIN_URL);
url.pathname = `/${DB}`;
const handle = await createDb({ url: url.toString() });
await migrateDb(handle);
await seedDatabase(handle, { patients: PATIENTS, seed: 5 });
await handle.close();
const sql = postgres(url.toString(), { max: 1, onnotice: () => {} });
const ids = async (table: string) => (await sql.unsafe<{ id: number }[]>(`select id from ${table} order by id limit ${PER_RESOURCE}`)).map((row) => row.id);
const recommendationIds = await ids('recommendations');
const diagnosisIds = await ids('diagnoses');
const patientIds = await ids('patients');
await sql.end();

// Production settings (patient data sealed), read by getConfig() on first use below.
Object.assign(process.env, {
  DATABASE_URL: url.toString(),
  REDIS_URL,
  CACHE_PREFIX: PREFIX,
  SESSION_SECRET: 'bench-only-session-secret-0123456789abcdef',
  CACHE_ENCRYPTION_KEYS: 'YmVuY2gtb25seS1jYWNoZS1rZXktMDEyMzQ1Njc4OWE=',
  LOG_LEVEL: 'warn',
});
const res = await import('@/lib/resources');
const r = {
  recommendationResource: res.recommendation.entry,
  analyticsResource: res.analytics.entry,
  feedbackSummaryResource: res.feedbackSummary.entry,
  diagnosisResource: res.diagnosis.entry,
  predictionsResource: res.prediction.entry,
  profileResource: res.profile.entry,
  trendingResource: res.trending.entry,
};
const { CODECS, jsonText, encodedBytes, storedEncoding, STORED_ENCODING } = await import('@/lib/cached-reads/json-resource');
const { getCache } = await import('@/lib/cache');
await getCache().ready();
type Raw = Awaited<ReturnType<typeof r.recommendationResource>>;
type Filled = { resource: string; category: string; key: string; raw: Raw };

const filled: Filled[] = [];
const fill = async (resource: { (...a: never[]): Promise<Raw>; key(...a: never[]): string; category: string }, name: string, args: unknown[][]) => {
  for (const a of args) {
    try {
      filled.push({ resource: name, category: resource.category, key: resource.key(...(a as never[])), raw: await resource(...(a as never[])) });
    } catch {
      // An id the seed left without this resource (404 in the API): nothing cached.
    }
  }
};
await fill(r.recommendationResource, 'recommendation', recommendationIds.map((id) => [id]));
await fill(r.analyticsResource, 'analytics', recommendationIds.map((id) => [id]));
await fill(r.feedbackSummaryResource, 'feedback summary', recommendationIds.map((id) => [id]));
await fill(r.diagnosisResource, 'diagnosis', diagnosisIds.map((id) => [id]));
const conditionOf = new Map(filled.filter((f) => f.resource === 'diagnosis').map((f) => [f.key, (JSON.parse(jsonText(f.raw)) as { conditionId: number }).conditionId]));
await fill(r.predictionsResource, 'predictions', diagnosisIds.map((id) => [id, conditionOf.get(r.diagnosisResource.key(id))]).filter(([, c]) => c !== undefined));
await fill(r.profileResource, 'patient profile', patientIds.map((id) => [id, 'key:1']));
await fill(r.trendingResource, 'trending', [7, 30].flatMap((days) => [5, 10, 20, 50, 100].map((limit) => [days, limit])));

const redis = new Redis(REDIS_URL);
type Row = { resource: string; category: string; n: number; json: number; sent: number; strlen: number; memory: number; bookkeeping: number; compressed: number };
const rows = new Map<string, Row>();
for (const f of filled) {
  const [memory, stored] = await Promise.all([redis.memory('USAGE', f.key, 'SAMPLES', '0'), redis.get(f.key)]);
  if (stored === null) throw new Error(`${f.key} not in Redis`);
  const json = Buffer.byteLength(jsonText(f.raw));
  const sent = storedEncoding(f.raw) ? encodedBytes(f.raw).length : json;
  const strlen = Buffer.byteLength(stored);
  const row = rows.get(f.resource) ?? { resource: f.resource, category: f.category, n: 0, json: 0, sent: 0, strlen: 0, memory: 0, bookkeeping: 0, compressed: 0 };
  rows.set(f.resource, row);
  row.n++;
  row.json += json;
  row.sent += sent;
  row.strlen += strlen;
  row.memory += Number(memory);
  // Everything stored besides the answer's bytes: header, versions, tags, meta (ETag, db time, encoding),
  // and the text encoding of binary (base128 of the compressed body, base64 of a sealed payload).
  row.bookkeeping += strlen - sent;
  if (storedEncoding(f.raw)) row.compressed++;
}
const avg = (x: number, n: number) => Math.round(x / n);
const pct = (a: number, b: number) => `${Math.round((100 * a) / b)} %`;
const memoryTable = [
  '| resource (category) | entries | compressed | JSON B/entry | sent B/entry (encoded) | STRLEN B/entry | MEMORY USAGE B/entry | memory ÷ JSON | STRLEN ÷ JSON | bookkeeping B/entry |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...[...rows.values()].map(
    (w) =>
      `| ${w.resource} (${w.category}) | ${w.n} | ${w.compressed} | ${avg(w.json, w.n)} | ${avg(w.sent, w.n)} | ${avg(w.strlen, w.n)} | ${avg(w.memory, w.n)} | ${pct(w.memory, w.json)} | ${pct(w.strlen, w.json)} | ${avg(w.bookkeeping, w.n)} |`,
  ),
].join('\n');
const categories = new Map<string, Row>();
for (const w of rows.values()) {
  const c = categories.get(w.category) ?? { ...w, resource: '', n: 0, json: 0, sent: 0, strlen: 0, memory: 0, bookkeeping: 0, compressed: 0 };
  categories.set(w.category, c);
  for (const k of ['n', 'json', 'sent', 'strlen', 'memory', 'bookkeeping', 'compressed'] as const) c[k] += w[k];
}
const categoryTable = [
  '| category | entries | MEMORY USAGE ÷ JSON | STRLEN ÷ JSON | bookkeeping B/entry |',
  '|---|---:|---:|---:|---:|',
  ...[...categories.values()].map((c) => `| ${c.category} | ${c.n} | ${pct(c.memory, c.json)} | ${pct(c.strlen, c.json)} | ${avg(c.bookkeeping, c.n)} |`),
].join('\n');
console.log(memoryTable);
console.log(`\n${categoryTable}`);

// gzip vs brotli on the same bodies: bytes and CPU per entry. Candidates take turns over ROUNDS rounds (REPS
// passes over every body each) and the fastest round counts: on a shared machine the minimum is what the
// codec costs, the rest is other processes.
const ROUNDS = 7;
const REPS = 4;
const bodies = filled.map((f) => Buffer.from(jsonText(f.raw)));
const totalJson = bodies.reduce((s, b) => s + b.length, 0);
const br = (q: number) => (b: Buffer) => brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: q, [constants.BROTLI_PARAM_SIZE_HINT]: b.length } });
const candidates: { name: string; compress: (b: Buffer) => Buffer; decompress: (b: Buffer) => Buffer }[] = [
  { name: `as stored (${STORED_ENCODING}, lib/cached-reads/json-resource.ts)`, ...CODECS[STORED_ENCODING] },
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
for (let round = 0; round < ROUNDS; round++) {
  for (const c of candidates) {
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
const best = codecRows.slice(1).reduce((a, b) => (b.savedPerUs > a.savedPerUs ? b : a));
const codecTable = [
  `| codec | compressed ÷ JSON | compress µs/entry | decompress µs/entry | bytes saved per µs (compress + decompress) |`,
  '|---|---:|---:|---:|---:|',
  ...codecRows.map((c) => `| ${c.name}${c === best ? ' **(most bytes saved per µs)**' : ''} | ${(100 * c.ratio).toFixed(1)} % | ${c.compressUs.toFixed(1)} | ${c.decompressUs.toFixed(1)} | ${c.savedPerUs.toFixed(1)} |`),
].join('\n');
console.log(`\n${codecTable}`);

// Leave Redis as found.
let cursor = '0';
do {
  const [next, keys] = await redis.scan(cursor, 'MATCH', `${PREFIX}:*`, 'COUNT', 1000);
  if (keys.length) await redis.unlink(...keys);
  cursor = next;
} while (cursor !== '0');
await redis.quit();
await getCache().close();

const file = path.join(ROOT, 'bench/RESULTS.md');
const section = `<!-- memory:start -->
## Stored bytes per cached API entry (\`npm run bench:memory\`)

${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, Node ${process.version}, load average ${loadavg()[0]!.toFixed(2)}; ${PATIENTS} seeded patients, up to ${PER_RESOURCE} entries per resource, production settings (predictions, profile and feedback sealed with AES-256-GCM). Entries stored as \`${STORED_ENCODING}\` when that is smaller than the JSON. "sent" is what a client accepting ${STORED_ENCODING} receives; "bookkeeping" is STRLEN − sent (header, versions, tags, ETag and meta, and the text encoding of binary). MEMORY USAGE also counts Redis's own key and object overhead.

${memoryTable}

Per category (the target is ≤ 40 % of the JSON and ≤ 100 B of bookkeeping per entry):

${categoryTable}

gzip vs brotli on the same ${bodies.length} JSON bodies (this process, one core; fastest of ${ROUNDS} interleaved rounds):

${codecTable}
<!-- memory:end -->`;
const current = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmark results\n';
writeFileSync(file, current.includes('<!-- memory:start -->') ? current.replace(/<!-- memory:start -->[\s\S]*<!-- memory:end -->/, section) : `${current.trimEnd()}\n\n${section}\n`);
process.exit(0);
