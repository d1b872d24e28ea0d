import { getTableColumns, getTableName, sql } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { DbHandle } from '@/lib/db/types';
import { conditions, diagnoses, feedback, healthRecords, patients, recommendations } from '@/lib/db/schema';
import { optimizeEffectiveness } from '@/lib/domain/predictions/optimize-effectiveness';
import { copyText } from './copy-text';
import {
  CLINICIAN_COUNT,
  clinicianEmail,
  conditionRows,
  generatePatients,
  recommendationRows,
  type DiagnosisRow,
  type FeedbackRow,
  type HealthRecordRow,
  type PatientRow,
} from './generate';
import { inTransaction, type Sink } from './sink';

export const DEFAULT_PATIENTS = 2000;
export const DEFAULT_SEED = 42;

export type SeedOptions = {
  patients?: number;
  seed?: number;
  /** Empty the demo tables first; otherwise a non-empty database is left alone. Clinician users are kept (and reused). */
  reset?: boolean;
  /** Anchor for all generated timestamps; default: today 00:00 UTC, so the demo always has recent feedback. */
  now?: Date;
  /** Patients per COPY batch. */
  chunkSize?: number;
  log?: (message: string) => void;
};

export type SeedResult = {
  skipped: boolean;
  reason?: string;
  patients: number;
  healthRecords: number;
  diagnoses: number;
  feedback: number;
  recommendations: number;
  ms: number;
};

export function startOfUtcDay(d = new Date()): Date {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
}

/** Loads the demo data in one transaction (COPY in batches) and sets initial effectiveness scores. */
export async function seedDatabase(handle: DbHandle, opts: SeedOptions = {}): Promise<SeedResult> {
  const started = performance.now();
  const count = opts.patients ?? DEFAULT_PATIENTS;
  if (!Number.isInteger(count) || count < 0) throw new Error(`patients must be a whole number ≥ 0, got ${count}`);
  const seed = opts.seed ?? DEFAULT_SEED;
  const now = opts.now ?? startOfUtcDay();
  const chunkSize = opts.chunkSize ?? 5000;
  const log = opts.log ?? (() => {});
  const totals = { patients: 0, healthRecords: 0, diagnoses: 0, feedback: 0, recommendations: 0 };

  const outcome = await inTransaction(handle, async (sink) => {
    // Serialise concurrent seeders (e.g. two app instances in a demo compose) on one lock.
    await sink.query(`select pg_advisory_xact_lock(7102025)`);
    const [existing] = await sink.query<{ patients: number; conditions: number }>(
      `select (select count(*) from patients)::int as patients, (select count(*) from conditions)::int as conditions`,
    );
    if (existing && (existing.patients > 0 || existing.conditions > 0)) {
      if (!opts.reset) {
        return { skipped: true, reason: `database already holds ${existing.patients} patients and ${existing.conditions} conditions; pass --reset to regenerate` };
      }
      log('reset: emptying demo tables');
      await sink.query(`truncate feedback, diagnoses, health_records, patients, recommendations, conditions restart identity cascade`);
    }

    const clinicianIds = await ensureClinicians(sink);
    const conds = conditionRows();
    const recs = recommendationRows(now);
    await copyRows(sink, conditions, conds);
    await copyRows(sink, recommendations, recs);
    totals.recommendations = recs.length;

    let batch = emptyBatch();
    const flush = async () => {
      await copyRows(sink, patients, batch.patients);
      await copyRows(sink, healthRecords, batch.healthRecords);
      await copyRows(sink, diagnoses, batch.diagnoses);
      await copyRows(sink, feedback, batch.feedback);
      totals.patients += batch.patients.length;
      totals.healthRecords += batch.healthRecords.length;
      totals.diagnoses += batch.diagnoses.length;
      totals.feedback += batch.feedback.length;
      batch = emptyBatch();
    };
    for (const bundle of generatePatients({ patients: count, seed, now, clinicianIds })) {
      batch.patients.push(bundle.patient);
      batch.healthRecords.push(...bundle.healthRecords);
      batch.diagnoses.push(...bundle.diagnoses);
      batch.feedback.push(...bundle.feedback);
      if (batch.patients.length >= chunkSize) {
        await flush();
        if (totals.patients % (chunkSize * 4) === 0) log(`  ${totals.patients} / ${count} patients`);
      }
    }
    if (batch.patients.length) await flush();

    // Rows carry explicit ids; move each sequence past them so later inserts do not collide.
    for (const table of ['conditions', 'recommendations', 'patients', 'health_records', 'diagnoses', 'feedback']) {
      await sink.query(`select setval(pg_get_serial_sequence('${table}', 'id'), coalesce((select max(id) from ${table}), 0) + 1, false)`);
    }
    return { skipped: false as const };
  });

  if (outcome.skipped) return { ...totals, skipped: true, reason: outcome.reason, ms: Math.round(performance.now() - started) };

  log('analyze + initial effectiveness scores');
  // VACUUM sets the visibility map so counts and per-recommendation aggregates can be index-only scans.
  await handle.db.execute(sql`vacuum analyze patients, health_records, diagnoses, feedback, condition_raters, feedback_stats, recommendations, conditions`);
  await optimizeEffectiveness(handle.db);
  return { ...totals, skipped: false, ms: Math.round(performance.now() - started) };
}

function emptyBatch() {
  return { patients: [] as PatientRow[], healthRecords: [] as HealthRecordRow[], diagnoses: [] as DiagnosisRow[], feedback: [] as FeedbackRow[] };
}

async function ensureClinicians(sink: Sink): Promise<number[]> {
  const values = Array.from({ length: CLINICIAN_COUNT }, (_, i) => {
    const n = i + 1;
    return `('${clinicianEmail(n)}', 'Clinician ${n}', 'clinician', '!')`;
  });
  // '!' is never a valid hash, so these users exist for attribution only and cannot sign in.
  await sink.query(`insert into users (email, name, role, password_hash) values ${values.join(', ')} on conflict (email) do nothing`);
  const rows = await sink.query<{ id: number; email: string }>(
    `select id, email from users where email like 'clinician-%@demo.mizaj.local' order by id`,
  );
  const byEmail = new Map(rows.map((r) => [r.email, r.id]));
  return Array.from({ length: CLINICIAN_COUNT }, (_, i) => byEmail.get(clinicianEmail(i + 1))).filter((id): id is number => id !== undefined);
}

/** COPYs objects keyed by drizzle field names into `table`, mapping them to column names. */
async function copyRows<T extends Record<string, unknown>>(sink: Sink, table: PgTable, rows: readonly T[]): Promise<void> {
  const first = rows[0];
  if (!first) return;
  const columns = getTableColumns(table);
  const keys = Object.keys(first);
  const names = keys.map((k) => {
    const col = columns[k];
    if (!col) throw new Error(`no column for field ${k}`);
    return col.name;
  });
  const text = copyText(rows.map((r) => keys.map((k) => r[k])));
  await sink.copy(getTableName(table), names, text);
}
