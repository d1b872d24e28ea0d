import 'server-only';
import { and, desc, eq, lt, sql } from 'drizzle-orm';
import type { Identity } from '@/lib/auth/scopes';
import { viewerKey } from '@/lib/resources/tags';
import { getDb } from '@/lib/db/client';
import { preparedRows } from '@/lib/db/rows';
import type { Db } from '@/lib/db/types';
import { patientAccessAudit, type PatientAccessVia } from '@/lib/db/schema';
import { httpLog } from '@/lib/http/log';

/**
 * Who looked at which patient's data, when, and through what (API route, fast path, page). Recorded in
 * memory on the request path (no await, no I/O) and written in batches by a timer: an answer never waits
 * for the audit, and a burst of views is one INSERT. Kept one year.
 */

export type PatientView = { viewer: Identity; patientId: number; resource: 'profile' | `diagnosis:${number}`; via: PatientAccessVia };

const FLUSH_MS = 1_000;
const MAX_BATCH = 1_000;
/** Past this many unwritten rows (database down) the oldest are dropped, and the drop is logged. */
const MAX_PENDING = 50_000;
const RETENTION = sql`interval '1 year'`;
const PRUNE_EVERY_MS = 60 * 60 * 1000;

/**
 * A batch as one JSON parameter, one statement prepared once: at hundreds of views a second, drizzle's
 * `insert().values()` built six parameters per row on every flush, up to 2 % of the process's CPU
 * under `npm run bench:load`, and garbage that lived until the next full collection.
 */
const insertViews = preparedRows<never>(
  'patient_access_audit_insert',
  sql`insert into patient_access_audit (viewer, viewer_label, patient_id, resource, via, viewed_at)
      select viewer, viewer_label, patient_id, resource, via, viewed_at
      from jsonb_to_recordset(${sql.placeholder('rows')}::text::jsonb)
        as r(viewer text, viewer_label text, patient_id integer, resource text, via text, viewed_at timestamptz)`,
);

/** A pending row, named as the insert's jsonb_to_recordset reads it. */
type Row = { viewer: string; viewer_label: string; patient_id: number; resource: string; via: PatientAccessVia; viewed_at: Date };
type State = { pending: Row[]; timer?: NodeJS.Timeout; flushing?: Promise<void>; lastPrune: number; dropped: number };

// On globalThis: Next may load this module in more than one bundle layer, and all must share one buffer.
const holder = globalThis as typeof globalThis & { __mizajPatientAccess?: State };
const state = (holder.__mizajPatientAccess ??= { pending: [], lastPrune: 0, dropped: 0 });

export function recordPatientView(view: PatientView, now = new Date()): void {
  const v = view.viewer;
  state.pending.push({
    viewer: viewerKey(v),
    viewer_label: v.kind === 'user' ? v.email : `api key "${v.name}"`,
    patient_id: view.patientId,
    resource: view.resource,
    via: view.via,
    viewed_at: now,
  });
  if (state.pending.length > MAX_PENDING) state.dropped += state.pending.splice(0, state.pending.length - MAX_PENDING).length;
  state.timer ??= setTimeout(() => void flushPatientViews(), FLUSH_MS).unref();
}

/** Writes what is pending (tests call it instead of waiting for the timer). Rows stay queued if it fails. */
export async function flushPatientViews(db?: Db): Promise<void> {
  clearTimeout(state.timer);
  state.timer = undefined;
  await state.flushing;
  state.flushing = (async () => {
    const target = db ?? (await getDb());
    while (state.pending.length > 0) {
      const batch = state.pending.slice(0, MAX_BATCH);
      await insertViews(target, { rows: JSON.stringify(batch) });
      state.pending.splice(0, batch.length);
    }
    if (Date.now() - state.lastPrune > PRUNE_EVERY_MS) {
      state.lastPrune = Date.now();
      await target.delete(patientAccessAudit).where(lt(patientAccessAudit.viewedAt, sql`now() - ${RETENTION}`));
    }
  })()
    .catch((err: unknown) => {
      httpLog.warn({ err: err instanceof Error ? err.message : String(err), pending: state.pending.length }, 'patient access audit not written yet; retrying');
      state.timer ??= setTimeout(() => void flushPatientViews(), 5 * FLUSH_MS).unref();
    })
    .finally(() => {
      if (state.dropped > 0) httpLog.error({ dropped: state.dropped }, 'patient access audit rows dropped (database unreachable too long)');
      state.dropped = 0;
      state.flushing = undefined;
    });
  await state.flushing;
}

export type PatientAccessEntry = { id: number; viewer: string; viewerLabel: string; patientId: number; resource: string; via: string; viewedAt: Date };

/** Newest first; `before` is the id of the last entry of the previous page (`nextBefore`, null at the end). */
export async function listPatientViews(
  opts: { limit: number; before?: number; patientId?: number },
  db?: Db,
): Promise<{ items: PatientAccessEntry[]; nextBefore: number | null }> {
  const where = and(
    opts.before !== undefined ? lt(patientAccessAudit.id, opts.before) : undefined,
    opts.patientId !== undefined ? eq(patientAccessAudit.patientId, opts.patientId) : undefined,
  );
  const items = await (db ?? (await getDb())).select().from(patientAccessAudit).where(where).orderBy(desc(patientAccessAudit.id)).limit(opts.limit);
  return { items, nextBefore: items.length === opts.limit ? items.at(-1)!.id : null };
}
