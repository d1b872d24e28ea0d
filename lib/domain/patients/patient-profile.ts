import { eq, sql, type SQL } from 'drizzle-orm';
import { prepared } from '@/lib/db/prepared';
import type { Db } from '@/lib/db/types';
import { conditions, diagnoses, healthRecords, patients } from '@/lib/db/schema';
import { NotFoundError } from '@/lib/errors';
import { diagnosisWithConditionColumns, type DiagnosisWithCondition } from '../diagnoses/get-diagnosis';
import { keysetPage, newestFirst, pageOf, type Page, type PageRequest } from '../shared/keyset-page';
import { assertId } from '../shared/validation';

export type HealthRecord = typeof healthRecords.$inferSelect;

export type PatientDiagnosis = DiagnosisWithCondition;

export type PatientProfile = {
  patient: typeof patients.$inferSelect;
  /** The newest health records (first page). */
  healthRecords: HealthRecord[];
  /** Cursor of the next page of health records, null when there is none. */
  healthRecordsNext: string | null;
  /** The newest diagnoses with the condition's names (first page). */
  diagnoses: PatientDiagnosis[];
  diagnosesNext: string | null;
};

/** How many of each list a profile embeds; the rest is paged through the list operations. */
export const PROFILE_PAGE = { records: 10, diagnoses: 20 } as const;

const patientById = prepared((db) => db.select().from(patients).where(eq(patients.id, sql.placeholder('id'))).limit(1).prepare('patient_by_id'));

async function assertPatient(db: Db, id: number) {
  assertId(id);
  const [patient] = await patientById(db).execute({ id });
  if (!patient) throw new NotFoundError('Patient', id);
  return patient;
}

// One select per list, used by the pages after a cursor and, prepared, by the profile's first pages.
const selectRecords = (db: Db, where: SQL, orderBy: SQL[], limit: number) => db.select().from(healthRecords).where(where).orderBy(...orderBy).limit(limit);
const selectDiagnoses = (db: Db, where: SQL, orderBy: SQL[], limit: number) =>
  db
    .select(diagnosisWithConditionColumns)
    .from(diagnoses)
    .innerJoin(conditions, eq(conditions.id, diagnoses.conditionId))
    .where(where)
    .orderBy(...orderBy)
    .limit(limit);

const recordsPage = (db: Db, patientId: number, page: PageRequest): Promise<Page<HealthRecord>> =>
  keysetPage(healthRecords, 'health_records', eq(healthRecords.patientId, patientId), page, (where, orderBy, limit) => selectRecords(db, where, orderBy, limit));

const diagnosesPage = (db: Db, patientId: number, page: PageRequest): Promise<Page<PatientDiagnosis>> =>
  keysetPage(diagnoses, 'diagnoses', eq(diagnoses.patientId, patientId), page, (where, orderBy, limit) => selectDiagnoses(db, where, orderBy, limit));

// The profile's first pages (every profile miss runs both): prepared, in keysetPage's order.
const firstRecords = prepared((db) =>
  selectRecords(db, eq(healthRecords.patientId, sql.placeholder('patientId')), newestFirst(healthRecords), PROFILE_PAGE.records + 1).prepare('profile_health_records'),
);
const firstDiagnoses = prepared((db) =>
  selectDiagnoses(db, eq(diagnoses.patientId, sql.placeholder('patientId')), newestFirst(diagnoses), PROFILE_PAGE.diagnoses + 1).prepare('profile_diagnoses'),
);

export async function getPatientProfileOrThrow(db: Db, id: number): Promise<PatientProfile> {
  assertId(id);
  // All three at once (one round trip of waiting, not two: a miss waits for each on a busy server); the
  // pages of a patient that does not exist are empty and thrown away.
  const [patient, records, diags] = await Promise.all([
    assertPatient(db, id),
    firstRecords(db).execute({ patientId: id }).then((rows) => pageOf(rows, PROFILE_PAGE.records)),
    firstDiagnoses(db).execute({ patientId: id }).then((rows) => pageOf(rows, PROFILE_PAGE.diagnoses)),
  ]);
  return { patient, healthRecords: records.items, healthRecordsNext: records.next, diagnoses: diags.items, diagnosesNext: diags.next };
}

/** A patient's health records, newest first, a page at a time; NotFoundError for an unknown patient. */
export async function listHealthRecordsOrThrow(db: Db, patientId: number, page: PageRequest): Promise<Page<HealthRecord>> {
  await assertPatient(db, patientId);
  return recordsPage(db, patientId, page);
}

/** A patient's diagnoses, newest first, a page at a time; NotFoundError for an unknown patient. */
export async function listPatientDiagnosesOrThrow(db: Db, patientId: number, page: PageRequest): Promise<Page<PatientDiagnosis>> {
  await assertPatient(db, patientId);
  return diagnosesPage(db, patientId, page);
}
