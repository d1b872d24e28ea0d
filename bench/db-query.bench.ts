/**
 * npm run bench:db-query — what drizzle's query builder adds to a cache miss: the patient profile's three
 * queries (the most frequent miss under bench:load's mix) built per call, as before lib/db/prepared.ts,
 * against the same queries prepared once (getPatientProfileOrThrow as the API runs it), and the same SQL sent
 * by postgres.js alone (the floor). Sequential calls on one connection; CPU µs per call from process.cpuUsage
 * (this process only: PostgreSQL's own time is not in it), wall µs per call; 5 interleaved rounds, median.
 *
 * Writes bench/RESULTS.md between <!-- db-query:start --> and <!-- db-query:end -->.
 */
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { eq } from 'drizzle-orm';
import { writeResultsSection } from './results-file';
import { createDb } from '@/lib/db/create-db';
import { conditions, diagnoses, healthRecords, patients } from '@/lib/db/schema';
import { getPatientProfileOrThrow } from '@/lib/domain';
import { diagnosisWithConditionColumns } from '@/lib/domain/diagnoses/get-diagnosis';
import { newestFirst, pageOf } from '@/lib/domain/shared/keyset-page';
import type { Db } from '@/lib/db/types';
import { seededDatabase } from './api/setup';

const ROOT = path.resolve(import.meta.dirname, '..');
const CALLS = Number(process.env.BENCH_CALLS ?? 2_000);
const ROUNDS = 5;
const PATIENTS = 300;

/** The profile as it was built before lib/db/prepared.ts: the same three queries, built on every call. */
async function builtPerCall(db: Db, id: number) {
  const [patient] = await db.select().from(patients).where(eq(patients.id, id)).limit(1);
  const [records, diags] = await Promise.all([
    db.select().from(healthRecords).where(eq(healthRecords.patientId, id)).orderBy(...newestFirst(healthRecords)).limit(11).then((r) => pageOf(r, 10)),
    db
      .select(diagnosisWithConditionColumns)
      .from(diagnoses)
      .innerJoin(conditions, eq(conditions.id, diagnoses.conditionId))
      .where(eq(diagnoses.patientId, id))
      .orderBy(...newestFirst(diagnoses))
      .limit(21)
      .then((r) => pageOf(r, 20)),
  ]);
  return { patient, records, diags };
}

const { url } = await seededDatabase('mizaj_bench_db_query');
const handle = await createDb({ url, max: 1 });
if (handle.kind !== 'postgres') throw new Error('needs PostgreSQL');
const { db, client } = handle;

async function floor(id: number) {
  await client`select * from patients where id = ${id} limit 1`;
  await Promise.all([
    client`select * from health_records where patient_id = ${id} order by created_at desc, id desc limit 11`,
    client`select d.id, d.condition_id, c.code, c.name_fa, c.name_en, c.name_ar, d.clinician_id, d.notes, d.created_at
           from diagnoses d join conditions c on c.id = d.condition_id where d.patient_id = ${id} order by d.created_at desc, d.id desc limit 21`,
  ]);
}

const scenarios: [string, (id: number) => Promise<unknown>][] = [
  ['postgres.js, the same SQL written out (floor)', floor],
  ['drizzle, built on every call (before)', (id) => builtPerCall(db, id)],
  ['drizzle, prepared once (getPatientProfileOrThrow)', (id) => getPatientProfileOrThrow(db, id)],
];
const samples = new Map<string, { cpu: number; wall: number }[]>(scenarios.map(([n]) => [n, []]));
for (const [, run] of scenarios) for (let i = 0; i < CALLS / 5; i++) await run(1 + (i % PATIENTS)); // warm the JIT and the connection's statements
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, run] of scenarios) {
    const cpu = process.cpuUsage();
    const t = performance.now();
    for (let i = 0; i < CALLS; i++) await run(1 + ((i * 7 + round) % PATIENTS));
    const used = process.cpuUsage(cpu);
    samples.get(name)!.push({ cpu: (used.user + used.system) / CALLS, wall: ((performance.now() - t) * 1000) / CALLS });
  }
}
await handle.close();

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
const rows = scenarios.map(([name]) => ({ name, cpu: median(samples.get(name)!.map((s) => s.cpu)), wall: median(samples.get(name)!.map((s) => s.wall)) }));
const base = rows[0]!;
const sha = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
const section = `<!-- db-query:start -->
## What drizzle's query builder adds to a miss (\`npm run bench:db-query\`)

${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, git ${sha}, ${os.cpus()[0]?.model.trim()} (${os.cpus().length} cores), Node ${process.version}, load average ${os
  .loadavg()
  .map((l) => l.toFixed(2))
  .join(' ')}. The patient profile's three queries (patient, first 10 health records, first 20 diagnoses with their condition), ${CALLS.toLocaleString('en')} sequential calls over ${PATIENTS} seeded patients on one connection, ${ROUNDS} interleaved rounds, median. CPU is this process's only.

| scenario | CPU µs per profile | wall µs per profile | CPU × floor |
|---|---:|---:|---:|
${rows.map((r) => `| ${r.name} | ${r.cpu.toFixed(0)} | ${r.wall.toFixed(0)} | ${(r.cpu / base.cpu).toFixed(2)} |`).join('\n')}
<!-- db-query:end -->`;
console.log(section);
writeResultsSection('db-query', section);
process.exit(0);
