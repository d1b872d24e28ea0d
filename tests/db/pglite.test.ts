import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { is, sql } from 'drizzle-orm';
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core';
import * as schema from '@/lib/db/schema';
import { createDb } from '@/lib/db/create-db';
import { migrateDb } from '@/lib/db/migrate';
import { queryRows } from '@/lib/db/rows';
import type { DbHandle } from '@/lib/db/types';
import { seedDatabase } from '@/drizzle/seed/seed-database';
import {
  getCounts,
  getFeedbackSummary,
  listFeedbackCommentsOrThrow,
  getPatientProfileOrThrow,
  getRecommendationAnalytics,
  getRecommendationOrThrow,
  listHealthRecordsOrThrow,
  listPatientDiagnosesOrThrow,
  listRecommendationsForCondition,
  predictForDiagnosis,
  searchPatients,
  submitFeedback,
} from '@/lib/domain';
import { getDiagnosisOrThrow } from '@/lib/domain/diagnoses';
import { flushPatientViews, recordPatientView } from '@/lib/audit/patient-access';
import type { Identity } from '@/lib/auth/scopes';
import { createCache, MemoryStore } from '@/lib/cache';
import { createWriteDoor, feedbackWrite, fingerprint } from '@/lib/write-door';

describe('embedded PGlite', () => {
  let h: DbHandle;
  beforeAll(async () => {
    h = await createDb({ pglite: 'memory://' });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('runs the same migrations (twice: the second is a no-op)', async () => {
    expect(h.kind).toBe('pglite');
    await migrateDb(h);
    await migrateDb(h);
    const tables = await queryRows<{ name: string }>(h.db, sql`select tablename as name from pg_tables where schemaname = 'public' order by 1`);
    // Every table of the drizzle schema exists, and nothing else.
    const expected = Object.values(schema)
      .filter((v) => is(v, PgTable))
      .map((t) => getTableConfig(t as PgTable).name)
      .sort();
    expect(tables.map((t) => t.name)).toEqual(expected);
  });

  it('seeds and serves the services', async () => {
    const r = await seedDatabase(h, { patients: 120, seed: 3, now: new Date('2025-06-01T00:00:00Z') });
    expect(r.patients).toBe(120);
    expect(await getCounts(h.db)).toMatchObject({ patients: 120, recommendations: 83, diagnoses: r.diagnoses, feedback: r.feedback });
    const recs = await listRecommendationsForCondition(h.db, 1);
    expect(recs.length).toBeGreaterThan(3);
    const analytics = await getRecommendationAnalytics(h.db, recs[0]!.id);
    expect(analytics.count).toBeGreaterThan(0);
    // The seed's COPY went through the trigger that copies each rating patient's mizaj onto the row.
    expect(analytics.byMizaj.reduce((n, m) => n + m.count, 0)).toBe(analytics.count);
    const found = await searchPatients(h.db, { q: 'a', pageSize: 5 });
    expect(found.items.length).toBeGreaterThan(0);
    const [d] = await queryRows<{ id: number; rec: number }>(
      h.db,
      sql`select d.id, (select r.id from recommendations r where r.condition_id = d.condition_id order by r.id limit 1) as rec from diagnoses d order by d.id limit 1`,
    );
    expect((await predictForDiagnosis(h.db, d!.id)).predictions.length).toBeGreaterThan(0);
    const s = await submitFeedback(h.db, { recommendationId: d!.rec, diagnosisId: d!.id, rating: 4, adherence: 50 });
    expect(s.feedbackId).toBe(r.feedback + 1);
  });

  it('answers the prepared queries (lib/db/prepared.ts) as the query builder does', async () => {
    // The patients with the most records and diagnoses.
    const busiest = await queryRows<{ id: number }>(
      h.db,
      sql`select p.id from patients p order by (select count(*) from health_records r where r.patient_id = p.id) + (select count(*) from diagnoses d where d.patient_id = p.id) desc, p.id limit 5`,
    );
    // Past one page (10 records), so the prepared first page must end in the builder's next cursor.
    await h.db.insert(schema.healthRecords).values(Array.from({ length: 12 }, (_, i) => ({ patientId: busiest[0]!.id, kind: 'vitals' as const, data: { heartRate: 60 + i } })));
    let cursors = 0;
    for (const { id } of busiest) {
      const profile = await getPatientProfileOrThrow(h.db, id);
      if (profile.healthRecordsNext) cursors++;
      const records = await listHealthRecordsOrThrow(h.db, id, { limit: 10 });
      const diags = await listPatientDiagnosesOrThrow(h.db, id, { limit: 20 });
      expect({ items: profile.healthRecords, next: profile.healthRecordsNext }).toEqual(records);
      expect({ items: profile.diagnoses, next: profile.diagnosesNext }).toEqual(diags);
    }
    expect(busiest.length).toBe(5);
    expect(cursors).toBeGreaterThan(0);
    const [diagnosis] = await queryRows<{ id: number; rec: number }>(h.db, sql`select d.id, r.id as rec from diagnoses d join recommendations r on r.condition_id = d.condition_id order by d.id limit 1`);
    expect((await getDiagnosisOrThrow(h.db, diagnosis!.id)).id).toBe(diagnosis!.id);
    expect((await getRecommendationOrThrow(h.db, diagnosis!.rec)).id).toBe(diagnosis!.rec);
    const [commented] = await queryRows<{ id: number }>(h.db, sql`select recommendation_id as id from feedback where comment is not null group by 1 order by count(*) desc limit 1`);
    const summary = await getFeedbackSummary(h.db, commented!.id);
    expect({ items: summary.recentComments, next: summary.recentCommentsNext }).toEqual(await listFeedbackCommentsOrThrow(h.db, commented!.id, { limit: 5 }));
    expect(summary.recentCommentsNext).not.toBeNull();
    expect(summary.histogram.reduce((a, b) => a + b, 0)).toBe(summary.count);
  });

  it('takes a write through the door: the Idempotency-Key pipeline, the one-statement insert and the outbox row', async () => {
    const cache = createCache({ prefix: 't-pglite-door', store: new MemoryStore() });
    const door = createWriteDoor(async () => ({ db: h, cache, coherence: undefined }));
    const [d] = await queryRows<{ id: number; rec: number }>(h.db, sql`select d.id, (select r.id from recommendations r where r.condition_id = d.condition_id order by r.id limit 1) as rec from diagnoses d order by d.id desc limit 1`);
    const body = { recommendationId: d!.rec, diagnosisId: d!.id, rating: 5, adherence: 90, comment: 'embedded' };
    const idempotency = { request: { credential: 'key:1', key: 'k-pglite', fingerprint: fingerprint('POST', '/api/feedback/submit', body) }, status: 201 };
    const first = await door(feedbackWrite(body), { idempotency });
    const again = await door(feedbackWrite(body), { idempotency });
    if (first.replayed) throw new Error('the first write cannot be a replay');
    expect(again).toEqual({ replayed: true, answer: { status: 201, body: first.body } });
    expect(first.result).toMatchObject({ diagnosisId: d!.id, recommendationId: d!.rec });
    const outbox = await h.db.select().from(schema.cacheOutbox).orderBy(schema.cacheOutbox.id);
    expect(outbox.at(-1)!.tags).toEqual(expect.arrayContaining([`rec:${d!.rec}:feedback`]));
    await cache.close();
  });

  it('writes the patient-access audit in one statement (a JSON batch) as it was recorded', async () => {
    await flushPatientViews(h.db);
    await h.db.delete(schema.patientAccessAudit);
    const at = new Date('2026-11-27T10:11:12.345Z');
    recordPatientView({ viewer: { kind: 'apikey', id: 3, name: 'o"brien \\ مفتاح', scopes: ['read'] } satisfies Identity, patientId: 7, resource: 'profile', via: 'fast-path' }, at);
    recordPatientView({ viewer: { kind: 'apikey', id: 3, name: 'o"brien \\ مفتاح', scopes: ['read'] } satisfies Identity, patientId: 8, resource: 'diagnosis:12', via: 'api' }, at);
    await flushPatientViews(h.db);
    const rows = await h.db.select().from(schema.patientAccessAudit).orderBy(schema.patientAccessAudit.id);
    expect(rows.map(({ id: _, ...r }) => r)).toEqual([
      { viewer: 'key:3', viewerLabel: 'api key "o"brien \\ مفتاح"', patientId: 7, resource: 'profile', via: 'fast-path', viewedAt: at },
      { viewer: 'key:3', viewerLabel: 'api key "o"brien \\ مفتاح"', patientId: 8, resource: 'diagnosis:12', via: 'api', viewedAt: at },
    ]);
  });
});
